"""A linked tariff keeps a use type partners may see: PATCH to COST or OTHER is refused naming the links,
as linking refuses such a tariff (it used to be withdrawn from partners silently, the link still shown)."""

from __future__ import annotations

import pytest

from tests.integrations.factories import API, INTEGRATIONS, add_location, make_integration, make_site, make_tariff, ok


@pytest.mark.parametrize("use_type", ["COST", "OTHER"])
async def test_a_linked_tariff_cannot_become_unpublishable(client, use_type):
    tariff_id = await make_tariff(client)
    site_id = await make_site(client)
    names = ["Alpha eMSP", "Beta eMSP"]
    integration_ids = []
    for name in names:
        integration_id = (await make_integration(client, integrationName=name))["integrationId"]
        location_id = (await add_location(client, integration_id, {"siteId": site_id}))["id"]
        ok(await client.post(f"{INTEGRATIONS}/{integration_id}/tariffs/{tariff_id}",
                             json={"locations": [{"locationId": location_id}]}))  # fmt: skip
        integration_ids.append(integration_id)

    response = await client.patch(f"{API}/tariffs/{tariff_id}", json={"useType": use_type, "name": "Renamed"})
    assert response.status_code == 409, response.text
    [detail] = response.json()["details"]
    assert detail["field"] == "useType"
    assert detail["problem"] == (
        f"{use_type} tariffs are never published to partners; only PRICE tariffs can be linked: the tariff is "
        f"linked to integrations {integration_ids[0]} (Alpha eMSP), {integration_ids[1]} (Beta eMSP); "
        "unlink it from them first"
    )
    stored = ok(await client.get(f"{API}/tariffs/{tariff_id}"))
    assert (stored["useType"], stored["name"]) == ("PRICE", "Public AC"), "nothing of the refused change is kept"

    for integration_id in integration_ids:
        ok(await client.delete(f"{INTEGRATIONS}/{integration_id}/tariffs/{tariff_id}"), 204)
    assert ok(await client.patch(f"{API}/tariffs/{tariff_id}", json={"useType": use_type}))["useType"] == use_type
