"""Use cases of integrations: list, create, update, delete; every query is scoped to the operator.

The OCPI credentials exchange itself lives in evroam.ocpi.credentials.registration, and flows.py starts
and ends it around these use cases; this module records what the operator asked for:

* with `ocpiConnection` (the partner's versions URL and their token A) we register with the partner:
  we are the credentials SENDER, the integration is CONNECTING until the exchange ends. One exchange
  runs at a time: the request that asks for one takes the integration's exchange lease
  (evroam.integrations.exchange_lease) with CONNECTING, and is refused (409) while another holds it;
* without it we issue a token A, shown once in the create response, and wait (PENDING) for the partner
  to register at our versions URL: we are the RECEIVER.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.config import new_secret_token
from evroam.database.paging import PageRequest, paginate
from evroam.errors import Conflict, Invalid, NotFound
from evroam.events import Change, announce
from evroam.integrations.models import Integration, IntegrationToken
from evroam.integrations.schemas import (
    IntegrationCreate,
    IntegrationUpdate,
    OcpiConnectionIn,
    SalesforceConnectionIn,
    UtilityCloudConnectionIn,
)
from evroam.integrations import exchange_lease
from evroam.runtime import Runtime
from evroam.security import hash_secret

_PENDING_AS_RECEIVER = "Waiting for the partner to register at our versions URL with the token A issued to it"
_CONNECTING_AS_SENDER = "Registering with the partner at its versions URL"
_CONNECTOR_SWITCHED_OFF = "The connection is switched off (activateConnection is false)"
_CONNECTOR_WAITING = "The connection is switched on and waits for its connector to start"


async def get_integration(session: AsyncSession, operator_id: int, integration_id: str) -> Integration:
    integration = await session.scalar(
        select(Integration).where(
            Integration.integration_id == integration_id, Integration.operator_id == operator_id
        )
    )
    if integration is None:
        raise NotFound(f"Integration {integration_id}")
    return integration


async def list_integrations(
    session: AsyncSession, operator_id: int, page: PageRequest
) -> tuple[list[Integration], int]:
    query = (
        select(Integration)
        .where(Integration.operator_id == operator_id)
        .order_by(Integration.created_at, Integration.integration_id)
    )
    return await paginate(session, query, page)


async def create_integration(
    session: AsyncSession, runtime: Runtime, operator_id: int, body: IntegrationCreate
) -> tuple[Integration, str | None, bool]:
    """Returns the integration; when we are the RECEIVER, the token A in clear (its only showing); and
    whether a credentials exchange with the partner is to start now that the integration is stored."""
    integration = Integration(
        integration_id=str(uuid.uuid4()),
        operator_id=operator_id,
        integration_type=body.integration_type,
        integration_name=body.integration_name,
        customer_roles=[],
        models={},
        partners_company_detail=[],
        hub_client_info=[],
    )
    _check_ocpi_fields(body, body.integration_type)
    await _apply_settings(session, integration, body)
    token_a = None
    register = body.integration_type == "OCPI" and body.ocpi_connection is not None
    if register:
        _register_as_sender(integration, body.ocpi_connection, runtime)
        # A new row: no other exchange can hold it.
        integration.exchange_lease_until = exchange_lease.lease_end()
    elif body.integration_type == "OCPI":
        token_a = _issue_token_a(session, integration, runtime)
    if body.utility_cloud_connection is not None or body.integration_type == "UtilityCloud":
        _apply_utility_cloud(integration, body.utility_cloud_connection, runtime)
    if body.salesforce_connection is not None or body.integration_type == "Salesforce":
        _apply_salesforce(integration, body.salesforce_connection)
    session.add(integration)
    await session.flush()
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration.integration_id})))
    await session.commit()
    return integration, token_a, register


async def update_integration(
    session: AsyncSession, runtime: Runtime, operator_id: int, integration_id: str, body: IntegrationUpdate
) -> tuple[Integration, bool]:
    """Returns the integration and whether a credentials exchange with the partner is to start now."""
    integration = await get_integration(session, operator_id, integration_id)
    if body.integration_type not in (None, integration.integration_type):
        raise Conflict("integrationType", "an integration keeps its type; create another integration instead")
    _check_ocpi_fields(body, integration.integration_type)
    await _apply_settings(session, integration, body)
    register = False
    if integration.integration_type == "OCPI":
        if body.ocpi_connection is not None:
            await _take_exchange_lease(session, integration, "ocpiConnection")
            _register_as_sender(integration, body.ocpi_connection, runtime)
            register = True
        elif body.retry_credentials_exchange:
            if not integration.partner_versions_url:
                raise Conflict(
                    "retryCredentialsExchange", "the partner's versions URL is unknown: give ocpiConnection"
                )
            await _take_exchange_lease(session, integration, "retryCredentialsExchange")
            _mark_registering(integration)
            register = True
        if register:
            # A token A we issued earlier is no longer how this partner connects.
            await session.execute(
                delete(IntegrationToken).where(
                    IntegrationToken.integration_id == integration.integration_id, IntegrationToken.kind == "A"
                )
            )
    if body.utility_cloud_connection is not None:
        _apply_utility_cloud(integration, body.utility_cloud_connection, runtime)
    if body.salesforce_connection is not None:
        _apply_salesforce(integration, body.salesforce_connection)
    await session.flush()
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration.integration_id})))
    await session.commit()
    return integration, register


async def delete_integration(session: AsyncSession, operator_id: int, integration_id: str) -> None:
    integration = await get_integration(session, operator_id, integration_id)
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration_id})))
    # Tokens, locations, charger picks and tariff links go with it (ON DELETE CASCADE).
    await session.execute(delete(Integration).where(Integration.integration_id == integration.integration_id))
    await session.commit()


def _check_ocpi_fields(body: IntegrationUpdate, integration_type: str) -> None:
    """The OCPI connection belongs to OCPI integrations; the UtilityCloud and Salesforce connections
    may accompany any integration (an OCPI partner's sessions can feed a billing or CRM system too)."""
    for name in ("ocpi_connection", "retry_credentials_exchange"):
        if getattr(body, name) not in (None, False) and integration_type != "OCPI":
            field = type(body).model_fields[name].alias
            raise Invalid(field, f"only OCPI integrations take it, this one is {integration_type}")


async def _apply_settings(session: AsyncSession, integration: Integration, body: IntegrationUpdate) -> None:
    """The settings shared by every integration type (see schemas.py for what null means)."""
    given = body.model_fields_set
    if body.integration_name is not None:
        integration.integration_name = body.integration_name
    if "customer_roles" in given:
        integration.customer_roles = list(dict.fromkeys(body.customer_roles or []))
    for name in ("approved_party_id", "third_party_id", "third_party_country_code"):
        if name in given:
            setattr(integration, name, getattr(body, name))
    if "platform_integration_id" in given:
        await _apply_platform(session, integration, body.platform_integration_id)
    if body.free_vending_with_idtag_allowed is not None:
        integration.free_vending_with_idtag_allowed = body.free_vending_with_idtag_allowed
    models = body.models
    interval = body.charging_period_interval_in_minutes
    state_of_charge = body.state_of_charge_is_sent
    if models is not None:
        flags = dict(integration.models or {})
        for name in models.model_fields_set - {"charging_period_interval_in_minutes", "state_of_charge_is_sent"}:
            flags[type(models).model_fields[name].alias] = getattr(models, name)
        integration.models = flags
        # Top-level values win over the same values inside `models`.
        interval = interval if interval is not None else models.charging_period_interval_in_minutes
        if state_of_charge is None:
            state_of_charge = models.state_of_charge_is_sent
    if interval is not None:
        integration.charging_period_interval_in_minutes = interval
    if state_of_charge is not None:
        integration.state_of_charge_is_sent = state_of_charge


async def _apply_platform(session: AsyncSession, integration: Integration, platform_id: str | None) -> None:
    """The integration reaches its partner through a platform (hub) integration of the same operator."""
    if platform_id is None:
        integration.platform_integration = False
        integration.platform_integration_id = None
        integration.platform_party_id = integration.platform_party_country_code = None
        return
    if platform_id == integration.integration_id:
        raise Invalid("platformIntegrationId", "an integration cannot be its own platform")
    platform = await session.scalar(
        select(Integration).where(
            Integration.integration_id == platform_id, Integration.operator_id == integration.operator_id
        )
    )
    if platform is None:
        raise Invalid("platformIntegrationId", f"integration {platform_id} does not exist")
    party = next(iter(platform.partners_company_detail or []), {})
    integration.platform_integration = True
    integration.platform_integration_id = platform_id
    integration.platform_party_id = party.get("partyId")
    integration.platform_party_country_code = party.get("countryCode")


def _register_as_sender(integration: Integration, connection: OcpiConnectionIn, runtime: Runtime) -> None:
    integration.partner_versions_url = connection.endpoint_url
    integration.end_point_url = connection.endpoint_url
    integration.partner_initial_token_encrypted = runtime.secrets.encrypt(connection.initial_token)
    integration.initial_role = connection.initial_role
    _mark_registering(integration)


async def _take_exchange_lease(session: AsyncSession, integration: Integration, asked_by: str) -> None:
    """Refuses the request whose field `asked_by` asks for an exchange while another one runs."""
    held_until = await exchange_lease.take(session, integration.integration_id)
    if held_until is not None:
        raise Conflict(
            asked_by,
            f"a credentials exchange with the partner is already running (until {held_until:%Y-%m-%dT%H:%M:%SZ} "
            "at the latest); retry when it has ended",
        )


def _mark_registering(integration: Integration) -> None:
    integration.integration_status = "CONNECTING"
    integration.status_description = _CONNECTING_AS_SENDER
    integration.credentials_exchange_role = "SENDER"


def _issue_token_a(session: AsyncSession, integration: Integration, runtime: Runtime) -> str:
    token = new_secret_token()
    session.add(IntegrationToken(token_hash=hash_secret(token), integration_id=integration.integration_id, kind="A"))
    integration.integration_status = "PENDING"
    integration.status_description = _PENDING_AS_RECEIVER
    integration.end_point_url = f"{runtime.public_url}/ocpi/versions"
    integration.credentials_exchange_role = "RECEIVER"
    return token


def _apply_utility_cloud(
    integration: Integration, connection: UtilityCloudConnectionIn | None, runtime: Runtime
) -> None:
    """Merges the given connection fields into the stored ones; the client secret is kept encrypted."""
    stored = dict(integration.utility_cloud_connection or {})
    if connection is not None:
        for name in connection.model_fields_set - {"client_secret"}:
            stored[type(connection).model_fields[name].alias] = getattr(connection, name)
        if connection.client_secret is not None:
            stored["clientSecretEncrypted"] = runtime.secrets.encrypt(connection.client_secret)
    if stored.get("activateConnection"):
        missing = [key for key in ("tenant", "clientId", "clientSecretEncrypted") if not stored.get(key)]
        if missing:
            field = missing[0].removesuffix("Encrypted")
            raise Invalid(f"utilityCloudConnection.{field}", "is required to activate the connection")
    integration.utility_cloud_connection = stored
    if integration.integration_type == "UtilityCloud":
        _set_connector_status(integration, bool(stored.get("activateConnection")))


def _apply_salesforce(integration: Integration, connection: SalesforceConnectionIn | None) -> None:
    stored = dict(integration.salesforce_connection or {})
    if connection is not None:
        for name in connection.model_fields_set:
            stored[type(connection).model_fields[name].alias] = getattr(connection, name)
    if stored.get("activateConnection") and not stored.get("endpointUrl"):
        raise Invalid("salesforceConnection.endpointUrl", "is required to activate the connection")
    integration.salesforce_connection = stored
    if integration.integration_type == "Salesforce":
        integration.end_point_url = stored.get("endpointUrl")
        _set_connector_status(integration, bool(stored.get("activateConnection")))


def _set_connector_status(integration: Integration, active: bool) -> None:
    integration.integration_status = "PENDING" if active else "INACTIVE"
    integration.status_description = _CONNECTOR_WAITING if active else _CONNECTOR_SWITCHED_OFF
