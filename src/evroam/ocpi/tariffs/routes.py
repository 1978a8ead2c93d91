"""Tariffs Sender interface (we serve), 2.2.1 and 2.1.1: `/ocpi/{version}/tariffs`.

A partner sees the PRICE tariffs linked to its integration, as the publication ledger holds them.
`GET /tariffs/{tariff_id}` is an evroam extension: the official Sender interface has only the list,
but the object is there anyway and a partner checking one tariff should not page through all of them.
"""

from __future__ import annotations


from fastapi import APIRouter
from fastapi.responses import Response

from evroam.api.deps import SessionDep
from evroam.publication.ledger import published_document
from evroam.ocpi.protocol.auth import PartnerCaller
from evroam.ocpi.protocol.envelope import UNKNOWN_OBJECT, OcpiError
from evroam.ocpi.modules import TARIFFS, module
from evroam.ocpi.protocol.pagination import object_envelope, require_module, sender_router


def tariffs_router(version: str) -> APIRouter:
    router = sender_router(version, TARIFFS)

    @router.get("/{tariff_id}", summary="One tariff (evroam extension)")
    async def get_tariff(tariff_id: str, caller: PartnerCaller, session: SessionDep) -> Response:
        integration_id = require_module(caller, version, TARIFFS)
        document = await published_document(session, integration_id, TARIFFS, tariff_id)
        if document is None:
            raise OcpiError(UNKNOWN_OBJECT, f"Unknown tariff {tariff_id}", 404)
        return Response(object_envelope(document), media_type="application/json")

    return router


routers = [tariffs_router(version) for version in module(TARIFFS).versions]
