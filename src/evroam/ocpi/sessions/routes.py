"""Sessions Sender interface (we serve), 2.2.1 and 2.1.1: `/ocpi/{version}/sessions`.

A partner sees the sessions of its own integration, as the publication ledger holds them (each in the
partner's version, ocpi/sessions/mapping.py). The specification lists `date_from` as required; a list
GET without it is answered from the first session all the same, as every other Sender list is: the
filter only narrows, and refusing would fail an eMSP that re-reads everything.

2.2.1 adds `PUT {session_id}/charging_preferences`. evroam has no smart charging that could plan a
session by a driver's departure time, energy need or profile, so a valid request about a session the
partner sees is answered NOT_POSSIBLE (ChargingPreferencesResponse): preferences are never honoured,
and never half-honoured. A body that is no ChargingPreferences answers 2001, an unknown session 2003
(HTTP 404).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from evroam.api.deps import SessionDep
from evroam.ocpi.modules import SESSIONS, V211, module
from evroam.ocpi.protocol.auth import PartnerCaller
from evroam.ocpi.protocol.bodies import read_json, validated
from evroam.ocpi.protocol.envelope import UNKNOWN_OBJECT, OcpiError, ocpi_response
from evroam.ocpi.protocol.pagination import require_module, sender_router
from evroam.ocpi.sessions.mapping import NOT_POSSIBLE, ChargingPreferences
from evroam.publication.ledger import published_document


def sessions_router(version: str) -> APIRouter:
    router = sender_router(version, SESSIONS)
    if version == V211:
        return router  # 2.1.1 has no charging preferences

    @router.put("/{session_id}/charging_preferences", summary="Set the driver's charging preferences")
    async def put_charging_preferences(
        session_id: str, request: Request, caller: PartnerCaller, session: SessionDep
    ) -> Response:
        integration_id = require_module(caller, version, SESSIONS)
        validated(ChargingPreferences, await read_json(request))
        if await published_document(session, integration_id, SESSIONS, session_id) is None:
            raise OcpiError(UNKNOWN_OBJECT, f"Unknown session {session_id}", 404)
        return ocpi_response(NOT_POSSIBLE)

    return router


routers = [sessions_router(version) for version in module(SESSIONS).versions]
