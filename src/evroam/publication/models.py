"""The publication ledger: per integration, the OCPI documents that partner is meant to see.

One row per (integration, module, object): the document as JSON text in the integration's negotiated
OCPI version, the hash of its content without timestamps (so no-op changes are recognised without
parsing), its `last_updated`, and whether it was withdrawn. GET endpoints page over these rows and
pushes send the same text, so push and pull always agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime


class PublishedDocument(Base):
    __tablename__ = "published_documents"
    __table_args__ = (
        UniqueConstraint("integration_id", "module", "object_id"),
        # date_from/date_to filters; and the creation order pages are served in (stable across updates).
        Index("ix_published_documents_last_updated", "integration_id", "module", "last_updated"),
        Index("ix_published_documents_order", "integration_id", "module", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.integration_id", ondelete="CASCADE"))
    # "locations" or "tariffs" (OCPI module identifiers).
    module: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[str] = mapped_column(String(36))
    # The OCPI version the document is written in: a version change re-renders without a push.
    version: Mapped[str] = mapped_column(String(8))
    document: Mapped[str] = mapped_column(Text)
    # SHA-256 of the document without its last_updated stamps.
    content_hash: Mapped[str] = mapped_column(String(64))
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime)
    # Withdrawn from the integration: a location stays with every EVSE REMOVED (OCPI never deletes
    # locations), a tariff is no longer served (it was DELETEd at the partner).
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the document could not carry of the operator's data in this version (ocpi/fitting.py), as the
    # management API shows it; none is an empty list.
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list, server_default="[]")


class PublishedCharger(Base):
    """Which chargers each published location shows, so a charger change finds every location it is in,
    even after the charger moved to another site or was deleted."""

    __tablename__ = "published_chargers"

    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    charger_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class PublishedTotal(Base):
    """How many documents of a module each integration serves, kept by the ledger in the transaction that
    changes them, so a list page does not count 20,000 rows to fill X-Total-Count."""

    __tablename__ = "published_totals"

    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="CASCADE"), primary_key=True
    )
    module: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)
