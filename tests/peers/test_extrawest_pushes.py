"""What evroam publishes reaches a real third-party eMSP: extrawest-ocpi, pushed by the outbox worker.

After registering through the management API (evroam is the SENDER), the operator publishes a site-backed
location to the integration, links a tariff to it and a socket changes status; each change must arrive
in the extrawest store (PUT location, PUT tariff, PATCH EVSE), on 2.2.1 and on 2.1.1.

extrawest-ocpi 2025.7.16 refuses two kinds of conformant documents with HTTP 422, so the site and tariff
here avoid them: it models `EnergyMix.environ_impact` as one object instead of a list (the specification's
`EnvironmentalImpact *`), and its 2.1.1 `Hours` requires `twentyfourseven` where 2.1.1 makes it a choice
with `regular_hours`.

Its 2.1.1 `Connector` also requires `tariff_id`, optional in 2.1.1: the location's first PUT, sent before
the tariff link exists, may be refused with 422. The refused PUT must then give way to the newer one that
carries `tariff_id` (it once held it back for good, and this test failed whenever the link was written
while the first PUT was in flight).
"""

from __future__ import annotations

import pytest

from tests.integrations.factories import API, ENERGY_MIX, add_location, make_charger, make_site, make_tariff, ok
from tests.ocpi.factories import eventually, worker_running
from tests.peers.management import INTEGRATIONS, register_through_the_api

pytestmark = pytest.mark.peer
# See the module docstring: conformant values extrawest cannot read are left out.
EXTRAWEST_ENERGY_MIX = {key: value for key, value in ENERGY_MIX.items() if key != "environImpact"}
EXTRAWEST_OPENING_TIMES = {"twentyfourseven": True}


@pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1", "2.1.1"])
async def test_published_location_tariff_and_status_arrive(client, runtime, live_evroam, extrawest, extrawest_versions):
    details = await register_through_the_api(client, runtime, extrawest.versions_url, extrawest.token_a)
    assert details["integrationStatus"] == "CONNECTED", details["statusDescription"]
    integration_id = details["integrationId"]
    site_id = await make_site(client, energyMix=EXTRAWEST_ENERGY_MIX, openingTimes=EXTRAWEST_OPENING_TIMES)
    charger_id = await make_charger(client, site_id, "XW-CHARGER-1", sockets=2)
    tariff_id = await make_tariff(client, tariffEnergyMix=EXTRAWEST_ENERGY_MIX)

    async def stored(module: str) -> dict:
        return extrawest.store()["objects"].get(module, {})

    async def deliveries() -> list:
        return ok(await client.get(f"{INTEGRATIONS}/{integration_id}/deliveries"))["items"]

    async with worker_running(runtime):
        location_id = (await add_location(client, integration_id, {"siteId": site_id}))["id"]
        ok(await client.post(f"{INTEGRATIONS}/{integration_id}/tariffs/{tariff_id}",
                             json={"locations": [{"locationId": location_id}]}))
        try:
            await eventually(lambda: _has(stored, "locations", location_id), timeout=20)
            await eventually(lambda: _has(stored, "tariffs", tariff_id), timeout=20)
            ok(await client.patch(f"{API}/chargers/{charger_id}/sockets/1", json={"status": "Charging"}))
            await eventually(lambda: _evse_status(stored, location_id, f"{charger_id}-1", "CHARGING"), timeout=20)
        except AssertionError as failure:
            raise AssertionError(f"{failure}; deliveries: {await deliveries()}") from failure

    location = (await stored("locations"))[location_id.lower()]
    assert len(location["evses"]) == 2
    tariff = (await stored("tariffs"))[tariff_id.lower()]
    assert tariff["currency"] == "EUR"
    connector = location["evses"][0]["connectors"][0]
    linked = connector.get("tariff_ids") or [connector.get("tariff_id")]
    assert tariff_id.lower() in [str(value).lower() for value in linked]


async def _has(stored, module: str, object_id: str) -> bool:
    # extrawest keeps ids as lower-case CiStrings.
    return object_id.lower() in await stored(module)


async def _evse_status(stored, location_id: str, evse_uid: str, status: str) -> bool:
    location = (await stored("locations")).get(location_id.lower(), {})
    return any(evse["uid"].lower() == evse_uid.lower() and evse["status"] == status
               for evse in location.get("evses", []))
