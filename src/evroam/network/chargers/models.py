"""Tables of chargers and their sockets (sockets live with their charger)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, ForeignKeyConstraint, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow


class Charger(Base):
    __tablename__ = "chargers"

    # chargerId is globally unique by definition (e.g. EMABLER_Charger12345), so it is the key itself.
    charger_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    evse_id: Mapped[str | None] = mapped_column(String(48))
    split_evse_by_socket: Mapped[bool] = mapped_column(Boolean, default=True)
    active_connection: Mapped[bool] = mapped_column(Boolean, default=True)
    capabilities: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    model: Mapped[str | None] = mapped_column(String(100))
    manufacturer: Mapped[str | None] = mapped_column(String(100))
    firmware_version: Mapped[str | None] = mapped_column(String(50))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    # The OCPP security profile 1 password (HTTP Basic at the gateway's handshake), hashed; none refuses
    # the charger's connections.
    ocpp_password_hash: Mapped[str | None] = mapped_column(String(64))
    charger_group_id: Mapped[int | None] = mapped_column(Integer)
    charger_group_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    sockets: Mapped[list[Socket]] = relationship(
        back_populates="charger",
        cascade="all, delete-orphan",
        order_by="Socket.socket_id",
        lazy="selectin",
    )


class Socket(Base):
    __tablename__ = "sockets"
    __table_args__ = (ForeignKeyConstraint(["charger_id"], ["chargers.charger_id"], ondelete="CASCADE"),)

    charger_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    socket_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(16))
    power_type: Mapped[str] = mapped_column(String(16))
    # kW, as operators speak of chargers; OCPI's max_electric_power (W) is derived from it.
    max_power: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    max_voltage: Mapped[int | None] = mapped_column(Integer)
    max_amperage: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="Available")
    status_updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    evse_id: Mapped[str | None] = mapped_column(String(48))

    charger: Mapped[Charger] = relationship(back_populates="sockets")
