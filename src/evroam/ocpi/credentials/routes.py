"""Credentials module routes, 2.2.1 and 2.1.1 (ocpi-notes §5.2): GET, POST, PUT, DELETE with the 405 rules.

The body is read after the token check (bodies.py); the work is in credentials_service.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from evroam.api.deps import RuntimeDep
from evroam.ocpi.credentials import service as credentials_service
from evroam.ocpi.credentials.exchange_gate import ExchangeGate
from evroam.ocpi.protocol.auth import RegistrationCaller
from evroam.ocpi.protocol.bodies import read_json
from evroam.ocpi.protocol.envelope import CLIENT_ERROR, OcpiError, ocpi_response
from evroam.ocpi.modules import OUR_VERSIONS

router = APIRouter()

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "The client's Credentials object: {token, url, roles[]} on 2.2.1, flat on 2.1.1.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


# What the credentials resource takes in each registration state: the `Allow` of its 405s (RFC 9110 §15.5.6).
_ALLOWED_REGISTERED = "DELETE, GET, PUT"
_ALLOWED_UNREGISTERED = "GET, POST"


def _not_allowed(message: str, allowed: str) -> OcpiError:
    return OcpiError(CLIENT_ERROR, message, http_status=405, headers={"Allow": allowed})


def _gate(request: Request) -> ExchangeGate:
    """The app's exchange gate, made at its first exchange from the runtime's settings (no await between
    the look and the making, so two first exchanges cannot make two)."""
    state = request.app.state
    if not hasattr(state, "exchange_gate"):
        state.exchange_gate = ExchangeGate.from_settings(state.runtime.settings)
    return state.exchange_gate


def _credentials_routes(version: str) -> None:
    async def get_credentials(caller: RegistrationCaller, runtime: RuntimeDep):
        return ocpi_response(await credentials_service.our_credentials(runtime, caller, version))

    async def post_credentials(request: Request, caller: RegistrationCaller, runtime: RuntimeDep):
        if caller.is_registered:
            raise _not_allowed("Already registered: update the credentials with PUT", _ALLOWED_REGISTERED)
        payload = await read_json(request)
        return ocpi_response(await credentials_service.exchange(runtime, _gate(request), caller, version, payload))

    async def put_credentials(request: Request, caller: RegistrationCaller, runtime: RuntimeDep):
        if not caller.is_registered:
            raise _not_allowed("Not registered: register with POST first", _ALLOWED_UNREGISTERED)
        payload = await read_json(request)
        return ocpi_response(await credentials_service.exchange(runtime, _gate(request), caller, version, payload))

    async def delete_credentials(caller: RegistrationCaller, runtime: RuntimeDep):
        if not caller.is_registered:
            raise _not_allowed("Not registered: there is nothing to unregister", _ALLOWED_UNREGISTERED)
        await credentials_service.unregister(runtime, caller)
        return ocpi_response(None)

    path = f"/{version}/credentials"
    for route_path, documented in ((path, True), (path + "/", False)):
        common = {"include_in_schema": documented, "tags": [f"credentials {version}"]}
        router.add_api_route(route_path, get_credentials, methods=["GET"], name=f"get_credentials_{version}",
                             **common)
        router.add_api_route(route_path, post_credentials, methods=["POST"], openapi_extra=_BODY_DOC,
                             name=f"post_credentials_{version}", **common)
        router.add_api_route(route_path, put_credentials, methods=["PUT"], openapi_extra=_BODY_DOC,
                             name=f"put_credentials_{version}", **common)
        router.add_api_route(route_path, delete_credentials, methods=["DELETE"],
                             name=f"delete_credentials_{version}", **common)


for _version in OUR_VERSIONS:
    _credentials_routes(_version)
