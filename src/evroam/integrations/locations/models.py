"""An integration's locations: site-backed or standalone, and the chargers picked for each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow


class IntegrationLocation(Base):
    """A location published to one integration: backed by a site, or standalone with its own fields."""

    __tablename__ = "integration_locations"
    # A site is one location of an integration at most (standalone locations have no site: NULLs differ).
    __table_args__ = (Index("uq_integration_locations_site", "integration_id", "site_id", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    # Site-backed and not excluded: every charger of the site, now and later. Otherwise the explicit list.
    exclude_chargers: Mapped[bool] = mapped_column(Boolean, default=False)
    # Standalone locations carry the site-like fields themselves (camelCase, as the API takes them).
    standalone: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    publish: Mapped[bool] = mapped_column(Boolean, default=True)
    publish_allowed_to: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The location as GET integration details shows it (JSON text), kept by details_read_model: cleared
    # (NULL) by every change it depends on, which bumps the version; built again by the next read.
    details: Mapped[str | None] = mapped_column(Text, deferred=True)
    details_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class IntegrationLocationCharger(Base):
    __tablename__ = "integration_location_chargers"

    location_id: Mapped[str] = mapped_column(
        ForeignKey("integration_locations.id", ondelete="CASCADE"), primary_key=True
    )
    charger_id: Mapped[str] = mapped_column(
        ForeignKey("chargers.charger_id", ondelete="CASCADE"), primary_key=True, index=True
    )
