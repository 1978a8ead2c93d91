"""The table of sites: where chargers stand, with the address and details partners see."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    parent_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    public_name: Mapped[str | None] = mapped_column(String(255))
    external_id: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(3))
    state: Mapped[str | None] = mapped_column(String(45))
    city: Mapped[str] = mapped_column(String(45))
    street_address: Mapped[str] = mapped_column(String(255))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(10, 6))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    parking_type: Mapped[str | None] = mapped_column(String(32))
    facilities: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    opening_times: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    charging_when_closed: Mapped[bool | None] = mapped_column(Boolean)
    directions: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    images: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    energy_mix: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    owner: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    suboperator: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    related_locations: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
