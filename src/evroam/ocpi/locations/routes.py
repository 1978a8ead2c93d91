"""Locations Sender interface (we serve), 2.2.1 and 2.1.1: `/ocpi/{version}/locations`.

A partner sees the locations published to its own integration, as the publication ledger holds them;
withdrawn ones are still listed with every EVSE REMOVED (OCPI never deletes a location). Locations
with `publish` false are served too: the eMSP shows them only to the tokens in `publish_allowed_to`.
Another integration's location is unknown here: HTTP 404, OCPI 2003.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.api.deps import SessionDep
from evroam.publication.ledger import published_document
from evroam.ocpi.protocol.auth import PartnerCaller
from evroam.ocpi.protocol.envelope import UNKNOWN_OBJECT, OcpiError, ocpi_response
from evroam.ocpi.modules import LOCATIONS, module
from evroam.ocpi.protocol.pagination import object_envelope, require_module, sender_router


def locations_router(version: str) -> APIRouter:
    router = sender_router(version, LOCATIONS)

    @router.get("/{location_id}", summary="One location")
    async def get_location(location_id: str, caller: PartnerCaller, session: SessionDep) -> Response:
        document = await _location(session, require_module(caller, version, LOCATIONS), location_id)
        return Response(object_envelope(document), media_type="application/json")

    @router.get("/{location_id}/{evse_uid}", summary="One EVSE of a location")
    async def get_evse(location_id: str, evse_uid: str, caller: PartnerCaller, session: SessionDep) -> Response:
        document = await _location(session, require_module(caller, version, LOCATIONS), location_id)
        return ocpi_response(_evse(document, evse_uid))

    @router.get("/{location_id}/{evse_uid}/{connector_id}", summary="One connector of an EVSE")
    async def get_connector(
        location_id: str, evse_uid: str, connector_id: str, caller: PartnerCaller, session: SessionDep
    ) -> Response:
        document = await _location(session, require_module(caller, version, LOCATIONS), location_id)
        evse = _evse(document, evse_uid)
        connector = _find(evse.get("connectors", []), "id", connector_id)
        if connector is None:
            raise OcpiError(UNKNOWN_OBJECT, f"Unknown connector {connector_id} of EVSE {evse_uid}", 404)
        return ocpi_response(connector)

    return router


async def _location(session: AsyncSession, integration_id: str, location_id: str) -> bytes:
    document = await published_document(session, integration_id, LOCATIONS, location_id)
    if document is None:
        raise OcpiError(UNKNOWN_OBJECT, f"Unknown location {location_id}", 404)
    return document


def _evse(location: bytes, evse_uid: str) -> dict[str, Any]:
    evse = _find(orjson.loads(location).get("evses", []), "uid", evse_uid)
    if evse is None:
        raise OcpiError(UNKNOWN_OBJECT, f"Unknown EVSE {evse_uid}", 404)
    return evse


def _find(items: list[dict[str, Any]], key: str, wanted: str) -> dict[str, Any] | None:
    """OCPI ids are CiString: compared without regard to case."""
    return next((item for item in items if str(item[key]).lower() == wanted.lower()), None)


routers = [locations_router(version) for version in module(LOCATIONS).versions]
