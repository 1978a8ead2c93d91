"""The reservations' reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.reservations.models import ACTIVE, Reservation


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
