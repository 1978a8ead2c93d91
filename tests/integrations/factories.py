"""Sites, chargers, tariffs and integrations for the integration tests, made through the API."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from evroam.integrations.models import Integration
from evroam.runtime import Runtime

API = "/api/v2/cpo"
INTEGRATIONS = f"{API}/integrations"

IMAGE = {
    "url": "https://img.example.com/harbour.jpg",
    "thumbnail": "https://img.example.com/harbour-thumb.jpg",
    "category": "LOCATION",
    "type": "jpeg",
    "width": 1200,
    "height": 800,
}
BUSINESS = {
    "name": "Harbour Parking Oy", "website": "https://harbour.example.com", "logo": {**IMAGE, "category": "OWNER"}
}
ENERGY_MIX = {
    "isGreenEnergy": True,
    "energySources": [{"source": "WIND", "percentage": 70}, {"source": "WATER", "percentage": 30}],
    "environImpact": [{"category": "CARBON_DIOXIDE", "amount": 0}],
    "supplierName": "Green Power Oy",
    "energyProductName": "Wind and water",
}
OPENING_TIMES = {
    "twentyfourseven": False,
    "regularHours": [{"weekday": day, "periodBegin": "06:00", "periodEnd": "23:00"} for day in range(1, 8)],
    "exceptionalOpenings": [{"periodBegin": "2026-12-24T23:00:00Z", "periodEnd": "2026-12-25T06:00:00Z"}],
    "exceptionalClosings": [{"periodBegin": "2026-06-19T00:00:00Z", "periodEnd": "2026-06-20T00:00:00Z"}],
}
DIRECTIONS = [{"language": "en", "text": "Enter from Satamakatu, level 0"}]
RELATED = [{"latitude": "60.167500", "longitude": "24.953000", "name": {"language": "en", "text": "Pedestrian exit"}}]

# A site with every optional field, so a site-backed location shows every field of the seed filled.
FULL_SITE = {
    "name": "Harbour car park",
    "publicName": "Harbour P-Satama",
    "externalId": "HEL-001",
    "timezone": "Europe/Helsinki",
    "country": "FIN",
    "state": "Uusimaa",
    "city": "Helsinki",
    "streetAddress": "Satamakatu 1",
    "postalCode": "00160",
    "latitude": 60.167,
    "longitude": 24.952,
    "parkingType": "PARKING_GARAGE",
    "facilities": ["CAFE", "WIFI"],
    "openingTimes": OPENING_TIMES,
    "chargingWhenClosed": True,
    "directions": DIRECTIONS,
    "images": [IMAGE],
    "energyMix": ENERGY_MIX,
    "owner": BUSINESS,
    "suboperator": {**BUSINESS, "name": "Satama Charging Oy"},
    "relatedLocations": RELATED,
}
# The standalone location's own fields: the same information, spelled as the details spell it.
STANDALONE = {
    "name": "Market square kiosk",
    "address": "Kauppatori 1",
    "city": "Helsinki",
    "postalCode": "00170",
    "country": "FIN",
    "state": "Uusimaa",
    "coordinates": {"latitude": 60.1675, "longitude": 24.9525},
    "timezone": "Europe/Helsinki",
    "parkingType": "ON_STREET",
    "facilities": ["BUS_STOP"],
    "openingTimes": OPENING_TIMES,
    "images": [IMAGE],
    "directions": DIRECTIONS,
    "locationEnergyMix": ENERGY_MIX,
    "owner": BUSINESS,
    "suboperator": {**BUSINESS, "name": "Kiosk Charging Oy"},
    "relatedLocations": RELATED,
    "chargingWhenClosed": False,
}
PUBLISH_ALLOWED_TO = [
    {"uid": "012345678", "type": "RFID", "visualNumber": "DE-EMS-0001", "issuer": "Test eMSP", "groupId": "FLEET-1"}
]


def socket(number: int, **overrides: Any) -> dict[str, Any]:
    return {"id": number, "type": "IEC_62196_T2", "format": "SOCKET", "socketPowerType": "AC_3_PHASE",
            "maxPower": 22, **overrides}


def tariff_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Public AC",
        "externalId": "AC-1",
        "currency": "EUR",
        "common": True,
        "useType": "PRICE",
        "type": "REGULAR",
        "tariffAltText": [{"language": "en", "text": "0.29 EUR/kWh"}],
        "tariffAltUrl": "https://example.com/prices",
        "minPrice": {"exclVat": 0.5, "inclVat": 0.63},
        "maxPrice": {"exclVat": 50, "inclVat": 62.75},
        "elements": [
            {
                "priceComponents": [
                    {"type": "TIME", "price": 2.5, "vat": 25.5, "stepSize": 60, "margin": 0.01,
                     "marginPercentage": 5, "priceCap": 0.5, "costPercentage": 10, "biddingZone": "FI"}
                ],
                "restrictions": {
                    "startTime": "08:00", "endTime": "20:00", "startDate": "2026-01-01", "endDate": "2027-01-01",
                    "minKwh": 0, "maxKwh": 100, "minCurrent": 6, "maxCurrent": 32, "minPower": 1.4,
                    "maxPower": 22, "minDuration": 0, "maxDuration": 86400, "dayOfWeek": ["MONDAY"],
                    "reservation": "RESERVATION",
                },
            },
            {"priceComponents": [{"type": "ENERGY", "price": 0.35, "vat": 25.5}]},
        ],
        "startDateTime": "2026-01-01T00:00:00Z",
        "endDateTime": "2027-01-01T00:00:00Z",
        "tariffEnergyMix": ENERGY_MIX,
        **overrides,
    }


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def make_site(client: httpx.AsyncClient, **overrides: Any) -> int:
    return (ok(await client.post(f"{API}/sites", json={**FULL_SITE, **overrides}), 201))["id"]


async def make_charger(client: httpx.AsyncClient, site_id: int, charger_id: str, sockets: int = 2) -> str:
    body = {
        "chargerId": charger_id,
        "name": f"Charger {charger_id}",
        "siteId": site_id,
        "chargerGroupId": 7,
        "chargerGroupName": "Harbour group",
        "sockets": [socket(number) for number in range(1, sockets + 1)],
    }
    ok(await client.post(f"{API}/chargers", json=body), 201)
    return charger_id


async def make_tariff(client: httpx.AsyncClient, **overrides: Any) -> str:
    return (ok(await client.post(f"{API}/tariffs", json=tariff_body(**overrides)), 201))["id"]


async def make_integration(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """An OCPI integration where the partner registers with us (no ocpiConnection: we are RECEIVER)."""
    return ok(await client.post(INTEGRATIONS, json={"integrationName": "eMSP Nordic", **overrides}), 201)


async def add_location(client: httpx.AsyncClient, integration_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return ok(await client.post(f"{INTEGRATIONS}/{integration_id}/locations", json=body), 201)


async def record_registration(runtime: Runtime, integration_id: str) -> None:
    """The state a completed credentials exchange leaves (written by the OCPI side, not by this API)."""
    async with runtime.sessions() as session:
        await session.execute(
            update(Integration)
            .where(Integration.integration_id == integration_id)
            .values(
                integration_status="CONNECTED",
                status_description="Connected",
                ocpi_version="2.2.1",
                version_details={
                    "version": "2.2.1",
                    "endpoints": [
                        {"identifier": module, "role": "SENDER", "url": f"https://emsp.example.com/ocpi/2.2.1/{module}"}
                        for module in ("credentials", "tokens")
                    ],
                },
                partners_company_detail=[
                    {"role": "EMSP", "partyId": "EMS", "countryCode": "NL", "name": "Test eMSP",
                     "website": "https://emsp.example.com", "logo": {**IMAGE, "category": "OPERATOR"}}
                ],
            )
        )
        await session.commit()
