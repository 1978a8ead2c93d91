"""HTTP for /api/v2/cpo/integrations/{integrationId}/resync: pushing a partner again what it lost."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from evroam.api.deps import OperatorId, SessionDep
from evroam.integrations.resync.schemas import ResyncQueued, ResyncRequest
from evroam.publication import resync

router = APIRouter(prefix="/integrations/{integrationId}/resync", tags=["integrations"])
IntegrationId = Annotated[str, Path(alias="integrationId", min_length=1, max_length=36)]


@router.post("", status_code=202, response_model=ResyncQueued)
async def resync_integration(
    integration_id: IntegrationId, body: ResyncRequest, session: SessionDep, operator_id: OperatorId
) -> ResyncQueued:
    """Queues again, whole, every document of the given modules published to the partner (last updated at
    or after `from`): locations, tariffs and sessions as a full PUT (withdrawn locations as served, every
    EVSE REMOVED; withdrawn tariffs not at all), CDRs POSTed again. 400 names a module that is unknown or
    not pushed to this partner, and why. The deliveries endpoint shows the rows as they go out."""
    queued = await resync.resync(session, operator_id, integration_id, body.modules, body.date_from)
    return ResyncQueued(queued=queued)
