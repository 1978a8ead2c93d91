"""A batch of charger events, in one transaction: checked whole, stored once each, the sockets' statuses
set, and every session an accepted event touches rebuilt from all its events.

A session started on a partner's command (`commandId`) or reservation (`reservationId`) takes the command's
authorization reference; the reservation is taken up (reservations/service.py).
Nothing of a bad batch is stored (the checks come first); a batch posted twice, even at the same time,
stores each event once (the unique (charger, eventId)) and rebuilds from what is stored, so the second
post changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.commands import service as commands
from evroam.charging.events import service
from evroam.charging.events.schemas import EventBatch, EventResult, EventResults, StatusChanged
from evroam.charging.reservations import service as reservations
from evroam.charging.sessions import flows as session_flows
from evroam.charging.sessions import service as session_service


async def ingest(session: AsyncSession, operator_id: int, charger_id: str, batch: EventBatch) -> EventResults:
    charger = await service.charger(session, operator_id, charger_id)
    service.check_sockets(charger, batch.events)
    events = await commands.with_command_references(session, charger.charger_id, batch.events)
    events = await reservations.take_up(session, charger, events)
    stored = await service.store(session, charger.charger_id, events)
    await service.apply_statuses(session, charger, stored.accepted)
    first_seen = {}
    for event in stored.accepted:
        transaction_id = getattr(event, "transaction_id", None)
        if transaction_id is not None:
            first_seen[transaction_id] = min(event.time, first_seen.get(transaction_id, event.time))
    # A status while a session lasted may switch it between charging and parking.
    for event in stored.accepted:
        if isinstance(event, StatusChanged):
            for transaction_id in await session_service.sessions_during(
                session, charger.charger_id, event.socket_id, event.time
            ):
                first_seen.setdefault(transaction_id, event.time)
    # In one order, so two batches touching the same sessions lock them alike and never deadlock.
    for transaction_id in sorted(first_seen):
        await session_flows.rebuild(session, charger, transaction_id, first_seen[transaction_id])
    await session.commit()
    # The answer is about the charger's own events, not the statuses recorded on its behalf after them.
    own = stored.results[:len(batch.events)]
    return EventResults(results=[EventResult(event_id=event_id, result=result) for event_id, result in own])
