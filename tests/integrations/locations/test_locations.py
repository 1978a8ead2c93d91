"""/api/v2/cpo/integrations/{id}/locations on both engines: site-backed and standalone locations."""

from __future__ import annotations

import pytest

from tests.integrations.factories import (
    API,
    INTEGRATIONS,
    PUBLISH_ALLOWED_TO,
    STANDALONE,
    add_location,
    make_charger,
    make_integration,
    make_site,
    ok,
)


@pytest.fixture
async def integration_id(client) -> str:
    return (await make_integration(client))["integrationId"]


def locations_url(integration_id: str) -> str:
    return f"{INTEGRATIONS}/{integration_id}/locations"


def charger_ids(location: dict) -> list[str]:
    return [charger["chargerID"] for charger in location["chargers"]]


async def test_site_backed_holds_every_charger_now_and_later(client, integration_id, changes):
    site_id = await make_site(client)
    await make_charger(client, site_id, "H-2")
    await make_charger(client, site_id, "H-1", sockets=1)
    location = await add_location(client, integration_id, {"siteId": site_id})
    assert changes[-1].integration_ids == frozenset({integration_id})
    assert location["siteId"] == site_id and location["publish"] is True and location["publishAllowedTo"] == []
    assert location["name"] == "Harbour P-Satama", "the site's public name"
    assert location["address"] == "Satamakatu 1" and location["timezone"] == "Europe/Helsinki"
    assert location["coordinates"] == {"latitude": "60.167000", "longitude": "24.952000"}
    assert charger_ids(location) == ["H-1", "H-2"]
    first = location["chargers"][0]
    assert first["amountOfSockets"] == 1 and first["chargerGroupID"] == 7 and first["activeConnection"] is True
    assert first["sockets"] == [{"id": 1, "type": "IEC_62196_T2", "status": "Available", "format": "SOCKET",
                                 "socketPowerType": "AC_3_PHASE", "tariffIds": []}]

    await make_charger(client, site_id, "H-3")
    fetched = ok(await client.get(f"{locations_url(integration_id)}/{location['id']}"))
    assert charger_ids(fetched) == ["H-1", "H-2", "H-3"]
    details = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
    assert [loc["id"] for loc in details["locations"]] == [location["id"]]


async def test_site_backed_excluding_chargers(client, integration_id):
    site_id = await make_site(client)
    other_site = await make_site(client, name="Airport")
    await make_charger(client, site_id, "H-1")
    await make_charger(client, site_id, "H-2")
    await make_charger(client, other_site, "A-1")
    empty = await add_location(client, integration_id, {"siteId": site_id, "excludeChargers": True,
                                                         "publish": False, "publishAllowedTo": PUBLISH_ALLOWED_TO})
    assert empty["chargers"] == [] and empty["publish"] is False
    assert empty["publishAllowedTo"] == PUBLISH_ALLOWED_TO

    picked = await add_location(client, integration_id, {"siteId": other_site, "excludeChargers": True,
                                                          "chargerIds": ["A-1", "A-1"]})
    assert charger_ids(picked) == ["A-1"]

    depot = await make_site(client, name="Depot")
    wrong_site = await client.post(locations_url(integration_id), json={
        "siteId": depot, "excludeChargers": True, "chargerIds": ["H-1"]})
    assert wrong_site.status_code == 400 and wrong_site.json()["details"][0]["field"] == "chargerIds.0"


async def test_site_backed_refusals(client, other_client, integration_id):
    site_id = await make_site(client)
    await make_charger(client, site_id, "H-1")
    url = locations_url(integration_id)

    with_picks = await client.post(url, json={"siteId": site_id, "chargerIds": ["H-1"]})
    assert with_picks.status_code == 400 and with_picks.json()["details"][0]["field"] == "chargerIds"
    with_fields = await client.post(url, json={"siteId": site_id, "name": "Mine"})
    assert with_fields.status_code == 400 and with_fields.json()["details"][0]["field"] == "name"
    unknown_site = await client.post(url, json={"siteId": 999})
    assert unknown_site.status_code == 400 and unknown_site.json()["details"][0]["field"] == "siteId"
    theirs = await make_site(other_client)
    assert (await client.post(url, json={"siteId": theirs})).status_code == 400
    wrong_pick = await client.post(url, json={"siteId": site_id, "excludeChargers": True, "chargerIds": ["nope"]})
    assert wrong_pick.status_code == 400 and wrong_pick.json()["details"][0]["field"] == "chargerIds.0"

    location = await add_location(client, integration_id, {"siteId": site_id})
    again = await client.post(url, json={"siteId": site_id})
    assert again.status_code == 409 and again.json()["details"][0]["field"] == "siteId"
    patch = await client.patch(f"{url}/{location['id']}", json={"publish": False})
    assert patch.status_code == 409
    # A charger is published once per integration: the site's charger cannot be picked elsewhere.
    twice = await client.post(url, json={**STANDALONE, "chargerIds": ["H-1"]})
    assert twice.status_code == 409 and twice.json()["details"][0]["field"] == "chargerIds.0"
    assert ok(await client.get(url))["totalRecords"] == 1


async def test_standalone_location(client, integration_id, changes):
    site_id = await make_site(client)
    await make_charger(client, site_id, "K-1")
    await make_charger(client, site_id, "K-2")
    url = locations_url(integration_id)
    location = await add_location(client, integration_id, {**STANDALONE, "chargerIds": ["K-2"],
                                                            "publishAllowedTo": PUBLISH_ALLOWED_TO})
    assert location["siteId"] is None and location["name"] == "Market square kiosk"
    assert location["coordinates"] == {"latitude": "60.167500", "longitude": "24.952500"}
    assert location["address"] == "Kauppatori 1" and location["parkingType"] == "ON_STREET"
    assert location["locationEnergyMix"]["supplierName"] == "Green Power Oy"
    assert location["openingTimes"]["regularHours"][0] == {"weekday": 1, "periodBegin": "06:00", "periodEnd": "23:00"}
    assert location["relatedLocations"][0]["latitude"] == "60.167500"
    assert charger_ids(location) == ["K-2"]

    changes.clear()
    patched = ok(await client.patch(f"{url}/{location['id']}", json={
        "name": "Kiosk", "chargerIds": ["K-1", "K-2"], "facilities": None, "publish": False}))
    assert patched["name"] == "Kiosk" and patched["facilities"] == [] and patched["publish"] is False
    assert patched["city"] == "Helsinki" and charger_ids(patched) == ["K-1", "K-2"]
    assert patched["lastUpdated"] > location["lastUpdated"]
    assert changes[-1].integration_ids == frozenset({integration_id})

    minimal = await add_location(client, integration_id, {key: STANDALONE[key] for key in
                                                          ("name", "address", "city", "country", "coordinates",
                                                           "timezone")})
    assert minimal["images"] == [] and minimal["owner"] is None and minimal["postalCode"] is None
    assert minimal["chargers"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"coordinates": {"latitude": 91, "longitude": 0}}, "coordinates.latitude"),
        ({"country": "FI"}, "country"),
        ({"parkingType": "ROOF"}, "parkingType"),
        ({"chargerIds": ["nope"]}, "chargerIds.0"),
        ({"publishAllowedTo": [{"type": "CASH"}]}, "publishAllowedTo.0.type"),
    ],
)
async def test_standalone_bad_input(client, integration_id, change, field):
    url = locations_url(integration_id)
    created = await client.post(url, json={**STANDALONE, **change})
    assert created.status_code == 400, created.text
    assert field in [detail["field"] for detail in created.json()["details"]]
    location = await add_location(client, integration_id, STANDALONE)
    patched = await client.patch(f"{url}/{location['id']}", json={"city": "Espoo", **change})
    assert patched.status_code == 400 and field in [d["field"] for d in patched.json()["details"]]
    assert ok(await client.get(f"{url}/{location['id']}"))["city"] == "Helsinki"


async def test_standalone_needs_its_fields(client, integration_id):
    body = {key: value for key, value in STANDALONE.items() if key != "address"}
    response = await client.post(locations_url(integration_id), json=body)
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "address"
    excluded = await client.post(locations_url(integration_id), json={**STANDALONE, "excludeChargers": True})
    assert excluded.status_code == 400 and excluded.json()["details"][0]["field"] == "excludeChargers"


async def test_list_and_delete(client, integration_id, changes):
    url = locations_url(integration_id)
    assert ok(await client.get(url)) == {"page": 1, "limit": 100, "totalRecords": 0, "hasNextPage": False,
                                         "hasPreviousPage": False, "items": []}
    ids = [(await add_location(client, integration_id, {**STANDALONE, "name": f"L{n}"}))["id"] for n in range(3)]
    page = ok(await client.get(url, params={"limit": 2}))
    assert page["totalRecords"] == 3 and page["hasNextPage"] is True
    assert [item["id"] for item in page["items"]] == ids[:2] and page["items"][0]["name"] == "L0"
    assert [item["id"] for item in ok(await client.get(url, params={"page": 2, "limit": 2}))["items"]] == ids[2:]

    changes.clear()
    assert (await client.delete(f"{url}/{ids[0]}")).status_code == 204
    assert changes[-1].integration_ids == frozenset({integration_id})
    assert (await client.get(f"{url}/{ids[0]}")).status_code == 404
    assert (await client.delete(f"{url}/{ids[0]}")).status_code == 404
    assert [loc["id"] for loc in ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))["locations"]] == ids[1:]


async def test_other_operator_and_other_integration(client, other_client, integration_id):
    location = await add_location(client, integration_id, STANDALONE)
    url = f"{locations_url(integration_id)}/{location['id']}"
    assert (await other_client.get(locations_url(integration_id))).status_code == 404
    assert (await other_client.post(locations_url(integration_id), json=STANDALONE)).status_code == 404
    assert (await other_client.get(url)).status_code == 404
    assert (await other_client.patch(url, json={"name": "x"})).status_code == 404
    assert (await other_client.delete(url)).status_code == 404

    second = (await make_integration(client, integrationName="Second"))["integrationId"]
    assert (await client.get(f"{locations_url(second)}/{location['id']}")).status_code == 404
    assert (await client.delete(f"{locations_url(second)}/{location['id']}")).status_code == 404
    assert ok(await client.get(url))["name"] == STANDALONE["name"]


async def test_deleting_the_integration_or_site_removes_its_locations(client, integration_id):
    site_id = await make_site(client)
    await add_location(client, integration_id, {"siteId": site_id})
    refused = await client.delete(f"{API}/sites/{site_id}")
    assert refused.status_code == 409, "a published site is protected by the sites API"
    assert (await client.delete(f"{INTEGRATIONS}/{integration_id}")).status_code == 204
    assert (await client.get(locations_url(integration_id))).status_code == 404
    assert (await client.delete(f"{API}/sites/{site_id}")).status_code == 204
