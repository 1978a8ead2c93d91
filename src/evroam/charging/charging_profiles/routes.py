"""HTTP for a session's active charging profile, as the charger side reports it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from evroam.api.deps import OperatorId, SessionDep
from evroam.charging.charging_profiles import flows
from evroam.charging.charging_profiles.schemas import ActiveChargingProfileIn, ActiveProfileOut

router = APIRouter(tags=["charging profiles"])


@router.put("/sessions/{sessionId}/active-charging-profile", response_model=ActiveProfileOut,
            responses={404: {"description": "No such session of this operator"}})
async def report_active_profile(
    session_id: Annotated[str, Path(alias="sessionId", max_length=36)], body: ActiveChargingProfileIn,
    session: SessionDep, operator_id: OperatorId,
) -> ActiveProfileOut:
    """The charger's active profile for the session changed (after a SetChargingProfile, a clear, or its own
    limits): the partner that set a profile on the session is sent it."""
    charging, sent, reason = await flows.report_active_profile(session, operator_id, session_id, body.ocpi())
    return ActiveProfileOut(session_id=charging.id, integration_id=charging.integration_id, sent=sent, reason=reason)
