"""The reservations' reads and writes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.reservations.models import ACTIVE, Reservation


async def reservation(session: AsyncSession, integration_id: str, partner_reservation_id: str) -> Reservation | None:
    return await session.scalar(
        select(Reservation).where(Reservation.integration_id == integration_id,
                                  Reservation.partner_reservation_id == partner_reservation_id)
    )


async def reserve(session: AsyncSession, wanted: Reservation) -> Reservation:
    """The eMSP's reservation, replacing an earlier one with the same id (it keeps our id, so the charger
    replaces it too); two at once with one id make one row (the unique key decides)."""
    for _ in range(2):
        existing = await reservation(session, wanted.integration_id, wanted.partner_reservation_id)
        if existing is not None:
            for field in ("charger_id", "socket_id", "location_id", "evse_uid", "id_tag", "expiry_date",
                          "last_updated"):
                setattr(existing, field, getattr(wanted, field))
            existing.status = ACTIVE
            await session.flush()
            return existing
        try:
            async with session.begin_nested():
                session.add(wanted)
            return wanted
        except IntegrityError:
            continue  # the other transaction inserted it first: replace theirs
    raise RuntimeError("reservation could be neither inserted nor found")
