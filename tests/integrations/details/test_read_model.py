"""The details read model (integration_locations.details): cleared by each change, built and stored by the
next read. Every test also checks, at teardown, that each stored text equals a rebuild
(tests/support/read_models.py); these cover what that check cannot see by itself."""

from __future__ import annotations

from sqlalchemy import select, update

from evroam.integrations.details import read_model as details_read_model
from evroam.integrations.locations.models import IntegrationLocation
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


async def stored_version(runtime, location_id: str) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(
            select(IntegrationLocation.details_version).where(IntegrationLocation.id == location_id)
        )


async def test_a_change_clears_the_text_and_the_next_read_stores_it(client, runtime):
    integration_id = (await make_integration(client))["integrationId"]
    site_id = await make_site(client)
    await make_charger(client, site_id, "RM-1")
    location_id = (await add_location(client, integration_id, {"siteId": site_id}))["id"]
    before = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
    assert before["locations"][0]["chargers"][0]["sockets"][0]["status"] == "Available"
    stored = await stored_details(runtime, location_id)
    assert stored is not None, "a read stores what it built"

    ok(await client.patch(f"{API}/chargers/RM-1/sockets/1", json={"status": "Charging"}))
    assert await stored_details(runtime, location_id) is None, "the writer only clears"
    after = ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))
    assert after["locations"][0]["chargers"][0]["sockets"][0]["status"] == "Charging"
    assert await stored_details(runtime, location_id) not in (None, stored)
    single = ok(await client.get(f"{INTEGRATIONS}/{integration_id}/locations/{location_id}"))
    assert single.pop("warnings") == [], "one location also says what its OCPI document could not carry"
    assert single == after["locations"][0]


async def test_texts_missing_at_start_are_built(client, runtime):
    integration_id = (await make_integration(client))["integrationId"]
    location_id = (await add_location(client, integration_id, {"siteId": await make_site(client)}))["id"]
    async with runtime.sessions() as session:  # as rows migrated from before the read model
        await session.execute(update(IntegrationLocation).values(details=None))
        await session.commit()
    await bootstrap(runtime)
    assert await stored_details(runtime, location_id) is not None


async def test_a_text_is_stored_only_if_no_change_came_since_it_was_read_missing(client, runtime):
    """A reader that found a text missing at version v builds it; if a change committed meanwhile (v+1),
    the reader's text may predate it and must not be stored."""
    integration_id = (await make_integration(client))["integrationId"]
    site_id = await make_site(client)
    await make_charger(client, site_id, "RACE-1")
    location_id = (await add_location(client, integration_id, {"siteId": site_id}))["id"]
    version_read = await stored_version(runtime, location_id)
    ok(await client.patch(f"{API}/chargers/RACE-1/sockets/1", json={"status": "Charging"}))
    assert await stored_version(runtime, location_id) == version_read + 1

    async with runtime.sessions() as reader:
        await details_read_model._build_and_store(reader, {location_id: version_read})
    assert await stored_details(runtime, location_id) is None, "built at an older version: not stored"
    async with runtime.sessions() as reader:
        await details_read_model._build_and_store(reader, {location_id: version_read + 1})
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
