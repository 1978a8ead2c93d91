"""Value sets of integrations, spelled as the platform spells them."""

from typing import Literal

IntegrationType = Literal["OCPI", "UtilityCloud", "Salesforce"]
IntegrationStatus = Literal["PENDING", "CONNECTING", "CONNECTED", "FAILED", "DISCONNECTED", "INACTIVE"]
CustomerRole = Literal["OpenData", "CPO", "EMSP", "HUB", "NAP", "NSP", "OTHER", "SCSP", "UNDEFINED"]
# OCPI 2.2.1 Role: the role we expect the partner to hold.
PartnerRole = Literal["CPO", "EMSP", "HUB", "NAP", "NSP", "OTHER", "SCSP"]
CredentialsExchangeRole = Literal["SENDER", "RECEIVER"]

# The push/pull switches of `models`; None (not given) means on, see IntegrationDetails.models.
MODEL_FLAGS: tuple[str, ...] = (
    "pushCdr", "pushSession", "pushTariff", "pushLocation", "pullTokensAll", "pullTariff", "pullLocation",
    "pullSession", "pullCdr", "pullVersionDetails",
)
