"""The charger's activeConnection follows its WebSocket, and partners see its EVSEs UNKNOWN once it stayed
away for the grace period (set to a moment here), on both engines."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from evroam.publication.models import PublishedDocument
from tests.integrations.factories import ok
from tests.ocpp.conftest import Gateway

API = "/api/v2/cpo"
GRACE = 0.3


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"ocpp_offline_grace_seconds": GRACE}


async def connected_flag(gateway: Gateway) -> bool:
    return ok(await gateway.network.client.get(f"{API}/chargers/CH-1"))["activeConnection"]


async def published_evse_statuses(gateway: Gateway) -> set[str]:
    async with gateway.network.runtime.sessions() as session:
        document = await session.scalar(select(PublishedDocument.document).where(
            PublishedDocument.integration_id == gateway.network.integration_id,
            PublishedDocument.module == "locations"))
    return {evse["status"] for evse in orjson.loads(document)["evses"]}


async def test_the_flag_follows_the_websocket_and_partners_see_unknown_after_the_grace(gateway: Gateway) -> None:
    ok(await gateway.network.client.patch(f"{API}/chargers/CH-1", json={"activeConnection": False}))
    assert await published_evse_statuses(gateway) == {"UNKNOWN"}
    async with gateway.charger():
        assert await connected_flag(gateway) is True
        assert await published_evse_statuses(gateway) == {"AVAILABLE"}
    assert await connected_flag(gateway) is True  # within the grace period
    await asyncio.sleep(GRACE + 0.5)
    assert await connected_flag(gateway) is False
    assert await published_evse_statuses(gateway) == {"UNKNOWN"}


async def test_a_reconnect_within_the_grace_keeps_the_charger_connected(gateway: Gateway) -> None:
    async with gateway.charger():
        pass
    async with gateway.charger():
        await asyncio.sleep(GRACE + 0.5)
        assert await connected_flag(gateway) is True
    await asyncio.sleep(GRACE + 0.5)
    assert await connected_flag(gateway) is False
