from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from evroam.runtime import Runtime
from tests.charging.sessions.timeline import TIMELINE
from tests.integrations.factories import make_tariff, ok
from tests.support.authorizing_emsp import AuthorizingEmsp, published_integration, site_with_charger, store_token

API = "/api/v2/cpo"
# 0.30/kWh and a 0.50 start fee, both with 24 % VAT.
ELEMENTS = [{"priceComponents": [{"type": "ENERGY", "price": 0.30, "vat": 24, "stepSize": 1},
                                 {"type": "FLAT", "price": 0.50, "vat": 24, "stepSize": 1}]}]


@pytest.fixture(autouse=True)
def _session_starts_soon() -> None:
    TIMELINE.restart()


@dataclass
class Network:
    """Charger CH-1 (sockets 1 and 2) at a site published to one connected eMSP integration, whose location
    has a tariff; the eMSP's token DRIVER1 is whitelisted ALWAYS."""

    client: httpx.AsyncClient
    runtime: Runtime
    emsp: AuthorizingEmsp
    site_id: int
    integration_id: str
    location_id: str
    tariff_id: str
    token: dict[str, Any]

    async def post(self, *events: dict[str, Any], charger_id: str = "CH-1") -> httpx.Response:
        return await self.client.post(f"{API}/chargers/{charger_id}/events", json={"events": list(events)})

    async def authorize(self, id_tag: str = "DRIVER1", socket_id: int = 1) -> dict[str, Any]:
        body = {"chargerId": "CH-1", "socketId": socket_id, "idTag": id_tag}
        return ok(await self.client.post(f"{API}/authorize", json=body))

    async def sessions(self, **params: Any) -> dict[str, Any]:
        return ok(await self.client.get(f"{API}/sessions", params=params))

    async def only_session(self) -> dict[str, Any]:
        listed = await self.sessions()
        assert listed["totalRecords"] == 1, listed
        return listed["items"][0]


@pytest.fixture
async def network(client: httpx.AsyncClient, runtime: Runtime, emsp: AuthorizingEmsp) -> Network:
    site_id = await site_with_charger(client)
    integration_id = await published_integration(client, runtime, emsp, site_id)
    location_id = ok(await client.get(f"{API}/integrations/{integration_id}/locations"))["items"][0]["id"]
    tariff_id = await make_tariff(client, elements=ELEMENTS, minPrice=None, maxPrice=None, useType="PRICE")
    ok(await client.post(f"{API}/integrations/{integration_id}/tariffs/{tariff_id}",
                         json={"locations": [{"locationId": location_id}]}))
    token = await store_token(runtime, integration_id, "DRIVER1")
    return Network(client, runtime, emsp, site_id, integration_id, location_id, tariff_id, token)
