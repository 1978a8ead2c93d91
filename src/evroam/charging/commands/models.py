"""Commands partners send to the operator's chargers (their reservations: charging/reservations).

A command is kept from the moment evroam accepts it until its result reached the partner: the charger
side (a CSMS through the management API, or the OCPP gateway) takes it while PENDING and answers it;
a command nobody answers by its deadline is TIMED_OUT. Its status moves once, from PENDING, in an UPDATE
that checks it still is PENDING: the database decides which of an answer and a time-out came first, so
the partner is told exactly one result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow

PENDING = "PENDING"  # accepted, waiting for the charger side's answer
ANSWERED = "ANSWERED"  # the charger side answered; its result goes to the partner
TIMED_OUT = "TIMED_OUT"  # nobody answered by the deadline; the partner is told TIMEOUT
STATUSES = (PENDING, ANSWERED, TIMED_OUT)


class Command(Base):
    __tablename__ = "commands"
    __table_args__ = (
        Index("ix_commands_status_deadline", "status", "deadline"),
        Index("ix_commands_charger_created", "charger_id", "created_at"),
        Index("ix_commands_operator_created", "operator_id", "created_at"),
    )

    # Ours (a UUID): two identical commands of a partner are still two commands.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.integration_id", ondelete="CASCADE"),
                                                index=True)
    # START_SESSION, STOP_SESSION, RESERVE_NOW, CANCEL_RESERVATION or UNLOCK_CONNECTOR; or a charging
    # profile request: SET_CHARGING_PROFILE, GET_ACTIVE_CHARGING_PROFILE or CLEAR_PROFILE.
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    # Our implementation the partner spoke (2.2.1 or 2.1.1): the shape of the result it is sent.
    ocpi_version: Mapped[str] = mapped_column(String(8))
    # Where the result is POSTed (the partner's word: it passes the outbound guard when called).
    response_url: Mapped[str] = mapped_column(Text)
    # The party that asked (a hub's eMSP may not be the integration's own party): the result's addressee.
    requester_country_code: Mapped[str | None] = mapped_column(String(2))
    requester_party_id: Mapped[str | None] = mapped_column(String(3))
    charger_id: Mapped[str] = mapped_column(ForeignKey("chargers.charger_id", ondelete="CASCADE"))
    socket_id: Mapped[int | None] = mapped_column(Integer)
    location_id: Mapped[str | None] = mapped_column(String(36))
    evse_uid: Mapped[str | None] = mapped_column(String(36))
    connector_id: Mapped[str | None] = mapped_column(String(36))
    # START_SESSION and RESERVE_NOW: the driver's token (2.2.1 shape) and the authorization they carry.
    token: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    id_tag: Mapped[str | None] = mapped_column(String(36))
    authorization_reference: Mapped[str | None] = mapped_column(String(36))
    # Profile requests: the profile to set (OCPI ChargingProfile), the duration asked for (seconds), and
    # the charger side's ActiveChargingProfile answer. A RESERVE_NOW replacing an active reservation: what
    # that reservation held (`replaces`), given back if the charger refuses the replacement.
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    # STOP_SESSION and profile requests: the session and the charger's transaction.
    session_id: Mapped[str | None] = mapped_column(String(36))
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    # RESERVE_NOW and CANCEL_RESERVATION: our reservation id (the charger's reservationId).
    reservation_id: Mapped[int | None] = mapped_column(Integer)
    expiry_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # An OCPI CommandResultType (TIMEOUT when timed out) and the charger side's words.
    result: Mapped[str | None] = mapped_column(String(24))
    message: Mapped[str | None] = mapped_column(Text)
