"""Charging sessions: one per charger and transaction, rebuilt from the charger's events.

The row holds the domain state (status, attribution, meter, energy, cost) for the management API and the
OCPI Session document it makes for the integration it is attributed to, which the sessions publisher and
the CDR builder read as it is.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow

# Wh and kWh to the milliwatt-hour; money to 1/10,000 of the currency unit (the engine's exact figures
# are rounded only here, where they are stored).
Energy = Numeric(16, 6)
Amount = Numeric(16, 4)
ENERGY_STEP = Decimal("0.000001")
AMOUNT_STEP = Decimal("0.0001")


def rounded_amount(value: Decimal) -> Decimal:
    """Money as stored and shown: half up, as the engine rounds the Session's and the CDR's amounts, so the
    operator sees what partners see."""
    return value.quantize(AMOUNT_STEP, ROUND_HALF_UP)


class ChargingSession(Base):
    __tablename__ = "charging_sessions"
    __table_args__ = (
        UniqueConstraint("charger_id", "transaction_id"),
        Index("ix_charging_sessions_operator_start", "operator_id", "start_date_time"),
        Index("ix_charging_sessions_status", "status", "created_at"),
        # The sessions at a socket still open or ended after a moment (a status it reported): read on every
        # status, which would otherwise go through every session the charger ever had.
        Index("ix_charging_sessions_socket_end", "charger_id", "socket_id", "end_date_time"),
    )

    # The OCPI Session id (a UUID, CiString(36)).
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    charger_id: Mapped[str] = mapped_column(ForeignKey("chargers.charger_id", ondelete="CASCADE"))
    transaction_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(Integer, index=True)
    socket_id: Mapped[int | None] = mapped_column(Integer)
    # PENDING, ACTIVE, COMPLETED or INVALID.
    status: Mapped[str] = mapped_column(String(16))
    # A PENDING session that never started was timed out (it stays INVALID unless its start arrives).
    timed_out: Mapped[bool] = mapped_column(Boolean, default=False)
    id_tag: Mapped[str | None] = mapped_column(String(36))
    authorization_reference: Mapped[str | None] = mapped_column(String(36))
    # The integration whose token pays for the session (None: nobody's, it is not reported to a partner).
    integration_id: Mapped[str | None] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="SET NULL"), index=True
    )
    # AUTH_REQUEST (decided by the eMSP in real time), COMMAND (its START_SESSION) or WHITELIST.
    auth_method: Mapped[str | None] = mapped_column(String(16))
    start_date_time: Mapped[datetime] = mapped_column(UtcDateTime)
    end_date_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    meter_start_wh: Mapped[Decimal | None] = mapped_column(Energy)
    meter_stop_wh: Mapped[Decimal | None] = mapped_column(Energy)
    kwh: Mapped[Decimal] = mapped_column(Energy, default=Decimal(0))
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str | None] = mapped_column(String(3))
    tariff_id: Mapped[str | None] = mapped_column(String(36))
    # The tariff document as published to the integration when the session started (what it is priced by).
    tariff: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    # The engine's cost breakdown (CostField names -> {excl_vat, incl_vat}), None without a tariff.
    costs: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    total_cost_excl_vat: Mapped[Decimal | None] = mapped_column(Amount)
    total_cost_incl_vat: Mapped[Decimal | None] = mapped_column(Amount)
    # The OCPI 2.2.1 Session document for the integration (None while the session is nobody's).
    document: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
