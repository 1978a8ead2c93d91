"""What a reservation does to its socket, for every partner: RESERVED while it holds, free again when it
ends (cancelled or expired).

The socket's status is the charger's to report, and it goes through the one ingest path for charger
events, as a StatusChanged evroam records on the charger's behalf. An OCPP charger reports the same on its
own (StatusNotification Reserved, then Available); the two agree, and a status that did not change is not
sent again. A reservation that ends gives the socket back only if it still shows Reserved: a driver who
plugged in meanwhile made it Preparing or Charging, which must stand.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from evroam.charging.reservations.models import ACTIVE, EXPIRED, Reservation
from evroam.charging.reservations.service import FREE, RESERVED
from evroam.charging.events import flows as events
from evroam.charging.events.schemas import EventBatch
from evroam.network.chargers.models import Socket
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

# How often the periodic job looks for reservations past their expiry_date.
EXPIRY_CHECK_EVERY = 15.0


async def show_status(
    runtime: Runtime, reserved: Reservation, status: str, why: str, place: tuple[str, int] | None = None
) -> None:
    """Records the socket's status for the reservation (FREE only while it still shows Reserved); `place`,
    (charger, socket), when that is not the reservation's own socket but one it moved away from."""
    charger_id, socket_id = place or (reserved.charger_id, reserved.socket_id)
    async with runtime.sessions() as session:
        current = await session.scalar(select(Socket.status).where(
            Socket.charger_id == charger_id, Socket.socket_id == socket_id))
        if current is None or (status == FREE and current != RESERVED):
            return
        event = {"eventId": f"reservation-{reserved.id}-{why}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}",
                 "type": "StatusChanged", "time": datetime.now(UTC).isoformat(), "socketId": socket_id,
                 "status": status}
        await events.ingest(session, reserved.operator_id, charger_id, EventBatch.model_validate({"events": [event]}))


async def expire_reservations(runtime: Runtime, now: datetime | None = None) -> int:
    """Ends the ACTIVE reservations past their expiry_date, freeing their sockets; how many."""
    now = now or datetime.now(UTC)
    async with runtime.sessions() as session:
        expired = list(await session.scalars(
            select(Reservation).where(Reservation.status == ACTIVE, Reservation.expiry_date <= now)
            .with_for_update(skip_locked=True)
        ))
        for reserved in expired:
            reserved.status, reserved.last_updated = EXPIRED, now
        await session.commit()
    for reserved in expired:
        log.info("reservation %s of %s expired", reserved.id, reserved.integration_id)
        await show_status(runtime, reserved, FREE, "expired")
    return len(expired)
