"""Whose tokens a partner may push to our Tokens Receiver: the eMSP parties its connection stands for.

- Parties it registered in the credentials exchange (`partners_company_detail`) as EMSP, or as OTHER
  (routed like an eMSP, ocpi-notes §2.5). A platform registers every party it hosts there, so a platform
  writes the tokens of each of its eMSPs and of no one else.
- A connection that registered the HUB role relays the tokens of the eMSPs behind it: the EMSP and
  OTHER parties of its ClientInfo list (`hub_client_info`, pushed to our HubClientInfo Receiver), whatever
  their status: the status says whether we can reach the party through the hub, not whose tokens they are.
- 2.1.1 tokens carry no party: they belong to the one party the 2.1.1 partner registered.

The operator's `third_party_*` setting only addresses our own calls; it grants nothing here.
"""

from __future__ import annotations

from evroam.integrations.models import Integration
from evroam.ocpi.protocol.client import Party

TOKEN_OWNER_ROLES = ("EMSP", "OTHER")


def _party(item: dict, country_code: str, party_id: str) -> Party | None:
    if item.get(country_code) and item.get(party_id):
        return Party(str(item[country_code]).upper(), str(item[party_id]).upper())
    return None


def registered_parties(integration: Integration) -> list[Party]:
    """Every party the partner registered, in its credentials' order (any role)."""
    found = (_party(detail, "countryCode", "partyId") for detail in integration.partners_company_detail or [])
    return [party for party in found if party is not None]


def token_owners(integration: Integration) -> set[Party]:
    """The parties whose tokens this 2.2.1 connection may write."""
    details = integration.partners_company_detail or []
    owners = {party for detail in details if detail.get("role") in TOKEN_OWNER_ROLES
              and (party := _party(detail, "countryCode", "partyId")) is not None}
    if any(detail.get("role") == "HUB" for detail in details):
        owners |= {party for info in integration.hub_client_info or [] if info.get("role") in TOKEN_OWNER_ROLES
                   and (party := _party(info, "country_code", "party_id")) is not None}
    return owners
