"""GET integration details against the seed page: every field of its example, spelled as there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import event

from tests.integrations.factories import (
    API,
    INTEGRATIONS,
    PUBLISH_ALLOWED_TO,
    STANDALONE,
    add_location,
    make_charger,
    make_integration,
    make_site,
    make_tariff,
    ok,
    record_registration,
)

CLIENT_SECRET = "utility-cloud-client-secret-0123456789"


def seed_example(shared_dir: Path) -> dict[str, Any]:
    """The JSON example at the end of the seed page: from the line `{` after the schema list to the
    line before `Something went wrong`."""
    lines = (shared_dir / "seed" / "get-integration-details.txt").read_text().splitlines()
    start = lines.index("{")
    end = lines.index("Something went wrong")
    return json.loads("\n".join(lines[start:end]))


def key_paths(value: Any, path: str = "") -> set[str]:
    """Every key, as a dotted path; inside an array, the keys of its first item (`locations[].id`)."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            paths |= {f"{path}.{key}".lstrip(".")} | key_paths(item, f"{path}.{key}".lstrip("."))
        return paths
    if isinstance(value, list) and value:
        return key_paths(value[0], f"{path}[]")
    return set()


async def fully_published(client, runtime) -> str:
    """An integration with something in every part of the details."""
    site_id = await make_site(client)
    await make_charger(client, site_id, "H-1")
    await make_charger(client, site_id, "H-2")
    integration = await make_integration(client, customerRoles=["EMSP", "OpenData"], utilityCloudConnection={
        "tenant": "contoso", "clientId": "client-1", "clientSecret": CLIENT_SECRET, "meteredValuesAreSent": True,
        "activateConnection": True,
    })
    integration_id = integration["integrationId"]
    await record_registration(runtime, integration_id)
    location = await add_location(client, integration_id, {"siteId": site_id, "publishAllowedTo": PUBLISH_ALLOWED_TO})
    await add_location(client, integration_id, STANDALONE)
    tariff_id = await make_tariff(client)
    ok(await client.post(f"{INTEGRATIONS}/{integration_id}/tariffs/{tariff_id}",
                         json={"locations": [{"locationId": location["id"]}]}))
    return integration_id


async def test_details_hold_every_field_of_the_seed(client, runtime, shared_dir):
    seed = seed_example(shared_dir)
    details = ok(await client.get(f"{INTEGRATIONS}/{await fully_published(client, runtime)}"))
    expected, actual = key_paths(seed), key_paths(details)
    assert expected - actual == set(), "fields of the seed missing from the details"
    assert actual - expected == set(), "fields the seed does not have"
    assert {"endPointURL", "stateofChargeIsSent", "locations[].chargers[].chargerID",
            "locations[].chargers[].chargerGroupID", "tariffs[].elements[].priceComponents[].biddingZone"} <= actual


async def test_details_values(client, runtime):
    integration_id = await fully_published(client, runtime)
    details = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
    assert details["utilityCloudConnection"]["clientSecret"] == "****" + CLIENT_SECRET[-4:]
    assert details["partnersCompanyDetail"][0]["partyId"] == "EMS"
    assert details["versionDetails"]["endpoints"][0] == {
        "identifier": "credentials", "role": "SENDER", "url": "https://emsp.example.com/ocpi/2.2.1/credentials"}
    site_backed, standalone = details["locations"]
    assert site_backed["publishAllowedTo"] == PUBLISH_ALLOWED_TO and standalone["siteId"] is None
    assert all(socket["tariffIds"] == [details["tariffs"][0]["id"]]
               for charger in site_backed["chargers"] for socket in charger["sockets"])
    assert standalone["chargers"] == []

    tariff = details["tariffs"][0]
    assert tariff["minPrice"] == {"exclVat": 0.5, "inclVat": 0.63}
    component = tariff["elements"][0]["priceComponents"][0]
    assert component == {"type": "TIME", "price": 2.5, "vat": 25.5, "margin": 0.01, "stepSize": 60,
                         "marginPercentage": 5, "priceCap": 0.5, "costPercentage": 10, "biddingZone": "FI"}
    # Every key of the seed even where the tariff has no value for it.
    assert tariff["elements"][1]["priceComponents"][0] == {
        "type": "ENERGY", "price": 0.35, "vat": 25.5, "margin": None, "stepSize": 1, "marginPercentage": None,
        "priceCap": None, "costPercentage": None, "biddingZone": None}
    assert tariff["elements"][1]["restrictions"] is None
    assert tariff["lastUpdated"].endswith("Z") and site_backed["lastUpdated"].endswith("Z")


async def test_site_changes_move_last_updated(client, runtime):
    integration_id = await fully_published(client, runtime)
    before = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))["locations"][0]
    ok(await client.patch(f"{API}/sites/{before['siteId']}", json={"publicName": "Harbour P2"}))
    after = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))["locations"][0]
    assert after["name"] == "Harbour P2" and after["lastUpdated"] > before["lastUpdated"]


async def test_a_fixed_number_of_queries_whatever_the_size(client, runtime):
    """Whether the read builds texts cleared by changes (a fixed number of queries per 500 locations) or
    reads them as stored."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    async def queries_for_details(integration_id: str) -> int:
        statements.clear()
        event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
        try:
            ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
        finally:
            event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)
        return len(statements)

    small = await fully_published(client, runtime)
    small_count = await queries_for_details(small)
    large = (await make_integration(client, integrationName="Large"))["integrationId"]
    for number in range(6):
        site_id = await make_site(client, name=f"Site {number}")
        await make_charger(client, site_id, f"L-{number}-1")
        await make_charger(client, site_id, f"L-{number}-2", sockets=3)
        location = await add_location(client, large, {"siteId": site_id})
        tariff_id = await make_tariff(client, name=f"T{number}")
        ok(await client.post(f"{INTEGRATIONS}/{large}/tariffs/{tariff_id}", json={"locations": [
            {"locationId": location["id"], "chargers": [{"chargerId": f"L-{number}-2", "sockets": [3]}]}]}))
    assert await queries_for_details(large) == small_count, "building the texts a change cleared"
    # Stored texts, read again: the integration, its locations' texts, its tariffs, its failing pushes
    # (and the API key).
    assert await queries_for_details(large) == await queries_for_details(small) <= 5
