from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from evroam.runtime import Runtime
from tests.support.authorizing_emsp import AuthorizingEmsp, published_integration, site_with_charger

AUTHORIZE = "/api/v2/cpo/authorize"


@dataclass
class Published:
    """Charger CH-1 (sockets 1 and 2, one EVSE each) at a site published to one connected eMSP integration."""

    client: httpx.AsyncClient
    runtime: Runtime
    emsp: AuthorizingEmsp
    site_id: int
    integration_id: str

    async def authorize(self, id_tag: str, socket_id: int = 1, charger_id: str = "CH-1") -> dict[str, Any]:
        response = await self.client.post(AUTHORIZE, json={"chargerId": charger_id, "socketId": socket_id,
                                                            "idTag": id_tag})
        assert response.status_code == 200, response.text
        return response.json()

    async def decisions(self, charger_id: str = "CH-1", **params: Any) -> dict[str, Any]:
        response = await self.client.get(f"/api/v2/cpo/chargers/{charger_id}/authorizations", params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def published(client: httpx.AsyncClient, runtime: Runtime, emsp: AuthorizingEmsp) -> Published:
    site_id = await site_with_charger(client)
    integration_id = await published_integration(client, runtime, emsp, site_id)
    return Published(client, runtime, emsp, site_id, integration_id)
