"""Central tariffs in the platform's own shape."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow


class Tariff(Base):
    __tablename__ = "tariffs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    external_id: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    common: Mapped[bool] = mapped_column(Boolean, default=False)
    use_type: Mapped[str] = mapped_column(String(8), default="PRICE")
    type: Mapped[str | None] = mapped_column(String(16))
    tariff_alt_text: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    tariff_alt_url: Mapped[str | None] = mapped_column(String(255))
    min_price_excl_vat: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    min_price_incl_vat: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    max_price_excl_vat: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    max_price_incl_vat: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    # The platform's camelCase elements, numbers kept as decimal strings so no precision is lost.
    elements: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    start_date_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_date_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    energy_mix: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
