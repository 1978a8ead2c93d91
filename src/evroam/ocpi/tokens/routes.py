"""Tokens Receiver interface (we serve), 2.2.1 and 2.1.1: `/ocpi/{version}/tokens/{country_code}/{party_id}/{uid}`
with `?type=` (RFID when left out), ocpi-notes §12.2.

The eMSP pushes its tokens with PUT (201 for a new one, 200 for an update, as HubClientInfo answers) and
PATCH (`last_updated` required; the key fields cannot change), and may GET our copy, in its version's
shape. Tokens are kept per integration: a partner never reads or writes another's, and writes only the
tokens of the parties it stands for (`owners.py`). An unknown token is HTTP 404 with OCPI 2004 ("Unknown
Token", 2.2.1's status codes); 2.1.1 has no such code, so there it is 2000 (generic client error). A
refused request changes nothing: everything is checked before the one write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.api.deps import SessionDep
from evroam.charging.tokens import service as tokens
from evroam.charging.tokens.records import KeptToken, TokenKey
from evroam.database.base import utcnow
from evroam.ocpi.modules import TOKENS, V211, module
from evroam.ocpi.protocol.auth import Caller, PartnerCaller
from evroam.ocpi.protocol.bodies import read_json, validated, validation_message
from evroam.ocpi.protocol.client import Party
from evroam.ocpi.protocol.envelope import (
    CLIENT_ERROR,
    INVALID_PARAMETERS,
    UNKNOWN_TOKEN,
    OcpiError,
    ocpi_response,
)
from evroam.ocpi.protocol.pagination import require_module
from evroam.ocpi.tokens.mapping import (
    DEFAULT_TYPE,
    PATTERN_PROBLEMS,
    TOKEN_TYPES,
    TOKEN_TYPES_211,
    CiString36,
    CountryCode,
    PartyId,
    as_version,
    kept,
    patch_model,
    patched,
    token_model,
)
from evroam.ocpi.tokens.owners import registered_parties, token_owners

TypeParameter = Annotated[str | None, Query(alias="type", description="TokenType; RFID when left out")]


class _Address(BaseModel):
    """The URL's parts, validated as the Token fields they name."""

    country_code: CountryCode
    party_id: PartyId
    uid: CiString36


def _token_key(caller: Caller, version: str, country_code: str, party_id: str, uid: str,
               token_type: str | None) -> tuple[str, TokenKey]:
    """The calling integration and the token the URL names; 2001 naming the part that is wrong."""
    integration_id = require_module(caller, version, TOKENS)
    address = validated(_Address, {"country_code": country_code, "party_id": party_id, "uid": uid}, PATTERN_PROBLEMS)
    types = TOKEN_TYPES_211 if version == V211 else TOKEN_TYPES
    token_type = DEFAULT_TYPE if token_type is None else token_type
    if token_type not in types:
        raise OcpiError(INVALID_PARAMETERS, f"type: must be one of {', '.join(types)}")
    return integration_id, TokenKey(address.country_code.upper(), address.party_id.upper(), address.uid, token_type)


def _owned(caller: Caller, version: str, key: TokenKey) -> Party:
    """The URL's party, once the caller may write its tokens (2001 otherwise: ours to refuse, not unknown)."""
    party = Party(key.country_code, key.party_id)
    # 2.1.1 registers one party, and its tokens name none.
    allowed = set(registered_parties(caller.integration)[:1]) if version == V211 else token_owners(caller.integration)
    if party not in allowed:
        named = ", ".join(sorted(f"{p.country_code}/{p.party_id}" for p in allowed)) or "none"
        raise OcpiError(INVALID_PARAMETERS, f"country_code/party_id: {party.country_code}/{party.party_id} is not a "
                                            f"party whose tokens this connection may write (it may write: {named})")
    return party


def _same_key(key: TokenKey, given: dict[str, Any]) -> None:
    """The body's key fields, where it has them, must name the URL's token (CiStrings compare without case)."""
    expected = {"country_code": key.country_code, "party_id": key.party_id, "uid": key.uid, "type": key.type}
    for field, value in expected.items():
        if field in given and str(given[field]).upper() != value.upper():
            raise OcpiError(INVALID_PARAMETERS, f"{field}: the body's {given[field]!r} differs from the URL's {value!r}")


def _unknown(version: str, key: TokenKey) -> OcpiError:
    code = CLIENT_ERROR if version == V211 else UNKNOWN_TOKEN
    return OcpiError(code, f"Unknown token {key.uid} of type {key.type} of {key.country_code}/{key.party_id}", 404)


def _valid_document(make: Any, *arguments: Any) -> KeptToken:
    try:
        return make(*arguments)
    except ValidationError as exc:
        raise OcpiError(INVALID_PARAMETERS, validation_message(exc, PATTERN_PROBLEMS)) from exc


async def _put(session: AsyncSession, caller: Caller, version: str, request: Request, key: TokenKey,
               integration_id: str) -> Response:
    party = _owned(caller, version, key)
    token = validated(token_model(version), await read_json(request), PATTERN_PROBLEMS)
    _same_key(key, token.model_dump(include={"country_code", "party_id", "uid", "type"}))
    document = _valid_document(kept, token, (party.country_code, party.party_id))
    created = await tokens.store_token(session, integration_id, document, utcnow())
    await session.commit()
    return ocpi_response(None, http_status=201 if created else 200)


async def _patch(session: AsyncSession, caller: Caller, version: str, request: Request, key: TokenKey,
                 integration_id: str) -> Response:
    _owned(caller, version, key)
    patch = validated(patch_model(version), await read_json(request), PATTERN_PROBLEMS)
    _same_key(key, patch.model_dump(include={"country_code", "party_id", "uid", "type"}, exclude_none=True))
    row = await tokens.locked_token(session, integration_id, key)
    if row is None:
        raise _unknown(version, key)
    document = _valid_document(patched, row.document, patch)
    await tokens.store_tokens(session, integration_id, [document], utcnow())
    await session.commit()
    return ocpi_response(None)


def tokens_router(version: str) -> APIRouter:
    router = APIRouter(prefix=f"/{version}/{TOKENS}", tags=[f"{TOKENS} {version}"])
    path = "/{country_code}/{party_id}/{uid}"

    @router.get(path, summary="Our copy of a token")
    async def get_token(country_code: str, party_id: str, uid: str, caller: PartnerCaller, session: SessionDep,
                        token_type: TypeParameter = None) -> Response:
        integration_id, key = _token_key(caller, version, country_code, party_id, uid, token_type)
        row = await tokens.find_token(session, integration_id, key)
        if row is None:
            raise _unknown(version, key)
        return ocpi_response(as_version(row.document, version))

    @router.put(path, summary="The eMSP pushes a new or updated token")
    async def put_token(country_code: str, party_id: str, uid: str, request: Request, caller: PartnerCaller,
                        session: SessionDep, token_type: TypeParameter = None) -> Response:
        integration_id, key = _token_key(caller, version, country_code, party_id, uid, token_type)
        return await _put(session, caller, version, request, key, integration_id)

    @router.patch(path, summary="The eMSP changes part of a token (last_updated required)")
    async def patch_token(country_code: str, party_id: str, uid: str, request: Request, caller: PartnerCaller,
                          session: SessionDep, token_type: TypeParameter = None) -> Response:
        integration_id, key = _token_key(caller, version, country_code, party_id, uid, token_type)
        return await _patch(session, caller, version, request, key, integration_id)

    return router


routers = [tokens_router(version) for version in module(TOKENS).versions]
