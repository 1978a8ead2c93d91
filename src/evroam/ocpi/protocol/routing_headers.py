"""OCPI-from/to routing headers on our 2.2.1 functional-module answers (ocpi-notes §2.5).

A request's TO, when it has one, must name the party we host for the calling partner: the operator its
integration belongs to. Our answer names that party in its FROM and the requesting party in its TO (the
request's FROM, else the partner's registered party), whatever the request claimed. Configuration modules
(`ocpi/modules.py`) never carry the headers, and 2.1.1 has none.

The check needs the caller, so it runs in the token check (`auth.partner_caller`); the headers go out
on whatever answer follows, errors included: the middleware leaves a slot in the request scope for
the check to fill, and copies what the slot holds onto the answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evroam.ocpi.modules import is_configuration
from evroam.ocpi.protocol.client import Party
from evroam.ocpi.protocol.envelope import INVALID_PARAMETERS, UNKNOWN_RECEIVER, OcpiError

# The scope key of the slot: a list of (name, value) headers for the answer, filled once the caller is known.
ANSWER_HEADERS = "evroam.ocpi.routing_headers"
# CiString(2) and CiString(3) (ocpi-notes §1): printable ASCII; the OpenAPI files fix the lengths exactly.
LENGTHS = {"country-code": 2, "party-id": 3}


def is_functional_221(path: str) -> bool:
    parts = [part for part in path.split("/") if part]
    # /ocpi/2.2.1/<module>/...; the mount may or may not leave /ocpi in the path.
    if parts and parts[0] == "ocpi":
        parts = parts[1:]
    return len(parts) >= 2 and parts[0] in ("2.2.1", "2.2") and not is_configuration(parts[1])


def _header(direction: str, part: str) -> str:
    return f"OCPI-{direction}-{part}"


def _well_formed(name: str, value: str, length: int) -> str:
    if len(value) != length or not all(" " <= char <= "~" for char in value):
        raise OcpiError(INVALID_PARAMETERS, f"{name}: must be {length} printable ASCII characters (CiString({length}))")
    return value.upper()


def addressed_party(headers: Mapping[str, str], direction: str) -> Party | None:
    """The party a request's `OCPI-{direction}-*` headers name (None: no such headers); 2001 when malformed."""
    values = {part: headers.get(_header(direction, part).lower()) for part in LENGTHS}
    if all(value is None for value in values.values()):
        return None
    for part, value in values.items():
        if value is None:
            other = next(name for name in LENGTHS if name != part)
            raise OcpiError(INVALID_PARAMETERS,
                            f"{_header(direction, part)}: is required with {_header(direction, other)}")
    country_code, party_id = (_well_formed(_header(direction, part), values[part], length)
                              for part, length in LENGTHS.items())
    return Party(country_code, party_id)


def _answer_headers(ours: Party, theirs: Party | None) -> list[tuple[bytes, bytes]]:
    headers = [(b"ocpi-from-country-code", ours.country_code.encode()), (b"ocpi-from-party-id", ours.party_id.encode())]
    if theirs is not None:
        headers += [(b"ocpi-to-country-code", theirs.country_code.encode()),
                    (b"ocpi-to-party-id", theirs.party_id.encode())]
    return headers


def route(scope: Scope, headers: Mapping[str, str], ours: Party, partner: Party | None) -> None:
    """Checks where a functional 2.2.1 request is addressed, and addresses the answer: from `ours` to the
    requesting party (parties in upper case). Outside functional 2.2.1 requests (no slot in the scope) it
    does nothing."""
    answer = scope.get(ANSWER_HEADERS)
    if answer is None:
        return
    # Set before the checks, so that a refusal says who refused, too.
    answer[:] = _answer_headers(ours, partner)
    sender = addressed_party(headers, "from")
    answer[:] = _answer_headers(ours, sender or partner)
    receiver = addressed_party(headers, "to")
    if receiver is not None and receiver != ours:
        # ocpi-notes §2.5, "Our decision for a TO we do not host": "a request whose TO names a party that
        # this evroam does not host for that partner gets HTTP 200 with OCPI 4001 ("unknown receiver", the
        # code a hub gives for an unknown TO address; a platform hosting parties is in the same position)
        # and no data."
        raise OcpiError(
            UNKNOWN_RECEIVER,
            f"OCPI-to-country-code/OCPI-to-party-id: {receiver.country_code}/{receiver.party_id} is not a party "
            f"reachable with this token (it reaches {ours.country_code}/{ours.party_id})",
        )


class RoutingHeaderMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_functional_221(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        answer: list[tuple[bytes, bytes]] = []
        scope[ANSWER_HEADERS] = answer

        async def send_addressed(message: Message) -> None:
            if message["type"] == "http.response.start" and answer:
                message["headers"] = list(message.get("headers", [])) + answer
            await send(message)

        await self.app(scope, receive, send_addressed)
