"""Request shapes of /integrations (the platform's update body, also used to create) and the list item.

In an update, a field left out changes nothing. `null` clears optional values (approvedPartyId,
platformIntegrationId, thirdParty*, customerRoles, a `models` flag: back to its default); for the
settings that always have a value (integrationName, chargingPeriodIntervalInMinutes, ...) null
changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StringConstraints

from evroam.api.schemas import CamelModel, RequestModel
from evroam.integrations.enums import CustomerRole, IntegrationStatus, IntegrationType, PartnerRole
from evroam.outbound.policy import fit_to_call

Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
# Partner URLs evroam will call: the outbound guard's rules apply at input.
# U+0085 is spelled out: it is whitespace to the server's regex engine, not to JSON Schema's (ECMA-262).
Url = Annotated[str, StringConstraints(max_length=255, pattern=r"^https?://[^\s\x85/?#@]+[^\s\x85]*$"),
                AfterValidator(fit_to_call)]
# OCPI string(64) of printable ASCII: what a partner's token may hold.
PartnerToken = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]
Interval = Annotated[int, Field(ge=1, le=1440, description="Minutes, 1 to 1440; default 15")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class ModelsIn(RequestModel):
    push_cdr: StrictBool | None = None
    push_session: StrictBool | None = None
    push_tariff: StrictBool | None = None
    push_location: StrictBool | None = None
    pull_tokens_all: StrictBool | None = None
    pull_tariff: StrictBool | None = None
    pull_location: StrictBool | None = None
    pull_session: StrictBool | None = None
    pull_cdr: StrictBool | None = None
    pull_version_details: StrictBool | None = None
    # The same settings exist at the top level of the body; there they win.
    charging_period_interval_in_minutes: Interval | None = None
    state_of_charge_is_sent: StrictBool | None = Field(default=None, alias="stateofChargeIsSent")


class OcpiConnectionIn(RequestModel):
    """The partner's versions URL and the token A it gave us: we register with them (we are SENDER)."""

    endpoint_url: Url
    initial_token: PartnerToken
    initial_role: PartnerRole | None = None


class UtilityCloudConnectionIn(RequestModel):
    tenant: ShortText | None = None
    client_id: ShortText | None = None
    client_secret: Annotated[str, StringConstraints(min_length=1, max_length=512)] | None = None
    metered_values_are_sent: StrictBool | None = None
    activate_connection: StrictBool | None = None


class SalesforceConnectionIn(RequestModel):
    endpoint_url: Url | None = None
    activate_connection: StrictBool | None = None


class IntegrationUpdate(RequestModel):
    retry_credentials_exchange: StrictBool | None = None
    models: ModelsIn | None = None
    integration_type: IntegrationType | None = None
    integration_name: Name | None = None
    approved_party_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    ocpi_connection: OcpiConnectionIn | None = None
    customer_roles: list[CustomerRole] | None = None
    platform_integration_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    third_party_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3}$")] | None = None
    third_party_country_code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    charging_period_interval_in_minutes: Interval | None = None
    state_of_charge_is_sent: StrictBool | None = None
    # Not in the platform's update body, but shown in its details: settable here so it is not read-only.
    free_vending_with_idtag_allowed: StrictBool | None = None
    utility_cloud_connection: UtilityCloudConnectionIn | None = None
    salesforce_connection: SalesforceConnectionIn | None = None


class IntegrationCreate(IntegrationUpdate):
    integration_type: IntegrationType = "OCPI"
    integration_name: Name


class IntegrationSummary(CamelModel):
    integration_id: str
    integration_type: IntegrationType
    integration_name: str
    integration_status: IntegrationStatus
    status_description: str | None = None
