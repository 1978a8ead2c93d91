"""Commands Receiver interface (we serve), 2.2.1 and 2.1.1: `POST /ocpi/{version}/commands/{command}`
(ocpi-notes §12.6).

The answer comes at once: a CommandResponse saying whether evroam takes the command and passes it on
to the charger, never what the charger did (that goes to the `response_url` later). A location that is
not the partner's is OCPI 2003 with a REJECTED CommandResponse, as the specification's diagram has it;
anything else evroam cannot act on is a REJECTED (or UNKNOWN_SESSION) answer naming the field. A body
that is not the command's object is 2001, and nothing is kept.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from evroam.api.deps import RuntimeDep, SessionDep
from evroam.charging.commands import flows
from evroam.charging.commands.records import COMMAND_TYPES, CommandRequest, Verdict
from evroam.ocpi.commands.mapping import COMMANDS_211, command_model, command_response, request_of
from evroam.ocpi.commands.targets import UnknownLocation
from evroam.ocpi.modules import COMMANDS, V211, module
from evroam.ocpi.protocol.auth import Caller, PartnerCaller
from evroam.ocpi.protocol.bodies import read_json, validated
from evroam.ocpi.protocol.client import Party, partner_party
from evroam.ocpi.protocol.envelope import INVALID_PARAMETERS, UNKNOWN_OBJECT, OcpiError, ocpi_response
from evroam.ocpi.protocol.pagination import require_module
from evroam.ocpi.protocol.routing_headers import addressed_party
from evroam.ocpi.tokens.mapping import PATTERN_PROBLEMS
from evroam.ocpi.tokens.owners import registered_parties, token_owners


def _refused_token(caller: Caller, version: str, request: CommandRequest) -> Verdict | None:
    """A 2.2.1 token must be of a party this connection speaks for: the session it starts is billed to it."""
    if request.token is None or version == V211:
        return None
    party = Party(request.token["country_code"], request.token["party_id"])
    if party in token_owners(caller.integration):
        return None
    return Verdict.rejected(f"token: {party.country_code}/{party.party_id} is not a party this connection "
                            "stands for")


def commands_router(version: str) -> APIRouter:
    router = APIRouter(prefix=f"/{version}/{COMMANDS}", tags=[f"{COMMANDS} {version}"])
    offered = COMMANDS_211 if version == V211 else COMMAND_TYPES

    @router.post("/{command}", summary="The eMSP sends a command for one of our chargers")
    async def post_command(
        request: Request, caller: PartnerCaller, session: SessionDep, runtime: RuntimeDep,
        command: str = Path(description=" | ".join(offered)),
    ) -> Response:
        require_module(caller, version, COMMANDS)
        model = command_model(command, version)
        if model is None:
            raise OcpiError(INVALID_PARAMETERS, f"command: {command!r} is not a command of OCPI {version}: one of "
                                                f"{', '.join(offered)}", http_status=404)
        body = validated(model, await read_json(request), PATTERN_PROBLEMS)
        parties = registered_parties(caller.integration)
        requester = addressed_party(request.headers, "from") or partner_party(caller.integration)
        token_party = parties[0] if parties else requester
        try:
            wanted = request_of(command, body, (token_party.country_code, token_party.party_id) if token_party else None)
        except ValueError as exc:  # a 2.1.1 token of a partner that registered no party
            raise OcpiError(INVALID_PARAMETERS, f"token: {exc}") from exc
        timeout = runtime.settings.command_timeout
        verdict = _refused_token(caller, version, wanted)
        if verdict is None:
            try:
                verdict = await flows.accept(session, runtime, caller.integration, requester, version, wanted)
            except UnknownLocation as exc:
                return ocpi_response(command_response(Verdict.rejected(str(exc)), version, timeout), UNKNOWN_OBJECT,
                                     str(exc), http_status=404)
        await session.commit()
        return ocpi_response(command_response(verdict, version, timeout),
                             message="Success" if verdict.result == "ACCEPTED" else verdict.message)

    return router


routers = [commands_router(version) for version in module(COMMANDS).versions]
