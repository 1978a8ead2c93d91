"""The gateway's own tables: the transaction ids it hands out, which connection holds each charger and
which processes are alive to hold them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, UtcDateTime, utcnow


class OcppTransaction(Base):
    """One row per StartTransaction: its key is the transactionId the charger gets (OCPP wants an integer
    chosen by the CSMS). The database's sequence hands it out, so two processes never give the same one;
    SQLite's AUTOINCREMENT never reuses the id of a deleted row either."""

    __tablename__ = "ocpp_transactions"
    # A StartTransaction re-sent after a lost answer (same charger, connector and start) gets its first id.
    __table_args__ = (UniqueConstraint("charger_id", "connector_id", "started_at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    charger_id: Mapped[str] = mapped_column(ForeignKey("chargers.charger_id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)
    id_tag: Mapped[str] = mapped_column(String(36))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    meter_start_wh: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    # The idTagInfo status given at the start: a re-sent StartTransaction gets the same answer.
    id_tag_status: Mapped[str] = mapped_column(String(16))
    # For chargers that report Energy.Active.Import.Interval instead of the register: the energy of the
    # intervals counted so far and the time of the last one, so a re-sent interval is not counted twice.
    interval_energy_wh: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    interval_through: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OcppConnection(Base):
    """The WebSocket that holds a charger now (or held it last): a close only counts if it is still the
    charger's connection, since a charger may reconnect (to any process) before its old socket is seen
    to close."""

    __tablename__ = "ocpp_connections"

    charger_id: Mapped[str] = mapped_column(
        ForeignKey("chargers.charger_id", ondelete="CASCADE"), primary_key=True
    )
    connection_id: Mapped[str] = mapped_column(String(36))
    # The process holding it (OcppProcess); null for connections opened before processes were recorded.
    process_id: Mapped[str | None] = mapped_column(String(36))
    connected_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disconnected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OcppProcess(Base):
    """An evroam process holding chargers' WebSockets and when it last said it was alive. A process that
    dies closes no socket: its connections would show connected forever, so those of a process silent for
    too long are swept as closed (liveness.py)."""

    __tablename__ = "ocpp_processes"

    process_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
