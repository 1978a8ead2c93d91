"""Reservations partners make with RESERVE_NOW.

A reservation maps the eMSP's reservation id to an integer of our own (OCPP's `reservationId`): the
charger never sees an eMSP's id, so one eMSP cannot touch another's reservation (ocpi-notes §12.6).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, UtcDateTime, utcnow

ACTIVE, CANCELLED, EXPIRED = "ACTIVE", "CANCELLED", "EXPIRED"
USED = "USED"  # a session began on it (SessionStarted named it): it neither expires nor frees its socket


class Reservation(Base):
    __tablename__ = "reservations"
    # One reservation per eMSP reservation id: a RESERVE_NOW reusing it replaces the reservation.
    __table_args__ = (UniqueConstraint("integration_id", "partner_reservation_id"),)

    # The reservationId the charger receives: unique at the operator, never the eMSP's.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.integration_id", ondelete="CASCADE"))
    partner_reservation_id: Mapped[str] = mapped_column(String(36))
    charger_id: Mapped[str] = mapped_column(ForeignKey("chargers.charger_id", ondelete="CASCADE"))
    socket_id: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[str] = mapped_column(String(36))
    evse_uid: Mapped[str] = mapped_column(String(36))
    id_tag: Mapped[str] = mapped_column(String(36))
    expiry_date: Mapped[datetime] = mapped_column(UtcDateTime)
    # ACTIVE, CANCELLED, EXPIRED (the periodic job ends an ACTIVE one at its expiry_date) or USED.
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
