"""Credentials, client side (ocpi-notes §5.3 B and §5.4): evroam registers with a partner, or updates.

The contract with the management API:

* `register_with_partner(runtime, integration_id)`: run as a background task (`runtime.spawn`). With the
  partner's token A (`partner_initial_token_encrypted`, unused yet) it registers: versions, the highest
  common version, details, a new token B (active before the POST, since the partner calls back with it),
  POST credentials, store the partner's token C and roles. With no token A but a partner token, it
  updates instead (PUT: new token B, the old one dies). The integration ends CONNECTED (exchange role
  SENDER), or FAILED with one sentence in `status_description` saying what to fix; token B is then
  rolled back. It gives up after `exchange_lease.EXCHANGE_BUDGET`, releases the integration's exchange
  lease (taken by whoever spawned it) however it ends, and never raises.
* `unregister_at_partner(runtime, integration_id)`: DELETE on the partner's credentials endpoint with our
  token, before the integration is deleted. Failures are logged, never raised.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import delete

from evroam.config import new_secret_token
from evroam.events import Change, announce
from evroam.integrations.models import Integration, IntegrationToken
from evroam.integrations import exchange_lease
from evroam.ocpi.protocol import token_encoding
from evroam.ocpi.protocol.client import PartnerUnreachable, find_endpoint, request
from evroam.ocpi.credentials.codec import (
    InvalidCredentials,
    PartnerCredentials,
    PartyRole,
    credentials_document,
    parse_credentials,
)
from evroam.ocpi.credentials.discovery import Discovery, PartnerLine, RegistrationFailure, discover
from evroam.ocpi.protocol.envelope import NO_MATCHING_ENDPOINTS, UNABLE_TO_USE_CLIENT_API, UNSUPPORTED_VERSION
from evroam.ocpi.credentials.partner_state import record_connection, record_failure, role_problem
from evroam.ocpi.credentials.roles import our_roles
from evroam.ocpi.modules import OUR_VERSIONS
from evroam.ocpi.versions.routes import versions_url
from evroam.runtime import Runtime
from evroam.security import hash_secret

log = logging.getLogger(__name__)


async def register_with_partner(runtime: Runtime, integration_id: str) -> None:
    attempt = _Attempt(runtime, integration_id)
    budget = exchange_lease.EXCHANGE_BUDGET.total_seconds()
    try:
        # Bounded, so that the exchange always ends well before its lease runs out.
        async with asyncio.timeout(budget):
            await attempt.run()
    except RegistrationFailure as failure:
        await attempt.fail(failure.message)
    except TimeoutError:
        await attempt.fail(f"The partner did not complete the credentials exchange within {budget:.0f} seconds; "
                           "retry when it answers faster.")
    except Exception as exc:
        log.exception("the credentials exchange of integration %s failed", integration_id)
        await attempt.fail(f"The credentials exchange stopped on an unexpected error: {exc}.")
    finally:
        # After the outcome is stored, so whoever finds the lease free finds CONNECTED or FAILED; also when
        # the task is cancelled (shutdown), so a retry need not wait for the lease to run out.
        await exchange_lease.release(runtime, integration_id)


async def unregister_at_partner(runtime: Runtime, integration_id: str) -> None:
    try:
        async with runtime.sessions() as session:
            row = await session.get(Integration, integration_id)
        if row is None or not row.partner_token_encrypted:
            return
        url = find_endpoint(row.version_details, "credentials")
        if url is None:
            log.warning("integration %s: the partner lists no credentials endpoint to unregister at", integration_id)
            return
        reply = await request(
            "DELETE", url, token=runtime.secrets.decrypt(row.partner_token_encrypted),
            encoding=token_encoding.resolve(row.token_encoding, row.ocpi_version), http=runtime.partners,
        )
        if not reply.ok:
            log.warning("integration %s: DELETE %s answered %s", integration_id, url, reply.problem())
    except Exception:
        log.warning("integration %s: unregistering at the partner failed", integration_id, exc_info=True)


class _Attempt:
    """One run of the exchange; remembers token B so that any failure can roll it back."""

    def __init__(self, runtime: Runtime, integration_id: str) -> None:
        self.runtime = runtime
        self.integration_id = integration_id
        self.token_b: str | None = None

    async def run(self) -> None:
        async with self.runtime.sessions() as session:
            row = await session.get(Integration, self.integration_id)
            if row is None or row.integration_type != "OCPI":
                log.warning("integration %s: no OCPI integration to register", self.integration_id)
                return
            # An unused token A means (re-)register; otherwise the partner's token means we are registered.
            updating = row.partner_initial_token_encrypted is None and row.partner_token_encrypted is not None
            partner_url = row.partner_versions_url or row.end_point_url
            encrypted = row.partner_token_encrypted if updating else row.partner_initial_token_encrypted
            initial_role, setting = row.initial_role, row.token_encoding
            roles = await our_roles(session, row.operator_id)
            row.integration_status = "CONNECTING"
            row.status_description = f"Registering with the partner at {partner_url}."
            await session.commit()
        if not partner_url:
            raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                      "The partner's versions URL is missing: give ocpiConnection.endpointUrl.")
        if not encrypted:
            raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                      "There is no partner token to register with: give ocpiConnection.initialToken.")
        token_name = "evroam's current token" if updating else "the initial token (token A)"
        line = PartnerLine(self.runtime.partners, self.runtime.secrets.decrypt(encrypted), setting, token_name)
        discovery = await discover(line, partner_url, partner_is_cpo=initial_role == "CPO")

        self.token_b = new_secret_token()
        await self._activate_token_b()
        credentials = await self._send_credentials(line, discovery, roles, updating, initial_role)
        problem = role_problem(initial_role, credentials)
        if problem:
            await _withdraw(discovery, credentials, line)
            raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API, problem)
        await self._store(credentials, discovery, line)

    async def fail(self, description: str) -> None:
        try:
            if self.token_b is not None:
                await self._drop_token_b()
            await record_failure(self.runtime, self.integration_id, description)
        except Exception:
            log.exception("integration %s: recording the failed exchange failed", self.integration_id)

    async def _activate_token_b(self) -> None:
        async with self.runtime.sessions() as session:
            session.add(IntegrationToken(token_hash=hash_secret(self.token_b), integration_id=self.integration_id,
                                         kind="B"))
            await session.commit()

    async def _drop_token_b(self) -> None:
        async with self.runtime.sessions() as session:
            await session.execute(
                delete(IntegrationToken).where(IntegrationToken.token_hash == hash_secret(self.token_b))
            )
            await session.commit()

    async def _send_credentials(self, line: PartnerLine, discovery: Discovery, roles: list[PartyRole],
                                updating: bool, initial_role: str | None) -> PartnerCredentials:
        url = discovery.endpoint("credentials")
        method = "PUT" if updating else "POST"
        ours = versions_url(self.runtime.public_url)
        document = credentials_document(discovery.implementation, self.token_b, ours, roles)
        try:
            reply = await line.call(method, url, document)
        except PartnerUnreachable as exc:
            raise RegistrationFailure(
                UNABLE_TO_USE_CLIENT_API, f"The partner's credentials endpoint {url} cannot be reached: {exc.reason}."
            ) from exc
        if reply.http_status == 405:
            raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API, _REFUSED_METHOD[method].format(url=url))
        if reply.http_status == 401:
            raise RegistrationFailure(
                UNABLE_TO_USE_CLIENT_API,
                f"The partner refused {line.token_name} at its credentials endpoint {url} (HTTP 401).",
            )
        if reply.status_code in _PARTNER_CODES:
            message = _PARTNER_CODES[reply.status_code].format(url=url, ours=ours, versions=", ".join(OUR_VERSIONS))
            said = f' (it said "{reply.status_message}")' if reply.status_message else ""
            raise RegistrationFailure(reply.status_code, f"{message}{said}.")
        if not reply.ok:
            raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                      f"The partner rejected {method} {url}: {reply.problem()}.")
        try:
            return parse_credentials(discovery.implementation, reply.data, initial_role or "EMSP")
        except InvalidCredentials as exc:
            raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                      f"The partner answered {method} {url} with invalid credentials ({exc}).") from exc

    async def _store(self, credentials: PartnerCredentials, discovery: Discovery, line: PartnerLine) -> None:
        async with self.runtime.sessions() as session:
            # Token B is now the partner's only way in: earlier tokens (A, a previous B or C) die.
            await session.execute(
                delete(IntegrationToken).where(
                    IntegrationToken.integration_id == self.integration_id,
                    IntegrationToken.token_hash != hash_secret(self.token_b),
                )
            )
            row = await session.get(Integration, self.integration_id)
            record_connection(row, self.runtime.secrets, credentials, discovery, line, "SENDER")
            row.partner_initial_token_encrypted = None
            await session.flush()
            await announce(
                session, Change(operator_id=row.operator_id, integration_ids=frozenset({row.integration_id}))
            )
            await session.commit()


async def _withdraw(discovery: Discovery, credentials: PartnerCredentials, line: PartnerLine) -> None:
    """Undoes a registration the partner accepted but we cannot keep (best effort)."""
    url = discovery.endpoint("credentials")
    try:
        await request("DELETE", url, token=credentials.token, encoding=line.encoding, http=line.http)
    except PartnerUnreachable:
        log.warning("could not withdraw the registration at %s", url)


_REFUSED_METHOD = {
    "POST": "The partner answered HTTP 405 to POST {url}: it holds an earlier registration of evroam; "
            "ask it to remove that registration, then retry.",
    "PUT": "The partner answered HTTP 405 to PUT {url}: it no longer knows evroam; "
           "give a new ocpiConnection with a fresh token A to register again.",
}
_PARTNER_CODES = {
    UNABLE_TO_USE_CLIENT_API: "The partner could not call evroam back (OCPI 3001 from {url}): "
                              "check that it can reach {ours} (EVROAM_PUBLIC_URL)",
    UNSUPPORTED_VERSION: "The partner does not support the version evroam registered with (OCPI 3002 from {url}); "
                         "evroam offers {versions}",
    NO_MATCHING_ENDPOINTS: "The partner misses endpoints it needs in evroam's version details (OCPI 3003 from {url})",
}
