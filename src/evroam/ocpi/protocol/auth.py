"""`Authorization: Token …` on OCPI requests: who is calling, with which of the tokens we issued.

Inbound tokens are accepted raw and Base64-encoded alike (2.1.1 and 2.2 peers differ in practice; see
ocpi-notes §3.3), tolerating the trailing newline that the specification's own samples encode.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.api.deps import get_runtime, get_session
from evroam.integrations.models import Integration, IntegrationToken
from evroam.network.operators.models import Operator
from evroam.ocpi.protocol import routing_headers
from evroam.ocpi.protocol.client import Party, partner_party
from evroam.ocpi.protocol.envelope import CLIENT_ERROR, OcpiError
from evroam.runtime import Runtime
from evroam.security import hash_secret

REGISTRATION_TOKEN = "A"


@dataclass(frozen=True, slots=True)
class Caller:
    integration: Integration
    token: str
    token_kind: str
    # "base64" or "plain": how this partner encodes tokens, so we can answer in kind.
    encoding: str
    # The party we are towards this partner: the operator its integration belongs to.
    our_party: Party

    @property
    def is_registered(self) -> bool:
        return self.token_kind != REGISTRATION_TOKEN


def token_candidates(header: str | None) -> list[tuple[str, str]]:
    """The plain tokens an Authorization header may stand for, with the encoding each implies."""
    if not header:
        return []
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "token" or not value.strip():
        return []
    value = value.strip()
    candidates = [(value, "plain")]
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            decoded = decode(value.encode("ascii"), validate=True) if decode is base64.b64decode else decode(value)
            text = decoded.decode("utf-8").removesuffix("\n")
        except (binascii.Error, ValueError, UnicodeError):
            continue
        if text and text.isprintable() and (text, "base64") not in candidates:
            candidates.append((text, "base64"))
    return candidates


# Built once: building it costs more than running it, on every OCPI request.
_CALLER_BY_TOKEN_HASH = (
    select(IntegrationToken.token_hash, IntegrationToken.kind, Integration, Operator.country_code, Operator.party_id)
    .join(Integration, Integration.integration_id == IntegrationToken.integration_id)
    .join(Operator, Operator.id == Integration.operator_id)
    .where(IntegrationToken.token_hash.in_(bindparam("hashes", expanding=True)))
    .limit(1)
)


async def identify_caller(session: AsyncSession, header: str | None) -> Caller:
    """One query for every form the header may take (it runs on each OCPI request, every page of a pull)."""
    by_hash = {hash_secret(token): (token, encoding) for token, encoding in token_candidates(header)}
    if by_hash:
        found = (await session.execute(_CALLER_BY_TOKEN_HASH, {"hashes": list(by_hash)})).first()
        if found is not None:
            token, encoding = by_hash[found.token_hash]
            return Caller(integration=found.Integration, token=token, token_kind=found.kind, encoding=encoding,
                          our_party=Party(found.country_code.upper(), found.party_id.upper()))
    raise OcpiError(CLIENT_ERROR, "Unknown or missing credentials token", http_status=401)


async def registration_caller(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Caller:
    """Versions and credentials: token A (registration) or the partner's full token. In a session of its own
    that ends here: a credentials exchange then calls the partner, and must not hold a connection meanwhile."""
    async with runtime.sessions() as session:
        return await identify_caller(session, request.headers.get("authorization"))


async def partner_caller(request: Request, session: Annotated[AsyncSession, Depends(get_session)]) -> Caller:
    """Functional modules: only a registered partner's token; token A gets 401. A 2.2.1 functional request
    must be addressed to the party we are towards this partner (routing_headers.py)."""
    caller = await identify_caller(session, request.headers.get("authorization"))
    if not caller.is_registered:
        raise OcpiError(CLIENT_ERROR, "The registration token only opens versions and credentials", 401)
    routing_headers.route(request.scope, request.headers, caller.our_party, partner_party(caller.integration))
    return caller


RegistrationCaller = Annotated[Caller, Depends(registration_caller)]
PartnerCaller = Annotated[Caller, Depends(partner_caller)]
