"""Credentials, server side (ocpi-notes §5.2, §5.3 A): a partner registers, updates or unregisters with us.

POST (token A) and PUT (the partner's full token) are one exchange: read the partner's versions and
details with the token it gives us, at the version of the credentials endpoint it called, store what we
learn, and answer with a new token for it. Every token we had issued to it before dies with that answer.

While evroam calls the partner's URLs it holds no database connection: the caller was identified in a
short session of its own, and what the exchange learns is stored in another. The exchange gate bounds how
many run at once and throttles a token that keeps failing; the exchange lease lets one exchange at a time
run per integration, whichever side started it. What the partner's server answered is told to the
operator (the integration's status), never to the partner.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from evroam.config import new_secret_token
from evroam.events import Change, announce
from evroam.integrations import exchange_lease
from evroam.integrations.models import Integration, IntegrationToken
from evroam.ocpi.protocol.auth import Caller
from evroam.ocpi.credentials.codec import (
    InvalidCredentials,
    PartnerCredentials,
    credentials_document,
    parse_credentials,
)
from evroam.ocpi.credentials.discovery import Discovery, PartnerLine, RegistrationFailure, discover
from evroam.ocpi.credentials.exchange_gate import ExchangeGate
from evroam.ocpi.protocol.envelope import CLIENT_ERROR, INVALID_PARAMETERS, OcpiError
from evroam.ocpi.credentials.partner_state import record_connection, record_failure, role_problem
from evroam.ocpi.credentials.roles import our_roles
from evroam.ocpi.versions.routes import versions_url
from evroam.runtime import Runtime
from evroam.security import hash_secret


async def our_credentials(runtime: Runtime, caller: Caller, version: str) -> dict[str, Any]:
    """GET: the token the caller uses with us (we keep only hashes, so it is the one it just sent)."""
    async with runtime.sessions() as session:
        roles = await our_roles(session, caller.integration.operator_id)
    return credentials_document(version, caller.token, versions_url(runtime.public_url), roles)


async def exchange(runtime: Runtime, gate: ExchangeGate, caller: Caller, version: str, payload: Any) -> dict[str, Any]:
    """POST (caller not registered yet) or PUT (registered); the route has checked which applies."""
    integration = caller.integration
    registering = not caller.is_registered
    try:
        credentials = parse_credentials(version, payload, integration.initial_role or "EMSP")
    except InvalidCredentials as exc:
        raise OcpiError(INVALID_PARAMETERS, str(exc)) from exc
    line = PartnerLine(runtime.partners, credentials.token, integration.token_encoding,
                       "the token of its credentials", version)
    async with gate.admit(caller.token):
        await _take_lease(runtime, integration.integration_id)
        try:
            discovery = await _discover(runtime, gate, caller, line, credentials, registering)
            return await _store(runtime, caller, version, credentials, discovery, line)
        finally:
            await exchange_lease.release(runtime, integration.integration_id)


async def _take_lease(runtime: Runtime, integration_id: str) -> None:
    async with runtime.sessions() as session:
        held_until = await exchange_lease.take(session, integration_id)
        await session.commit()
    if held_until is not None:
        raise OcpiError(CLIENT_ERROR, "A credentials exchange with this integration is already under way; "
                        "retry when it has ended.", http_status=409)


async def _discover(runtime: Runtime, gate: ExchangeGate, caller: Caller, line: PartnerLine,
                    credentials: PartnerCredentials, registering: bool) -> Discovery:
    integration = caller.integration
    try:
        problem = role_problem(integration.initial_role, credentials)
        if problem:
            raise RegistrationFailure(INVALID_PARAMETERS, problem)
        return await discover(line, credentials.url, wanted=line.version,
                              partner_is_cpo=credentials.roles[0].role == "CPO")
    except RegistrationFailure as failure:
        gate.record_failure(caller.token)
        # A failed update leaves the working registration alone; a failed registration is shown.
        if registering:
            await record_failure(runtime, integration.integration_id, failure.message)
        raise OcpiError(failure.code, failure.for_partner) from failure


async def _store(runtime: Runtime, caller: Caller, version: str, credentials: PartnerCredentials,
                 discovery: Discovery, line: PartnerLine) -> dict[str, Any]:
    integration = caller.integration
    new_token = new_secret_token()
    async with runtime.sessions() as session:
        used = await session.execute(
            delete(IntegrationToken).where(IntegrationToken.token_hash == hash_secret(caller.token))
        )
        if used.rowcount != 1:  # a concurrent exchange consumed it first
            raise OcpiError(CLIENT_ERROR, "The credentials token is no longer valid", http_status=401)
        await session.execute(
            delete(IntegrationToken).where(IntegrationToken.integration_id == integration.integration_id)
        )
        kind = caller.token_kind if caller.is_registered else "C"
        session.add(IntegrationToken(token_hash=hash_secret(new_token), integration_id=integration.integration_id,
                                     kind=kind))
        row = await session.get(Integration, integration.integration_id)
        exchange_role = "RECEIVER" if not caller.is_registered else row.credentials_exchange_role or "RECEIVER"
        record_connection(row, runtime.secrets, credentials, discovery, line, exchange_role)
        roles = await our_roles(session, row.operator_id)
        await session.flush()
        await announce(session, Change(operator_id=row.operator_id, integration_ids=frozenset({row.integration_id})))
        await session.commit()
    return credentials_document(version, new_token, versions_url(runtime.public_url), roles)


async def unregister(runtime: Runtime, caller: Caller) -> None:
    """DELETE: the partner leaves; our tokens die and we forget its token (both sides stop all traffic)."""
    async with runtime.sessions() as session:
        row = await session.get(Integration, caller.integration.integration_id)
        await session.execute(delete(IntegrationToken).where(IntegrationToken.integration_id == row.integration_id))
        row.partner_token_encrypted = None
        row.integration_status = "DISCONNECTED"
        row.status_description = (
            "The partner unregistered (DELETE credentials): reconnecting needs a new credentials exchange."
        )
        await session.flush()
        await announce(session, Change(operator_id=row.operator_id, integration_ids=frozenset({row.integration_id})))
        await session.commit()
