"""HTTP for POST /api/v2/cpo/chargers/{chargerId}/events: thin, the work is in flows.ingest."""

from __future__ import annotations

from fastapi import APIRouter

from evroam.api.deps import OperatorId, SessionDep
from evroam.charging.events import flows
from evroam.charging.events.schemas import EventBatch, EventResults
from evroam.network.chargers.routes import ChargerId

router = APIRouter(prefix="/chargers", tags=["charger events"])


@router.post("/{chargerId}/events", response_model=EventResults)
async def post_events(charger_id: ChargerId, body: EventBatch, session: SessionDep, operator_id: OperatorId) -> EventResults:
    """What the charger reported (status changes, session start, meter values, session stop), in any order and
    as often as needed: each `eventId` is stored once (a repeat answers `duplicate`), and every session an event
    belongs to is rebuilt from all its events in event time. A bad event refuses the whole batch (400 naming
    it); nothing of it is stored.
    """
    return await flows.ingest(session, operator_id, charger_id, body)
