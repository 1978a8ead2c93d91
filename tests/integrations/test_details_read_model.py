"""The details read model (integration_locations.details): stored in the transaction of each change, read as
stored, and built when missing. Every test also checks, at teardown, that each stored text equals a rebuild
(tests/support/read_models.py); these cover what that check cannot see by itself."""

from __future__ import annotations

from sqlalchemy import select, update

from evroam.integrations.models import IntegrationLocation
from evroam.startup import bootstrap
from tests.integrations.factories import (
    API,
    INTEGRATIONS,
    STANDALONE,
    add_location,
    make_charger,
    make_integration,
    make_site,
    ok,
)


async def stored_details(runtime, location_id: str) -> str | None:
    async with runtime.sessions() as session:
        return await session.scalar(select(IntegrationLocation.details).where(IntegrationLocation.id == location_id))


async def test_a_location_without_stored_details_is_built_when_read_and_stored_at_start(client, runtime):
    integration_id = (await make_integration(client))["integrationId"]
    site_id = await make_site(client)
    await make_charger(client, site_id, "RM-1")
    location_id = (await add_location(client, integration_id, {"siteId": site_id}))["id"]
    assert await stored_details(runtime, location_id) is not None, "a change through the API stores the text"
    before = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
    async with runtime.sessions() as session:  # as rows migrated from before the read model are
        await session.execute(update(IntegrationLocation).values(details=None))
        await session.commit()

    assert ok(await client.get(f"{INTEGRATIONS}/{integration_id}")) == before
    assert ok(await client.get(f"{INTEGRATIONS}/{integration_id}/locations/{location_id}")) == before["locations"][0]
    assert await stored_details(runtime, location_id) is None, "a read does not write"
    await bootstrap(runtime)
    assert await stored_details(runtime, location_id) is not None


async def test_deleting_a_picked_charger_rebuilds_the_locations_that_picked_it(client, runtime):
    integration_id = (await make_integration(client))["integrationId"]
    site_id = await make_site(client)
    for charger_id in ("PICK-1", "PICK-2"):
        await make_charger(client, site_id, charger_id)
    location = await add_location(client, integration_id, {**STANDALONE, "chargerIds": ["PICK-1", "PICK-2"]})
    assert [c["chargerID"] for c in location["chargers"]] == ["PICK-1", "PICK-2"]

    ok(await client.delete(f"{API}/chargers/PICK-1"), 204)
    details = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
    assert [c["chargerID"] for c in details["locations"][0]["chargers"]] == ["PICK-2"]


async def test_a_socket_status_change_reaches_every_integration_showing_the_charger(client, runtime):
    site_id = await make_site(client)
    await make_charger(client, site_id, "SHARED-1")
    integrations = [(await make_integration(client, integrationName=f"I{n}"))["integrationId"] for n in range(2)]
    for integration_id in integrations:
        await add_location(client, integration_id, {"siteId": site_id})

    ok(await client.patch(f"{API}/chargers/SHARED-1/sockets/1", json={"status": "Charging"}))
    for integration_id in integrations:
        details = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
        assert details["locations"][0]["chargers"][0]["sockets"][0]["status"] == "Charging"
