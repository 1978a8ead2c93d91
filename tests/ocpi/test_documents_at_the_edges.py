"""Every OCPI document evroam serves or pushes validates against the schema of the version it is sent in.

The operator's data is taken to the edges of what the management API accepts (the longest strings,
every enum value, text that is not ASCII and grows when 2.1.1 transliterates it, empty optional lists),
made through the management API, published to one integration per OCPI version, and then every
document is checked: the ledger's (what list and object GETs serve), every push queued in the outbox,
and what the configuration modules answer (versions, version details, credentials, hubclientinfo).
2.2.1 is checked against the official OpenAPI files, 2.1.1 against `schemas/ocpi-2.1.1.yaml`.
"""

from __future__ import annotations

import base64
from typing import Any, get_args

import httpx
import orjson
import pytest
from sqlalchemy import select, update

from evroam.delivery.models import Delivery
from evroam.network.operators.models import Operator
from evroam.network.enums import Capability, ConnectorStandard, Facility, ImageCategory, ParkingType, PowerType
from evroam.network.enums import EnergySourceCategory, SocketStatus
from evroam.tariffs.schemas import DayOfWeek, TariffType
from tests.integrations.factories import API, INTEGRATIONS, IMAGE, add_location, make_integration, ok, tariff_body
from tests.ocpi.factories import documents, set_integration, version_schema_errors
from tests.support.ocpi_partner import register_partner

VERSIONS = ("2.2.1", "2.1.1")


def text(length: int, words: str) -> str:
    """`words` repeated, space separated, to exactly `length` characters."""
    repeated = " ".join([words] * (length // len(words) + 1))
    return repeated[:length].rstrip() + "x" * (length - len(repeated[:length].rstrip()))


# Non-ASCII text that 2.1.1's transliteration makes longer (ß -> ss, Œ -> OE, € -> EUR).
GROWS = "Straße Œuvre 5€ Ålandsgade"
ADDRESS = text(255, "Pohjoisesplanadi 11–13, sisäpiha, rappu B, kerros 3 vasemmalla, Straße")
DIRECTIONS = [{"language": "fi", "text": text(512, "Ajo sisäpihalta – ”P-Satama” " + GROWS)},
              {"language": "en", "text": "Level 0"}]
BUSINESS = {"name": text(100, GROWS), "website": "https://owner.example.com/" + "a" * 200,
            "logo": {**IMAGE, "category": "OWNER"}}
ENERGY_MIX = {
    "isGreenEnergy": False,
    "energySources": [{"source": source, "percentage": 12.5} for source in get_args(EnergySourceCategory)],
    "environImpact": [{"category": "CARBON_DIOXIDE", "amount": 372.5}, {"category": "NUCLEAR_WASTE", "amount": 0.0006}],
    "supplierName": text(64, GROWS),
    "energyProductName": text(64, GROWS),
}
OPENING_HOURS = (
    {"twentyfourseven": True, "exceptionalClosings": [{"periodBegin": "2026-06-19T00:00:00Z",
                                                       "periodEnd": "2026-06-20T00:00:00Z"}]},
    {"twentyfourseven": False, "regularHours": [{"weekday": 7, "periodBegin": "00:00", "periodEnd": "23:59"}]},
    {"twentyfourseven": False},
)


def edge_site(parking_type: str, opening_times: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": text(255, GROWS), "publicName": text(255, GROWS), "externalId": "E" * 100,
        "timezone": "America/Argentina/ComodRivadavia", "country": "DEU", "state": text(45, "Nordrhein-Westfalen"),
        "city": text(45, "Großweißenbrunn"), "streetAddress": ADDRESS, "postalCode": "ßß-1234567",
        "latitude": -89.999999, "longitude": -179.999999, "parkingType": parking_type,
        "facilities": list(get_args(Facility)), "openingTimes": opening_times, "chargingWhenClosed": False,
        "directions": DIRECTIONS,
        "images": [{**IMAGE, "category": category} for category in get_args(ImageCategory)],
        "energyMix": ENERGY_MIX, "owner": BUSINESS, "suboperator": BUSINESS,
        "relatedLocations": [{"latitude": 0, "longitude": 0, "name": DIRECTIONS[0]}],
    }


def every_socket() -> list[dict[str, Any]]:
    """One socket per connector standard, cycling through power types, formats and statuses."""
    powers, formats, statuses = get_args(PowerType), ("SOCKET", "CABLE"), get_args(SocketStatus)
    return [
        {"id": number, "type": standard, "format": formats[number % 2], "socketPowerType": powers[number % len(powers)],
         "status": statuses[number % len(statuses)], "maxPower": 350, "evseId": f"DE*EVR*E{number:0>30}"}
        for number, standard in enumerate(get_args(ConnectorStandard), start=1)
    ]


async def make_network(client: httpx.AsyncClient) -> tuple[list[int], list[str]]:
    """A site per parking type (and opening hours variant), chargers at the first; the tariffs."""
    site_ids = [
        ok(await client.post(f"{API}/sites", json=edge_site(parking, OPENING_HOURS[index % 3])), 201)["id"]
        for index, parking in enumerate(get_args(ParkingType))
    ]
    chargers = [
        {"chargerId": "S" * 64, "name": "N" * 255, "siteId": site_ids[0], "sockets": every_socket(),
         "capabilities": list(get_args(Capability))},
        {"chargerId": "U" * 64, "name": "Unsplit", "siteId": site_ids[0], "splitEvseBySocket": False,
         "activeConnection": False, "evseId": f"DE*EVR*E{'9' * 30}", "sockets": every_socket()[2:5]},
        {"chargerId": "EMPTY", "name": "No sockets yet", "siteId": site_ids[0]},
    ]
    for charger in chargers:
        ok(await client.post(f"{API}/chargers", json=charger), 201)
    alt_text = [{"language": "fi", "text": text(512, "Hinta – “0,29 €/kWh” " + GROWS)}]
    elements = [
        *tariff_body()["elements"],
        {"priceComponents": [{"type": kind, "price": 0.1, "vat": 0, "stepSize": 0}
                             for kind in ("ENERGY", "FLAT", "TIME", "PARKING_TIME")],
         "restrictions": {"dayOfWeek": list(get_args(DayOfWeek))}},
        {"priceComponents": [{"type": "FLAT", "price": 2}], "restrictions": {"reservation": "RESERVATION_EXPIRES"}},
        {"priceComponents": [{"type": "ENERGY_SPOT", "margin": 0.02, "priceCap": 0.5, "biddingZone": "FI"},
                             {"type": "MONTHLY_FLAT", "price": 10}]},
        {"priceComponents": [{"type": "ENERGY", "price": 0.3}], "restrictions": {}},
    ]
    tariff_ids = [
        ok(await client.post(f"{API}/tariffs", json=tariff_body(
            type=kind, tariffAltText=alt_text, tariffAltUrl="https://example.com/" + "p" * 235, elements=elements,
            tariffEnergyMix=ENERGY_MIX)), 201)["id"]
        for kind in (*get_args(TariffType), None)
    ]
    return site_ids, tariff_ids


STANDALONE = {
    "name": text(255, GROWS), "address": ADDRESS, "city": text(45, "Großweißenbrunn"), "postalCode": "ßß-1234567",
    "country": "DEU", "state": text(45, "Nordrhein-Westfalen"), "coordinates": {"latitude": 89.999999,
                                                                                 "longitude": 179.999999},
    "timezone": "Europe/Berlin", "parkingType": "OTHER", "facilities": [], "images": [], "directions": [],
    "relatedLocations": [], "openingTimes": {"twentyfourseven": False, "regularHours": []},
    "locationEnergyMix": {"isGreenEnergy": True}, "owner": BUSINESS,
}
PUBLISH_ALLOWED_TO = [
    {"uid": "U" * 36, "type": token_type, "visualNumber": text(64, GROWS), "issuer": text(64, GROWS),
     "groupId": "G" * 36}
    for token_type in ("AD_HOC_USER", "APP_USER", "OTHER", "RFID")
]


async def publish_everything(client: httpx.AsyncClient, runtime, version: str, sites: list[int],
                             tariffs: list[str]) -> str:
    integration_id = (await make_integration(client))["integrationId"]
    receivers = {"version": version, "endpoints": [
        {"identifier": module, "url": f"https://emsp.example.com/{version}/{module}",
         **({} if version == "2.1.1" else {"role": "RECEIVER"})} for module in ("locations", "tariffs")]}
    await set_integration(runtime, integration_id, ocpi_version=version, integration_status="CONNECTED",
                          version_details=receivers)
    location_ids = [(await add_location(client, integration_id, {"siteId": site_id}))["id"] for site_id in sites]
    await add_location(client, integration_id, {**STANDALONE, "chargerIds": []})
    await add_location(client, integration_id, {key: value for key, value in STANDALONE.items() if key != "postalCode"})
    await add_location(client, integration_id, {**STANDALONE, "publish": False, "publishAllowedTo": PUBLISH_ALLOWED_TO})
    for tariff_id in tariffs:
        links = {"locations": [{"locationId": location_ids[0], "chargers": [{"chargerId": "S" * 64}]}]}
        ok(await client.post(f"{INTEGRATIONS}/{integration_id}/tariffs/{tariff_id}", json=links))
    return integration_id


def errors_of(version: str, name: str, document: Any) -> list[str]:
    return [f"{name} {document.get('id') or document.get('uid') or ''}: {error}"
            for error in version_schema_errors(version, name, document)]


async def name_the_operator_at_the_edge(runtime) -> None:
    """The operator (no management API changes it): BusinessDetails in every location and the credentials."""
    async with runtime.sessions() as session:
        await session.execute(update(Operator).values(name=text(100, GROWS),
                                                      website="https://cpo.example.com/" + "w" * 200))
        await session.commit()


@pytest.mark.parametrize("version", VERSIONS)
async def test_published_documents_and_pushes_fit_their_version(client, runtime, version):
    await name_the_operator_at_the_edge(runtime)
    sites, tariffs = await make_network(client)
    integration_id = await publish_everything(client, runtime, version, sites, tariffs)
    # Only a status changes: pushed as a PATCH of the EVSE.
    ok(await client.patch(f"{API}/chargers/{'S' * 64}/sockets/3", json={"status": "Faulted"}))
    found: list[str] = []
    async with runtime.sessions() as session:
        locations = await documents(session, integration_id, "locations")
        published_tariffs = await documents(session, integration_id, "tariffs")
        pushes = (await session.scalars(select(Delivery).where(Delivery.integration_id == integration_id))).all()
    assert len(locations) >= len(sites) + 1 and len(published_tariffs) == len(tariffs)
    assert any(len(evse["connectors"]) > 1 for location in locations.values() for evse in location["evses"])
    assert {push.method for push in pushes} == {"PUT", "PATCH"}
    for location in locations.values():
        found += errors_of(version, "Location", location)
    for tariff in published_tariffs.values():
        found += errors_of(version, "Tariff", tariff)
    schema_of = {("locations", "PUT"): "Location", ("tariffs", "PUT"): "Tariff", ("locations", "PATCH"): "EVSEPatch"}
    for push in pushes:
        if push.body is not None:
            found += errors_of(version, schema_of[(push.module, push.method)], orjson.loads(push.body))
    assert found == []


@pytest.mark.parametrize("version", VERSIONS)
async def test_configuration_documents_fit_their_version(app, runtime, version):
    partner = await register_partner(runtime, version)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": partner.authorization}) as ocpi:
        listed = ok(await ocpi.get("/ocpi/versions"))["data"]
        details = ok(await ocpi.get(f"/ocpi/{version}"))["data"]
        credentials = ok(await ocpi.get(f"/ocpi/{version}/credentials"))["data"]
        found = [error for item in listed for error in errors_of(version, "Version", item)]
        found += errors_of(version, "VersionDetails", details) + errors_of(version, "Credentials", credentials)
        if version == "2.2.1":
            info = {"party_id": "EXA", "country_code": "NL", "role": "EMSP", "status": "CONNECTED",
                    "last_updated": "2025-03-01T10:00:00Z"}
            assert (await ocpi.put("/ocpi/2.2.1/hubclientinfo/NL/EXA", json=info)).status_code == 201
            found += errors_of(version, "ClientInfo", ok(await ocpi.get("/ocpi/2.2.1/hubclientinfo/NL/EXA"))["data"])
    assert found == []


async def test_2_1_1_credentials_carry_the_operator_name_in_ascii(app, runtime):
    await name_the_operator_at_the_edge(runtime)
    partner = await register_partner(runtime, "2.1.1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": partner.authorization}) as ocpi:
        credentials = ok(await ocpi.get("/ocpi/2.1.1/credentials"))["data"]
    assert errors_of("2.1.1", "Credentials", credentials) == []
