"""Credentials, server side (ocpi-notes §5.2, §5.3 A): a partner registers, updates or unregisters with us.

POST (token A) and PUT (the partner's full token) are one exchange: read the partner's versions and
details with the token it gives us, at the version of the credentials endpoint it called, store what we
learn, and answer with a new token for it. Every token we had issued to it before dies with that answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from evroam.config import new_secret_token
from evroam.events import Change, announce
from evroam.integrations.models import Integration, IntegrationToken
from evroam.ocpi.protocol.auth import Caller
from evroam.ocpi.credentials.codec import InvalidCredentials, credentials_document, parse_credentials
from evroam.ocpi.credentials.discovery import PartnerLine, RegistrationFailure, discover
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


async def exchange(runtime: Runtime, caller: Caller, version: str, payload: Any) -> dict[str, Any]:
    """POST (caller not registered yet) or PUT (registered); the route has checked which applies."""
    integration = caller.integration
    registering = not caller.is_registered
    assumed_role = integration.initial_role or "EMSP"
    try:
        credentials = parse_credentials(version, payload, assumed_role)
    except InvalidCredentials as exc:
        raise OcpiError(INVALID_PARAMETERS, str(exc)) from exc
    problem = role_problem(integration.initial_role, credentials)
    line = PartnerLine(credentials.token, integration.token_encoding, "the token of its credentials", version)
    try:
        if problem:
            raise RegistrationFailure(INVALID_PARAMETERS, problem)
        discovery = await discover(line, credentials.url, wanted=version,
                                   partner_is_cpo=credentials.roles[0].role == "CPO")
    except RegistrationFailure as failure:
        # A failed update leaves the working registration alone; a failed registration is shown.
        if registering:
            await record_failure(runtime, integration.integration_id, failure.message)
        raise OcpiError(failure.code, failure.message) from failure

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
        exchange_role = "RECEIVER" if registering else row.credentials_exchange_role or "RECEIVER"
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
