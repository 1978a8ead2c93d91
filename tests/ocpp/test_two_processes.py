"""Several evroam processes on one PostgreSQL database: a partner's command, taken by whichever process
received it, reaches the charger through the process holding that charger's WebSocket (the commands
table is the queue each process reads for its own chargers); no broker between them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from evroam.app import create_app
from evroam.runtime import Runtime
from evroam.simulate.run import connected
from evroam.wiring import wired_runtime
from tests.conftest import make_settings
from tests.ocpp.conftest import COMMANDS_POLLED_OFTEN, PASSWORD, Gateway, pending, settled
from tests.support.live_server import serve


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return COMMANDS_POLLED_OFTEN


@pytest.fixture
async def second_process(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """Another evroam on the same database, serving on a port of its own: its WebSocket URL."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several evroam processes need PostgreSQL (`evroam serve --workers`)")
    runtime: Runtime = wired_runtime(make_settings(database_url, tmp_path / "second", **COMMANDS_POLLED_OFTEN))
    try:
        async with serve(create_app(runtime)) as base_url:
            yield base_url.replace("http://", "ws://")
    finally:
        await runtime.close()


async def test_a_command_reaches_the_charger_through_the_process_holding_it(
    gateway: Gateway, second_process: str
) -> None:
    async with connected(f"{second_process}/ocpp", "CH-1", PASSWORD) as charger:
        # Written as the first process's OCPI commands receiver writes it; the first holds no socket of CH-1.
        start = await pending(gateway, "START_SESSION", socket_id=1, id_tag="DRIVER1")
        assert (await settled(gateway, start))["result"] == "ACCEPTED"
        for _ in range(200):
            if charger.transaction_id is not None:
                break
            await asyncio.sleep(0.05)
        assert charger.transaction_id is not None, "the charger started the transaction it was asked to"
    session = await gateway.network.only_session()
    assert (session["transactionId"], session["status"]) == (str(charger.transaction_id), "ACTIVE")
