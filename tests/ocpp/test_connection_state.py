"""The charger's activeConnection follows its WebSocket, and partners see its EVSEs UNKNOWN once it stayed
away for the grace period (set to a moment here), on both engines; also when the process holding its
WebSocket died: the periodic sweep closes the connections of a process silent too long."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import select, update

from evroam.ocpp import liveness
from evroam.ocpp.models import OcppConnection, OcppProcess
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


async def held_by_a_dead_process(gateway: Gateway, process_id: str | None) -> None:
    """CH-1 shown connected through a process that stopped saying it is alive (`process_id`), or through one
    from before processes were recorded (None), as a process killed while holding it leaves it."""
    ok(await gateway.network.client.patch(f"{API}/chargers/CH-1", json={"activeConnection": True}))
    long_ago = datetime.now(UTC) - timedelta(seconds=liveness.STALE_AFTER + 1)
    async with gateway.network.runtime.sessions() as session:
        if process_id is not None:
            session.add(OcppProcess(process_id=process_id, seen_at=long_ago))
        session.add(OcppConnection(charger_id="CH-1", connection_id="held-by-the-dead", process_id=process_id,
                                   connected_at=long_ago))
        await session.commit()


@pytest.mark.parametrize("process_id", ["killed-process", None])
async def test_the_connection_of_a_dead_process_is_swept_and_the_charger_goes_offline(
    gateway: Gateway, process_id: str | None
) -> None:
    await held_by_a_dead_process(gateway, process_id)
    assert await published_evse_statuses(gateway) == {"AVAILABLE"}
    assert await liveness.sweep(gateway.network.runtime) == 1
    assert await liveness.sweep(gateway.network.runtime) == 0, "a connection is swept once"
    assert await connected_flag(gateway) is True  # the grace, as after any close
    await asyncio.sleep(GRACE + 0.5)
    assert await connected_flag(gateway) is False
    assert await published_evse_statuses(gateway) == {"UNKNOWN"}
    async with gateway.network.runtime.sessions() as session:
        assert await session.scalar(select(OcppProcess.process_id)) is None, "the dead process is forgotten"


async def test_sweeps_running_at_once_sweep_a_dead_process_connection_once(gateway: Gateway) -> None:
    """Every process runs the sweep: on PostgreSQL, several at the same moment on their own connections.
    The connection is closed by one of them only, which alone starts its grace."""
    await held_by_a_dead_process(gateway, "killed-process")
    swept = await asyncio.gather(*(liveness.sweep(gateway.network.runtime) for _ in range(4)))
    assert sorted(swept) == [0, 0, 0, 1]
    await asyncio.sleep(GRACE + 0.5)
    assert await connected_flag(gateway) is False
    assert await published_evse_statuses(gateway) == {"UNKNOWN"}


async def test_a_charger_whose_grace_died_with_its_process_goes_offline_at_the_sweep(gateway: Gateway) -> None:
    """The process saw the close and died waiting out the grace: nobody would take the charger offline."""
    ok(await gateway.network.client.patch(f"{API}/chargers/CH-1", json={"activeConnection": True}))
    closed = datetime.now(UTC) - timedelta(seconds=GRACE + liveness.SWEEP_EVERY + 1)
    async with gateway.network.runtime.sessions() as session:
        session.add(OcppConnection(charger_id="CH-1", connection_id="closed-then-died", process_id="killed-process",
                                   connected_at=closed - timedelta(hours=1), disconnected_at=closed))
        await session.commit()
    assert await liveness.sweep(gateway.network.runtime, closed + timedelta(seconds=GRACE)) == 0
    assert await connected_flag(gateway) is True, "not before the grace and a sweep have passed"
    assert await liveness.sweep(gateway.network.runtime) == 0, "no open connection was swept"
    assert await connected_flag(gateway) is False
    assert await published_evse_statuses(gateway) == {"UNKNOWN"}


async def test_a_dead_process_charger_back_within_the_grace_stays_connected(gateway: Gateway) -> None:
    await held_by_a_dead_process(gateway, "killed-process")
    assert await liveness.sweep(gateway.network.runtime) == 1
    async with gateway.charger():
        await asyncio.sleep(GRACE + 0.5)
        assert await connected_flag(gateway) is True
    await asyncio.sleep(GRACE + 0.5)  # its own close goes the usual way
    assert await connected_flag(gateway) is False


async def test_a_live_process_keeps_its_connections_and_takes_them_back_if_swept(gateway: Gateway, app) -> None:
    runtime = gateway.network.runtime
    async with gateway.charger():
        await asyncio.sleep(0.3)  # the process's first sign of life, with its first connection, is in
        assert await liveness.sweep(runtime) == 0
        # The process silent too long (its database out of reach) is taken for dead...
        async with runtime.sessions() as session:
            await session.execute(update(OcppProcess).values(
                seen_at=datetime.now(UTC) - timedelta(seconds=liveness.STALE_AFTER + 1)))
            await session.commit()
        assert await liveness.sweep(runtime) == 1
        await asyncio.sleep(GRACE + 0.5)
        assert await connected_flag(gateway) is False
        # ...until its next sign of life: the charger it still holds is connected again, its connection open.
        await app.state.ocpp_commands.still_alive()
        assert await connected_flag(gateway) is True
        assert await published_evse_statuses(gateway) == {"AVAILABLE"}
        async with runtime.sessions() as session:
            assert await session.scalar(select(OcppConnection.disconnected_at)) is None
        assert await liveness.sweep(runtime) == 0
    await asyncio.sleep(GRACE + 0.5)  # closed now: offline after the grace, as any charger
    assert await connected_flag(gateway) is False
