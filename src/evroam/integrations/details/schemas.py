"""The documented shape of GET integration details: the seed page field for field, spelled as there.

The route builds this response as plain dicts (see details.py); these models only document it in the
OpenAPI. Every field of the seed is always present; a value is null (or an empty list) without data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from evroam.api.schemas import CamelModel
from evroam.integrations.enums import (
    CredentialsExchangeRole,
    CustomerRole,
    IntegrationStatus,
    IntegrationType,
)
from evroam.network.common_schemas import (
    AdditionalGeoLocation,
    BusinessDetails,
    DisplayText,
    EnergyMix,
    Image,
    OpeningTimes,
    PublishTokenType,
)
from evroam.network.enums import Facility, ParkingType
from evroam.tariffs.schemas import TariffOut


class Endpoint(CamelModel):
    identifier: str
    role: str | None = None
    url: str


class VersionDetails(CamelModel):
    version: str
    endpoints: list[Endpoint]


class PartnerCompany(CamelModel):
    role: str | None = None
    party_id: str | None = None
    country_code: str | None = None
    name: str | None = None
    website: str | None = None
    logo: Image | None = None


class Coordinates(CamelModel):
    latitude: Annotated[str, Field(description="Degrees north (WGS 84), as a decimal string like OCPI's")]
    longitude: Annotated[str, Field(description="Degrees east (WGS 84), as a decimal string like OCPI's")]


class SocketDetails(CamelModel):
    id: int
    type: str
    status: str
    format: str
    socket_power_type: str
    # The tariffs that apply to this socket: its own links, else its charger's, else its location's.
    tariff_ids: list[str]


class ChargerDetails(CamelModel):
    charger_id: str = Field(alias="chargerID")
    charger_name: str
    charger_group_name: str | None
    charger_group_id: int | None = Field(alias="chargerGroupID")
    amount_of_sockets: int
    active_connection: bool
    sockets: list[SocketDetails]


class LocationDetails(CamelModel):
    id: str
    last_updated: datetime
    name: str | None
    location_energy_mix: EnergyMix | None
    images: list[Image]
    charging_when_closed: bool | None
    opening_times: OpeningTimes | None
    timezone: str | None
    facilities: list[Facility]
    owner: BusinessDetails | None
    suboperator: BusinessDetails | None
    directions: list[DisplayText]
    parking_type: ParkingType | None
    related_locations: list[AdditionalGeoLocation]
    coordinates: Coordinates | None
    country: str | None
    state: str | None
    postal_code: str | None
    city: str | None
    address: str | None
    publish_allowed_to: list[PublishTokenType]
    publish: bool
    chargers: list[ChargerDetails]
    # Null for a standalone location (not backed by a site).
    site_id: int | None


class ModelFlags(CamelModel):
    """What is exchanged with the partner. A flag never set is on (true): the default the platform applies
    where the partner's version details make it possible."""

    push_cdr: bool
    push_session: bool
    push_tariff: bool
    push_location: bool
    pull_tokens_all: bool
    pull_tariff: bool
    pull_location: bool
    pull_session: bool
    pull_cdr: bool
    pull_version_details: bool


class UtilityCloudConnectionDetails(CamelModel):
    tenant: str | None
    client_id: str | None
    client_secret: Annotated[str | None, Field(description="Masked: never returned in clear")]
    metered_values_are_sent: bool | None
    activate_connection: bool | None


class IntegrationDetails(CamelModel):
    integration_id: str
    integration_type: IntegrationType
    integration_name: str
    integration_status: IntegrationStatus
    status_description: str | None
    version_details: VersionDetails | None
    credentials_exchange_role: CredentialsExchangeRole | None
    # Our versions URL when the partner registers with us, theirs when we register with them.
    end_point_url: str | None = Field(alias="endPointURL")
    partners_company_detail: list[PartnerCompany]
    platform_integration: bool
    platform_integration_id: str | None
    platform_party_id: str | None
    platform_party_country_code: str | None
    locations: list[LocationDetails]
    tariffs: list[TariffOut]
    customer_roles: list[CustomerRole]
    models: ModelFlags
    charging_period_interval_in_minutes: Annotated[int, Field(description="Minutes between charging periods")]
    state_of_charge_is_sent: bool = Field(alias="stateofChargeIsSent")
    free_vending_with_idtag_allowed: bool
    utility_cloud_connection: UtilityCloudConnectionDetails | None


class IntegrationCreated(IntegrationDetails):
    initial_token: Annotated[
        str | None,
        Field(description="The token A the partner registers with: shown in this response only, never again"),
    ] = None
