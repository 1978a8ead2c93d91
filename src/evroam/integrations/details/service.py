"""GET integration details: read straight from the tables into plain dicts, in the seed's shape.

Three queries whatever the size: the integration, its locations' stored texts (details_read_model,
embedded as they are) and the linked tariffs, all read before anything is built, so the build and its
serialisation (json_response) run as one synchronous pass. Datetimes stay datetimes (orjson writes
them with OPT_UTC_Z).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orjson import Fragment
from sqlalchemy import Result, Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import NotFound
from evroam.integrations.details.read_model import location_details
from evroam.integrations.enums import MODEL_FLAGS
from evroam.integrations.models import Integration
from evroam.integrations.tariff_links.models import TariffLink
from evroam.security import SecretBox, mask
from evroam.tariffs.models import Tariff
from evroam.tariffs.schemas import tariff_document

_PRICE_COMPONENT_KEYS = (
    "type", "price", "vat", "margin", "stepSize", "marginPercentage", "priceCap", "costPercentage", "biddingZone",
)
_RESTRICTION_KEYS = (
    "startTime", "endTime", "startDate", "endDate", "minKwh", "maxKwh", "minCurrent", "maxCurrent", "minPower",
    "maxPower", "minDuration", "maxDuration", "dayOfWeek", "reservation",
)
_TEXT_KEYS = {"type", "biddingZone", "startTime", "endTime", "startDate", "endDate", "dayOfWeek", "reservation"}
_PARTNER_KEYS = ("role", "partyId", "countryCode", "name", "website", "logo")
_TARIFF_COLUMNS = (
    Tariff.id, Tariff.name, Tariff.external_id, Tariff.currency, Tariff.common, Tariff.use_type, Tariff.type,
    Tariff.tariff_alt_text, Tariff.tariff_alt_url, Tariff.min_price_excl_vat, Tariff.min_price_incl_vat,
    Tariff.max_price_excl_vat, Tariff.max_price_incl_vat, Tariff.elements, Tariff.start_date_time,
    Tariff.end_date_time, Tariff.energy_mix, Tariff.created, Tariff.last_updated,
)
_INTEGRATION_COLUMNS = (
    Integration.integration_id, Integration.integration_type, Integration.integration_name,
    Integration.integration_status, Integration.status_description, Integration.version_details,
    Integration.credentials_exchange_role, Integration.end_point_url, Integration.partners_company_detail,
    Integration.platform_integration, Integration.platform_integration_id, Integration.platform_party_id,
    Integration.platform_party_country_code, Integration.customer_roles, Integration.models,
    Integration.charging_period_interval_in_minutes, Integration.state_of_charge_is_sent,
    Integration.free_vending_with_idtag_allowed, Integration.utility_cloud_connection,
)


@dataclass(frozen=True)
class DetailsRows:
    integration: Row
    locations: list[Fragment]
    tariffs: Result


async def read_details(session: AsyncSession, operator_id: int, integration_id: str) -> DetailsRows:
    """Every row GET integration details shows; 404 when the integration is not the operator's."""
    integration = (
        await session.execute(
            select(*_INTEGRATION_COLUMNS).where(
                Integration.integration_id == integration_id, Integration.operator_id == operator_id
            )
        )
    ).one_or_none()
    if integration is None:
        raise NotFound(f"Integration {integration_id}")
    locations = await location_details(session, integration_id)
    linked = select(TariffLink.tariff_id).where(TariffLink.integration_id == integration_id)
    tariffs = await session.execute(
        select(*_TARIFF_COLUMNS).where(Tariff.id.in_(linked)).order_by(Tariff.name, Tariff.id)
    )
    return DetailsRows(integration, locations, tariffs)


def details_document(rows: DetailsRows, secrets: SecretBox, failing_pushes: str | None = None) -> dict[str, Any]:
    """The seed's shape, every field present (null or empty without data). `failing_pushes`, the outbox's
    sentence while pushes to the partner fail, stands in for the stored status description."""
    row = rows.integration
    models = row.models or {}
    return {
        "integrationId": row.integration_id,
        "integrationType": row.integration_type,
        "integrationName": row.integration_name,
        "integrationStatus": row.integration_status,
        "statusDescription": failing_pushes or row.status_description,
        "versionDetails": _version_details(row.version_details),
        "credentialsExchangeRole": row.credentials_exchange_role,
        "endPointURL": row.end_point_url,
        "partnersCompanyDetail": [
            {key: party.get(key) for key in _PARTNER_KEYS} for party in row.partners_company_detail or []
        ],
        "platformIntegration": row.platform_integration,
        "platformIntegrationId": row.platform_integration_id,
        "platformPartyId": row.platform_party_id,
        "platformPartyCountryCode": row.platform_party_country_code,
        "locations": rows.locations,
        "tariffs": [_tariff_document(tariff) for tariff in rows.tariffs.all()],
        "customerRoles": row.customer_roles or [],
        # A flag never set is on: the platform's default where the partner's endpoints allow it.
        "models": {flag: True if models.get(flag) is None else models[flag] for flag in MODEL_FLAGS},
        "chargingPeriodIntervalInMinutes": row.charging_period_interval_in_minutes,
        "stateofChargeIsSent": row.state_of_charge_is_sent,
        "freeVendingWithIdtagAllowed": row.free_vending_with_idtag_allowed,
        "utilityCloudConnection": _utility_cloud(row.utility_cloud_connection, secrets),
    }


def _tariff_document(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        **tariff_document(row),
        "tariffAltText": row.tariff_alt_text or [],
        "minPrice": _price(row.min_price_excl_vat, row.min_price_incl_vat),
        "maxPrice": _price(row.max_price_excl_vat, row.max_price_incl_vat),
        "elements": [_element(element) for element in row.elements or []],
        "created": row.created,
        "lastUpdated": row.last_updated,
    }


def _price(excl_vat: Decimal | None, incl_vat: Decimal | None) -> dict[str, Any] | None:
    if excl_vat is None:
        return None
    return {"exclVat": _number(excl_vat), "inclVat": _number(incl_vat)}


def _element(element: dict[str, Any]) -> dict[str, Any]:
    """Every key of the seed; stored decimal strings become JSON numbers, an absent stepSize is 1."""
    restrictions = element.get("restrictions")
    return {
        "priceComponents": [
            {**_conform(component, _PRICE_COMPONENT_KEYS), "stepSize": _number(component.get("stepSize", 1))}
            for component in element.get("priceComponents") or []
        ],
        "restrictions": None if restrictions is None else _conform(restrictions, _RESTRICTION_KEYS),
    }


def _conform(value: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: value.get(key) if key in _TEXT_KEYS else _number(value.get(key)) for key in keys}


def _number(value: Decimal | str | int | None) -> int | float | None:
    """A JSON number (as the platform's documents show), an integer when the value is whole."""
    if value is None or isinstance(value, int):
        return value
    exact = Decimal(value)
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def _version_details(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if not stored:
        return None
    return {
        "version": stored.get("version"),
        "endpoints": [
            {"identifier": endpoint.get("identifier"), "role": endpoint.get("role"), "url": endpoint.get("url")}
            for endpoint in stored.get("endpoints") or []
        ],
    }


def _utility_cloud(stored: dict[str, Any] | None, secrets: SecretBox) -> dict[str, Any] | None:
    if not stored:
        return None
    encrypted = stored.get("clientSecretEncrypted")
    return {
        "tenant": stored.get("tenant"),
        "clientId": stored.get("clientId"),
        "clientSecret": mask(secrets.decrypt(encrypted)) if encrypted else None,
        "meteredValuesAreSent": stored.get("meteredValuesAreSent"),
        "activateConnection": stored.get("activateConnection"),
    }
