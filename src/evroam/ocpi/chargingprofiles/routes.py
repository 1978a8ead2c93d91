"""ChargingProfiles Receiver interface (we serve, 2.2.1): `PUT`, `GET` and `DELETE
/ocpi/2.2.1/chargingprofiles/{session_id}` (ocpi-notes §12.7).

Each answers at once with a ChargingProfileResponse; the charger's answer goes to the `response_url`
later (`charging/charging_profiles`). Only the partner's own session under way can be shaped:
UNKNOWN_SESSION for any other, REJECTED for one that ended.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from evroam.api.deps import RuntimeDep, SessionDep
from evroam.charging.charging_profiles import flows
from evroam.ocpi.chargingprofiles.mapping import SetChargingProfile, profile_document, profile_response
from evroam.ocpi.modules import CHARGINGPROFILES, V221
from evroam.ocpi.protocol.auth import Caller, PartnerCaller
from evroam.ocpi.protocol.bodies import read_json, validated
from evroam.ocpi.protocol.client import partner_party
from evroam.ocpi.protocol.envelope import ocpi_response
from evroam.ocpi.protocol.pagination import require_module
from evroam.ocpi.protocol.routing_headers import addressed_party

router = APIRouter(prefix=f"/{V221}/{CHARGINGPROFILES}", tags=[f"{CHARGINGPROFILES} {V221}"])
SessionId = Annotated[str, Path(max_length=36, description="The Session whose profile is meant")]
ResponseUrl = Annotated[str, Query(min_length=1, max_length=512, description="Where the result is POSTed")]


async def _take(session, runtime, request: Request, caller: Caller, request_type: str, session_id: str,
                response_url: str, details: dict | None) -> Response:
    require_module(caller, V221, CHARGINGPROFILES)
    requester = addressed_party(request.headers, "from") or partner_party(caller.integration)
    verdict = await flows.accept(session, runtime, caller.integration, requester, request_type, V221, session_id,
                                 response_url, details)
    await session.commit()
    return ocpi_response(profile_response(verdict, runtime.settings.command_timeout),
                         message="Success" if verdict.result == "ACCEPTED" else verdict.message)


@router.put("/{session_id}", summary="Set the charging profile of the partner's session")
async def set_profile(session_id: SessionId, request: Request, caller: PartnerCaller, session: SessionDep,
                      runtime: RuntimeDep) -> Response:
    body = validated(SetChargingProfile, await read_json(request))
    return await _take(session, runtime, request, caller, "SET_CHARGING_PROFILE", session_id, body.response_url,
                       {"charging_profile": profile_document(body.charging_profile)})


@router.get("/{session_id}", summary="Ask for the active charging profile of the partner's session")
async def get_profile(session_id: SessionId, request: Request, caller: PartnerCaller, session: SessionDep,
                      runtime: RuntimeDep, response_url: ResponseUrl,
                      duration: Annotated[int, Query(ge=0, le=86_400, description="Seconds of profile asked for")]) -> Response:
    return await _take(session, runtime, request, caller, "GET_ACTIVE_CHARGING_PROFILE", session_id, response_url,
                       {"duration": duration})


@router.delete("/{session_id}", summary="Clear the charging profile of the partner's session")
async def clear_profile(session_id: SessionId, request: Request, caller: PartnerCaller, session: SessionDep,
                        runtime: RuntimeDep, response_url: ResponseUrl) -> Response:
    return await _take(session, runtime, request, caller, "CLEAR_PROFILE", session_id, response_url, None)
