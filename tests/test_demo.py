"""`evroam demo` on both engines: GET integration details shows every part filled, and loading twice changes nothing."""

from __future__ import annotations

from typing import Any

from evroam.demo import load_demo

INTEGRATIONS = "/api/v2/cpo/integrations"


def empty_arrays(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in empty_arrays(item, f"{path}.{key}")]
    if isinstance(value, list):
        if not value:
            return [path or "."]
        return [found for index, item in enumerate(value) for found in empty_arrays(item, f"{path}[{index}]")]
    return []


async def snapshot(client) -> dict[str, Any]:
    listing = (await client.get(INTEGRATIONS)).json()
    return {
        "integrations": listing,
        "details": [(await client.get(f"{INTEGRATIONS}/{item['integrationId']}")).json() for item in listing["items"]],
        "sites": (await client.get("/api/v2/cpo/sites")).json(),
        "chargers": (await client.get("/api/v2/cpo/chargers")).json(),
        "tariffs": (await client.get("/api/v2/cpo/tariffs")).json(),
    }


async def test_demo_fills_every_part_of_the_details_once(client, runtime):
    assert await load_demo(runtime.settings) is True
    before = await snapshot(client)
    assert before["integrations"]["totalRecords"] == 1
    assert before["sites"]["totalRecords"] == 3 and before["chargers"]["totalRecords"] == 4
    assert sum(len(charger["sockets"]) for charger in before["chargers"]["items"]) == 8
    assert before["tariffs"]["totalRecords"] == 3

    (details,) = before["details"]
    assert empty_arrays(details) == []
    assert details["integrationStatus"] == "CONNECTED" and details["credentialsExchangeRole"] == "RECEIVER"
    assert len(details["locations"]) == 2 and len(details["tariffs"]) == 3
    assert details["versionDetails"]["endpoints"] and details["partnersCompanyDetail"][0]["role"] == "EMSP"
    assert details["utilityCloudConnection"]["clientSecret"].startswith("****")
    spot = next(tariff for tariff in details["tariffs"] if tariff["name"] == "Spot price")
    component = spot["elements"][0]["priceComponents"][0]
    assert (component["type"], component["biddingZone"], component["priceCap"], component["costPercentage"]) == (
        "ENERGY_SPOT", "FI", 0.4, 30)
    tariff_ids = {tariff["id"] for tariff in details["tariffs"]}
    socket_tariffs = [socket["tariffIds"] for location in details["locations"] for charger in location["chargers"]
                      for socket in charger["sockets"]]
    assert len(socket_tariffs) == 6 and {tid for ids in socket_tariffs for tid in ids} == tariff_ids

    assert await load_demo(runtime.settings) is False
    assert await snapshot(client) == before


async def test_demo_data_loaded_from_the_command_line_is_published_to_its_partner(runtime):
    """`evroam demo` runs outside the app: its changes must still reach the publication ledger."""
    from sqlalchemy import func, select

    from evroam.publication.models import PublishedDocument

    await load_demo(runtime.settings)
    async with runtime.sessions() as session:
        counts = dict(
            (await session.execute(
                select(PublishedDocument.module, func.count()).group_by(PublishedDocument.module)
            )).all()
        )
    # Two published locations; three PRICE tariffs (the spot one goes out at its cap).
    assert counts == {"locations": 2, "tariffs": 3}, counts
