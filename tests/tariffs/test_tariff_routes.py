"""/api/v2/cpo/tariffs on both engines: the platform's tariff shape, its validation, lastUpdated,
the changes announced, and what another operator sees."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from evroam.events import Change
from evroam.integrations.models import Integration
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.tariff_links.models import TariffLink
from evroam.tariffs.models import Tariff
from evroam.tariffs.pricing.parsing import parse_tariff

TARIFFS = "/api/v2/cpo/tariffs"

SPOT = {
    "type": "ENERGY_SPOT",
    "vat": 25.5,
    "margin": 0.02,
    "marginPercentage": 10,
    "priceCap": 0.18,
    "costPercentage": 30,
    "biddingZone": "FI",
}
TARIFF = {
    "name": "Harbour public",
    "externalId": "EXT-1",
    "currency": "EUR",
    "common": True,
    "useType": "PRICE",
    "type": "REGULAR",
    "tariffAltText": [{"language": "en", "text": "0.25 EUR/kWh, 2 EUR/h after 2 h"}],
    "tariffAltUrl": "https://example.com/prices",
    "minPrice": {"exclVat": 0.5, "inclVat": 0.63},
    "maxPrice": {"exclVat": 50, "inclVat": 62.75},
    "elements": [
        {"priceComponents": [{"type": "ENERGY", "price": 0.25, "vat": 25.5, "stepSize": 1}]},
        {
            "priceComponents": [{"type": "TIME", "price": 2, "vat": 25.5, "stepSize": 60}],
            "restrictions": {
                "startTime": "08:00",
                "endTime": "20:00",
                "startDate": "2026-01-01",
                "endDate": "2027-01-01",
                "minDuration": 7200,
                "maxDuration": 86400,
                "minKwh": 0,
                "maxKwh": 100.5,
                "minCurrent": 6,
                "maxCurrent": 32,
                "minPower": 1.4,
                "maxPower": 22,
                "dayOfWeek": ["MONDAY", "FRIDAY"],
            },
        },
        {"priceComponents": [{"type": "FLAT", "price": 1}], "restrictions": {"reservation": "RESERVATION"}},
        {"priceComponents": [SPOT, {**SPOT, "type": "ENERGY_SPOT_LOCKED", "biddingZone": "SE3"}]},
        {"priceComponents": [{"type": "MONTHLY_FLAT", "price": 9.9}, {"type": "SOCKET_COUNT", "price": 3}]},
    ],
    "startDateTime": "2026-01-01T00:00:00Z",
    "endDateTime": "2027-01-01T00:00:00+02:00",
    "tariffEnergyMix": {
        "isGreenEnergy": True,
        "energySources": [{"source": "WIND", "percentage": 60}, {"source": "SOLAR", "percentage": 40}],
        "supplierName": "Green Co",
    },
}
MINIMAL = {"name": "Simple", "currency": "EUR", "elements": [{"priceComponents": [{"type": "ENERGY", "price": 0.3}]}]}



async def create(client, body=None) -> dict:
    response = await client.post(TARIFFS, json=body or TARIFF)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_returns_the_platform_shape(client, changes):
    tariff = await create(client)
    assert str(uuid.UUID(tariff["id"])) == tariff["id"]
    assert tariff["created"] == tariff["lastUpdated"] and tariff["created"].endswith("Z")
    expected = {key: value for key, value in TARIFF.items() if key not in ("endDateTime",)}
    expected["elements"] = [
        {**element, "priceComponents": [{"stepSize": 1, **component} for component in element["priceComponents"]]}
        for element in TARIFF["elements"]
    ]
    expected["tariffEnergyMix"] = {**TARIFF["tariffEnergyMix"], "environImpact": []}
    assert {key: tariff[key] for key in expected} == expected
    assert tariff["endDateTime"] == "2026-12-31T22:00:00Z", "stored and shown in UTC"
    assert changes[-1] == Change(operator_id=changes[-1].operator_id, tariff_ids=frozenset({tariff["id"]}))
    assert (await client.get(f"{TARIFFS}/{tariff['id']}")).json() == tariff


async def test_defaults_of_a_minimal_tariff(client):
    tariff = await create(client, MINIMAL)
    assert tariff["useType"] == "PRICE" and tariff["common"] is False and tariff["tariffAltText"] == []
    assert tariff["elements"] == [{"priceComponents": [{"type": "ENERGY", "price": 0.3, "stepSize": 1}]}]
    for absent in ("type", "externalId", "minPrice", "maxPrice", "startDateTime", "tariffEnergyMix"):
        assert absent not in tariff


async def test_elements_are_stored_as_decimal_text_the_pricing_engine_reads(client, runtime):
    body = {**MINIMAL, "elements": [{"priceComponents": [{"type": "ENERGY", "price": "0.12345678", "vat": 24}]}]}
    tariff = await create(client, body)
    assert tariff["elements"][0]["priceComponents"][0]["price"] == 0.12345678
    async with runtime.sessions() as session:
        stored = await session.scalar(select(Tariff).where(Tariff.id == tariff["id"]))
    stored_component = {"type": "ENERGY", "price": "0.12345678", "vat": "24", "stepSize": 1}
    assert stored.elements == [{"priceComponents": [stored_component]}]

    full = await create(client)
    parsed = parse_tariff({**full, "elements": (await _stored(runtime, full["id"])).elements})
    assert parsed.currency == "EUR" and len(parsed.elements) == 5
    assert str(parsed.elements[0].components[0].price) == "0.25"
    assert parsed.elements[3].components[1].spot.bidding_zone == "SE3"


async def _stored(runtime, tariff_id: str) -> Tariff:
    async with runtime.sessions() as session:
        return await session.scalar(select(Tariff).where(Tariff.id == tariff_id))


async def test_list_pages_and_other_operator_sees_nothing(client, other_client):
    first = await create(client, MINIMAL)
    second = await create(client, {**MINIMAL, "name": "Second"})
    page = (await client.get(TARIFFS, params={"limit": 1})).json()
    assert page["totalRecords"] == 2 and page["hasNextPage"] is True and page["items"] == [first]
    page_two = (await client.get(TARIFFS, params={"limit": 1, "page": 2})).json()
    assert page_two["items"] == [second] and page_two["hasPreviousPage"] is True

    url = f"{TARIFFS}/{first['id']}"
    assert (await other_client.get(TARIFFS)).json()["totalRecords"] == 0
    assert (await other_client.get(url)).status_code == 404
    assert (await other_client.patch(url, json={"name": "Mine"})).status_code == 404
    assert (await other_client.delete(url)).status_code == 404
    assert (await client.get(url)).json() == first


async def test_patch_changes_given_fields_and_moves_last_updated_only_on_a_real_change(client, changes):
    tariff = await create(client)
    url = f"{TARIFFS}/{tariff['id']}"

    same = await client.patch(url, json={"name": "Harbour public", "maxPrice": {"exclVat": "50.0000", "inclVat": 62.75},
                                         "elements": TARIFF["elements"], "endDateTime": "2026-12-31T22:00:00Z"})
    assert same.status_code == 200, same.text
    assert same.json() == tariff, "restating the stored values is no change"
    assert changes[-1].tariff_ids == frozenset({tariff["id"]})

    changes.clear()
    renamed = await client.patch(url, json={"name": "Harbour 2026", "externalId": None, "tariffAltText": None})
    assert renamed.status_code == 200
    body = renamed.json()
    assert body["name"] == "Harbour 2026" and "externalId" not in body and body["tariffAltText"] == []
    assert body["lastUpdated"] > tariff["lastUpdated"] and body["created"] == tariff["created"]
    assert body["elements"] == tariff["elements"] and body["currency"] == "EUR"
    assert changes == [Change(operator_id=changes[0].operator_id, tariff_ids=frozenset({tariff["id"]}))]

    replaced = await client.patch(url, json={"elements": MINIMAL["elements"], "useType": 0})
    assert replaced.json()["elements"] == [{"priceComponents": [{"type": "ENERGY", "price": 0.3, "stepSize": 1}]}]
    assert replaced.json()["useType"] == "COST"
    assert (await client.get(url)).json() == replaced.json()


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"name": None}, "name", "cannot be null"),
        ({"elements": None}, "elements", "cannot be null"),
        ({"useType": None}, "useType", "cannot be null"),
        ({"elements": []}, "elements", None),
        ({"maxPrice": {"exclVat": 0.1}}, "maxPrice.exclVat", "must not be less than minPrice.exclVat"),
        ({"startDateTime": "2027-06-01T00:00:00Z"}, "endDateTime", "must be after startDateTime"),
        ({"currency": "eur"}, "currency", None),
    ],
)
async def test_bad_patch_changes_nothing(client, changes, body, field, problem):
    tariff = await create(client)
    changes.clear()
    response = await client.patch(f"{TARIFFS}/{tariff['id']}", json=body)
    assert response.status_code == 400, response.text
    detail = response.json()["details"][0]
    assert detail["field"] == field
    if problem:
        assert detail["problem"] == problem
    assert (await client.get(f"{TARIFFS}/{tariff['id']}")).json() == tariff
    assert changes == []


def _with_component(**component) -> dict:
    return {**MINIMAL, "elements": [{"priceComponents": [{"type": "ENERGY", "price": 0.3, **component}]}]}


def _with_restrictions(**restrictions) -> dict:
    return {**MINIMAL, "elements": [{"priceComponents": [{"type": "TIME", "price": 1}], "restrictions": restrictions}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MINIMAL, "currency": "EURO"}, "currency"),
        ({**MINIMAL, "currency": "eur"}, "currency"),
        ({**MINIMAL, "name": ""}, "name"),
        ({**MINIMAL, "useType": "FREE"}, "useType"),
        ({**MINIMAL, "useType": 3}, "useType"),
        ({**MINIMAL, "type": "CHEAP"}, "type"),
        ({**MINIMAL, "elements": []}, "elements"),
        ({**MINIMAL, "elements": [{"priceComponents": []}]}, "elements.0.priceComponents"),
        ({**MINIMAL, "tariffAltUrl": "not a url"}, "tariffAltUrl"),
        ({**MINIMAL, "tariffAltText": [{"language": "english", "text": "x"}]}, "tariffAltText.0.language"),
        ({**MINIMAL, "startDateTime": "2026-01-01T00:00:00"}, "startDateTime"),
        ({**MINIMAL, "minPrice": {"exclVat": -1}}, "minPrice.exclVat"),
        ({**MINIMAL, "minPrice": {"exclVat": 0.12345}}, "minPrice.exclVat"),
        (_with_component(type="GAS"), "elements.0.priceComponents.0.type"),
        (_with_component(type=9), "elements.0.priceComponents.0.type"),
        (_with_component(price=-0.01), "elements.0.priceComponents.0.price"),
        (_with_component(price=None), "elements.0.priceComponents.0.price"),
        (_with_component(price="NaN"), "elements.0.priceComponents.0.price"),
        (_with_component(price=1e300), "elements.0.priceComponents.0.price"),
        (_with_component(type="FLAT", price=None), "elements.0.priceComponents.0.price"),
        (_with_component(type="MONTHLY_FLAT", price=None), "elements.0.priceComponents.0.price"),
        (_with_component(vat=100.5), "elements.0.priceComponents.0.vat"),
        (_with_component(vat=-1), "elements.0.priceComponents.0.vat"),
        (_with_component(stepSize=-1), "elements.0.priceComponents.0.stepSize"),
        (_with_component(stepSize=1.5), "elements.0.priceComponents.0.stepSize"),
        (_with_component(marginPercentage=-1), "elements.0.priceComponents.0.marginPercentage"),
        (_with_component(costPercentage=-5), "elements.0.priceComponents.0.costPercentage"),
        (_with_component(type="ENERGY_SPOT"), "elements.0.priceComponents.0.biddingZone"),
        (_with_component(type="ENERGY_SPOT_LOCKED", price=None), "elements.0.priceComponents.0.biddingZone"),
        (_with_component(type="ENERGY_SPOT", biddingZone="fi"), "elements.0.priceComponents.0.biddingZone"),
        (_with_restrictions(startTime="25:00"), "elements.0.restrictions.startTime"),
        (_with_restrictions(endTime="8:00"), "elements.0.restrictions.endTime"),
        (_with_restrictions(startDate="2026-02-30"), "elements.0.restrictions.startDate"),
        (_with_restrictions(endDate="01.01.2026"), "elements.0.restrictions.endDate"),
        (_with_restrictions(minKwh=10, maxKwh=5), "elements.0.restrictions.maxKwh"),
        (_with_restrictions(minCurrent=32, maxCurrent=16), "elements.0.restrictions.maxCurrent"),
        (_with_restrictions(minPower=22, maxPower=11), "elements.0.restrictions.maxPower"),
        (_with_restrictions(minDuration=600, maxDuration=60), "elements.0.restrictions.maxDuration"),
        (_with_restrictions(maxDuration=1.5), "elements.0.restrictions.maxDuration"),
        (_with_restrictions(minKwh=-1), "elements.0.restrictions.minKwh"),
        (_with_restrictions(dayOfWeek=["FUNDAY"]), "elements.0.restrictions.dayOfWeek.0"),
        (_with_restrictions(reservation="MAYBE"), "elements.0.restrictions.reservation"),
        ({**MINIMAL, "elements": [{"priceComponents": [{"type": "TIME", "price": 1}, {"type": "ENERGY", "price": 1}],
                                   "restrictions": {"reservation": "RESERVATION_EXPIRES"}}]},
         "elements.0.priceComponents.1.type"),
        ({**MINIMAL, "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-01-01T02:00:00+02:00"},
         "endDateTime"),
        ({**MINIMAL, "minPrice": {"exclVat": 5, "inclVat": 6}, "maxPrice": {"exclVat": 5, "inclVat": 5.5}},
         "maxPrice.inclVat"),
    ],
)
async def test_bad_input_names_the_field(client, body, field):
    response = await client.post(TARIFFS, json=body)
    assert response.status_code == 400, response.text
    assert field in [detail["field"] for detail in response.json()["details"]], response.json()
    assert (await client.get(TARIFFS)).json()["totalRecords"] == 0


async def test_every_related_problem_is_reported_at_once(client):
    body = {
        **MINIMAL,
        "elements": [
            {"priceComponents": [{"type": "ENERGY_SPOT"}]},
            {
                "priceComponents": [{"type": "FLAT", "price": 1}, {"type": "TIME"}],
                "restrictions": {"minKwh": 2, "maxKwh": 1},
            },
        ],
    }
    response = await client.post(TARIFFS, json=body)
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"field": "elements.0.priceComponents.0.biddingZone", "problem": "is required for ENERGY_SPOT components"},
        {"field": "elements.1.priceComponents.1.price", "problem": "is required for TIME components"},
        {"field": "elements.1.restrictions.maxKwh", "problem": "must not be less than minKwh"},
    ]


async def test_v1_integer_codes_are_accepted(client):
    body = {**MINIMAL, "useType": 2, "elements": [{"priceComponents": [
        {"type": 0, "price": 0.2}, {"type": 7, "biddingZone": "DE-LU"}, {"type": 8, "price": 5},
    ]}]}  # fmt: skip
    tariff = await create(client, body)
    assert tariff["useType"] == "OTHER"
    types = [component["type"] for component in tariff["elements"][0]["priceComponents"]]
    assert types == ["ENERGY", "ENERGY_SPOT_LOCKED", "MONTHLY_FLAT"]
    assert (await client.post(TARIFFS, json={**MINIMAL, "common": True, "useType": True})).status_code == 400


async def _link(runtime, tariff_id: str, operator_id: int) -> str:
    async with runtime.sessions() as session:
        integration_id = str(uuid.uuid4())
        session.add(Integration(integration_id=integration_id, operator_id=operator_id, integration_name="Hub"))
        # Without a relationship the ORM orders one flush's inserts by model path, not by foreign key.
        await session.flush()
        location = IntegrationLocation(id=str(uuid.uuid4()), integration_id=integration_id, standalone={"name": "x"})
        session.add(location)
        await session.flush()
        session.add(TariffLink(integration_id=integration_id, tariff_id=tariff_id, location_id=location.id))
        await session.commit()
        return integration_id


async def test_delete_refuses_a_linked_tariff(client, runtime, changes):
    tariff = await create(client)
    integration_id = await _link(runtime, tariff["id"], changes[-1].operator_id)
    url = f"{TARIFFS}/{tariff['id']}"

    changes.clear()
    refused = await client.delete(url)
    assert refused.status_code == 409
    detail = refused.json()["details"][0]
    assert detail["field"] == "tariffId" and integration_id in detail["problem"] and "unlink" in detail["problem"]
    assert (await client.get(url)).status_code == 200 and changes == []

    async with runtime.sessions() as session:
        link = await session.scalar(select(TariffLink))
        await session.delete(link)
        await session.commit()
    assert (await client.delete(url)).status_code == 204
    assert changes == [Change(operator_id=changes[0].operator_id, deleted_tariff_ids=frozenset({tariff["id"]}))]
    assert (await client.get(url)).status_code == 404
    assert (await client.delete(url)).status_code == 404


async def test_bad_ids_and_keys(client):
    assert (await client.get(f"{TARIFFS}/{uuid.uuid4()}")).status_code == 404
    too_long = await client.get(f"{TARIFFS}/{'x' * 37}")
    assert too_long.status_code == 400 and too_long.json()["details"][0]["field"] == "tariffId"
    assert (await client.get(TARIFFS, headers={"x-api-key": "nope"})).status_code == 401
    assert (await client.post(TARIFFS, json=MINIMAL, headers={"x-api-key": ""})).status_code == 401
