"""The events chargers report (status changes, session start, meter values, session stop), kept as received.

They are the one source of truth for sessions: a session is rebuilt from all of its events whenever one
arrives, so an event that comes late or out of order is simply another row. A charger's `eventId` is
stored once (the unique constraint makes a batch posted twice at once a duplicate, not two rows).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evroam.charging.tokens.models import BigId
from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow


class ChargerEvent(Base):
    __tablename__ = "charger_events"
    __table_args__ = (
        UniqueConstraint("charger_id", "event_id"),
        # A session's events, and a socket's status events, in event time.
        Index("ix_charger_events_transaction", "charger_id", "transaction_id", "time"),
        Index("ix_charger_events_socket", "charger_id", "socket_id", "time"),
    )

    # Also the arrival order: events of the same time are applied in the order they arrived.
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    charger_id: Mapped[str] = mapped_column(ForeignKey("chargers.charger_id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    # StatusChanged, SessionStarted, MeterValues or SessionStopped.
    type: Mapped[str] = mapped_column(String(16))
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    socket_id: Mapped[int | None] = mapped_column(Integer)
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    # The event's other fields, camelCase as posted (numbers as strings: exact decimals).
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
