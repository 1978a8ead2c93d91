"""The outbox: pushes to partners, written in the same transaction as the change that caused them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, UtcDateTime, utcnow

PENDING = "PENDING"  # waiting for its first attempt
IN_FLIGHT = "IN_FLIGHT"  # leased by a worker; a lease that runs out makes the row claimable again
RETRYING = "RETRYING"  # failed at least once; tried again at next_attempt_at
DELIVERED = "DELIVERED"
SUPERSEDED = "SUPERSEDED"  # a later full PUT (or DELETE) of the same object made it pointless
WAITING = (PENDING, RETRYING)
OPEN = (PENDING, RETRYING, IN_FLIGHT)
STATUSES = (PENDING, IN_FLIGHT, RETRYING, DELIVERED, SUPERSEDED)


class Delivery(Base):
    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        Index("ix_outbox_deliveries_due", "status", "next_attempt_at"),
        # FIFO per object: a row is only claimable when no earlier open row of its object exists.
        Index("ix_outbox_deliveries_object", "integration_id", "module", "object_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.integration_id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(16))
    # The top-level object (location or tariff id): the unit of ordering and coalescing.
    object_id: Mapped[str] = mapped_column(String(36))
    method: Mapped[str] = mapped_column(String(6))
    # Below the partner's receiver endpoint, e.g. /FI/EVR/{location_id}/{evse_uid}; the endpoint itself
    # is looked up when delivering, so a partner that moves its endpoints still gets the row.
    path: Mapped[str] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
