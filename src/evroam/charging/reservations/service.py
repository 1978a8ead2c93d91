"""The reservations' reads and writes, and what a session begun on a reservation does to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.events.schemas import ChargerEventIn, SessionStarted, StatusChanged
from evroam.charging.reservations.models import ACTIVE, EXPIRED, USED, Reservation
from evroam.network.chargers.models import Charger

# The socket statuses evroam records on the charger's behalf (reservations/flows.py shows them).
RESERVED, FREE = "Reserved", "Available"


async def reservation(session: AsyncSession, integration_id: str, partner_reservation_id: str) -> Reservation | None:
    return await session.scalar(
        select(Reservation).where(Reservation.integration_id == integration_id,
                                  Reservation.partner_reservation_id == partner_reservation_id)
    )


# What a replacing RESERVE_NOW changes of a reservation.
_REPLACED = ("charger_id", "socket_id", "location_id", "evse_uid", "id_tag", "expiry_date")


async def reserve(session: AsyncSession, wanted: Reservation) -> tuple[Reservation, dict[str, Any] | None]:
    """The eMSP's reservation, replacing an earlier one with the same id (it keeps our id, so the charger
    replaces it too); two at once with one id make one row (the unique key decides). Also what an ACTIVE
    reservation it replaced held (`replaced`), which the charger keeps should it refuse the new one."""
    for _ in range(2):
        existing = await reservation(session, wanted.integration_id, wanted.partner_reservation_id)
        if existing is not None:
            held = replaced(existing) if existing.status == ACTIVE else None
            for field in _REPLACED:
                setattr(existing, field, getattr(wanted, field))
            existing.status, existing.last_updated = ACTIVE, wanted.last_updated
            await session.flush()
            return existing, held
        try:
            async with session.begin_nested():
                session.add(wanted)
            return wanted, None
        except IntegrityError:
            continue  # the other transaction inserted it first: replace theirs
    raise RuntimeError("reservation could be neither inserted nor found")


def replaced(reserved: Reservation) -> dict[str, Any]:
    """The reservation's place and terms as JSON (kept on the replacing command)."""
    held = {field: getattr(reserved, field) for field in _REPLACED}
    held["expiry_date"] = reserved.expiry_date.isoformat()
    return held


def restore(reserved: Reservation, held: dict[str, Any], now: datetime) -> None:
    """Gives the reservation back what it held before a replacement the charger refused."""
    for field in _REPLACED:
        setattr(reserved, field, held[field])
    reserved.expiry_date = datetime.fromisoformat(held["expiry_date"])
    reserved.status, reserved.last_updated = ACTIVE, now


async def used_reservation(session: AsyncSession, charger_id: str, reservation_id: int) -> Reservation | None:
    """The reservation a session at this charger began on, once taken up."""
    reserved = await session.get(Reservation, reservation_id)
    if reserved is None or reserved.charger_id != charger_id or reserved.status != USED:
        return None
    return reserved


async def take_up(session: AsyncSession, charger: Charger, events: Sequence[ChargerEventIn]) -> list[ChargerEventIn]:
    """Marks USED each reservation of this charger a SessionStarted names (`reservationId`, ours) and began
    on by its expiry_date (also one the expiry job ended meanwhile: the charger's events may come late):
    it no longer expires. Returns the events and, for a reserved socket still showing Reserved (evroam
    showed it so on the charger's behalf, and a CSMS may report nothing else), its status from the start
    on: Charging where the session is, Available where the driver went elsewhere."""
    statuses = {socket.socket_id: socket.status for socket in charger.sockets}
    taken: list[ChargerEventIn] = []
    for event in events:
        if not isinstance(event, SessionStarted) or event.reservation_id is None:
            continue
        reserved = await session.get(Reservation, event.reservation_id, with_for_update=True)
        if (reserved is None or reserved.charger_id != charger.charger_id or reserved.status not in (ACTIVE, EXPIRED)
                or reserved.expiry_date < event.time):
            continue
        reserved.status, reserved.last_updated = USED, event.time
        if statuses.get(reserved.socket_id) == RESERVED:
            status = "Charging" if reserved.socket_id == event.socket_id else FREE
            taken.append(StatusChanged.model_validate({
                "eventId": f"reservation-{reserved.id}-used", "type": "StatusChanged", "time": event.time.isoformat(),
                "socketId": reserved.socket_id, "status": status}))
    return [*events, *taken]
