"""HubClientInfo Receiver, 2.2.1 (ocpi-notes §6): a Hub tells us which parties behind it are reachable.

Kept on the Hub's integration in `Integration.hub_client_info`: a list of ClientInfo objects as OCPI spells
them, `{party_id, country_code, role, status, last_updated}` (upper-case parties, `last_updated` in UTC
with Z), one per country_code/party_id. No routing headers on this module; no DELETE (a Hub suspends).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from evroam.api.deps import RuntimeDep
from evroam.integrations.models import Integration
from evroam.ocpi.protocol.auth import PartnerCaller
from evroam.ocpi.protocol.bodies import read_json, validated
from evroam.ocpi.protocol.datetimes import OcpiDateTime
from evroam.ocpi.credentials.codec import PATTERN_PROBLEMS, CountryCode, PartyId, Role
from evroam.ocpi.protocol.envelope import (
    INVALID_PARAMETERS,
    UNKNOWN_OBJECT,
    OcpiError,
    ocpi_response,
    ocpi_timestamp,
)


class ClientInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")

    party_id: PartyId
    country_code: CountryCode
    role: Role
    status: Literal["CONNECTED", "OFFLINE", "PLANNED", "SUSPENDED"]
    last_updated: OcpiDateTime

    def document(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id.upper(),
            "country_code": self.country_code.upper(),
            "role": self.role,
            "status": self.status,
            "last_updated": ocpi_timestamp(self.last_updated),
        }


class _Party(BaseModel):
    country_code: CountryCode
    party_id: PartyId


router = APIRouter(prefix="/2.2.1/hubclientinfo", tags=["hubclientinfo 2.2.1"])


def _party(country_code: str, party_id: str) -> tuple[str, str]:
    party = validated(_Party, {"country_code": country_code, "party_id": party_id}, PATTERN_PROBLEMS)
    return party.country_code.upper(), party.party_id.upper()


def _is(info: dict[str, Any], party: tuple[str, str]) -> bool:
    return (info.get("country_code", "").upper(), info.get("party_id", "").upper()) == party


@router.get("/{country_code}/{party_id}", summary="A ClientInfo as we store it")
@router.get("/{country_code}/{party_id}/", include_in_schema=False)
async def get_client_info(country_code: str, party_id: str, caller: PartnerCaller):
    party = _party(country_code, party_id)
    for info in caller.integration.hub_client_info or []:
        if _is(info, party):
            return ocpi_response(info)
    raise OcpiError(UNKNOWN_OBJECT, f"No ClientInfo for {party[0]}/{party[1]}", http_status=404)


@router.put("/{country_code}/{party_id}", summary="The Hub pushes a new or updated ClientInfo")
@router.put("/{country_code}/{party_id}/", include_in_schema=False)
async def put_client_info(country_code: str, party_id: str, request: Request, caller: PartnerCaller,
                          runtime: RuntimeDep):
    party = _party(country_code, party_id)
    info = validated(ClientInfo, await read_json(request), PATTERN_PROBLEMS).document()
    if (info["country_code"], info["party_id"]) != party:
        raise OcpiError(INVALID_PARAMETERS, "country_code/party_id of the URL and of the body differ")
    async with runtime.sessions() as session:
        # Locked so that two pushes for different parties cannot lose one another (PostgreSQL).
        row = await session.get(Integration, caller.integration.integration_id, with_for_update=True)
        others = [stored for stored in row.hub_client_info or [] if not _is(stored, party)]
        created = len(others) == len(row.hub_client_info or [])
        row.hub_client_info = [*others, info]
        await session.commit()
    return ocpi_response(None, http_status=201 if created else 200)
