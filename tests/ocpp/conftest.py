"""The gateway's tests: evroam served on loopback, chargers connecting over real WebSockets.

The network is the sessions tests' (charger CH-1 at a site published to an eMSP whose token DRIVER1 is
whitelisted ALWAYS), with an OCPP password given to CH-1 through the management API.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets
from ocpp.v16 import ChargePoint
from sqlalchemy import select

from evroam.charging.commands.models import Command
from evroam.network.chargers.models import Charger
from evroam.simulate.run import basic_auth, connected
from tests.charging.conftest import emsp  # noqa: F401
from tests.charging.sessions.conftest import Network, network  # noqa: F401
from tests.integrations.factories import ok
from tests.support.live_server import serve

PASSWORD = "charger-one-password-0123"
# For the commands' tests: the queue read often, so a command reaches the charger at once.
COMMANDS_POLLED_OFTEN = {"ocpp_command_poll_seconds": 0.05}


@dataclass
class Gateway:
    url: str
    network: Network

    def headers(self, charger_id: str = "CH-1", password: str = PASSWORD) -> dict[str, str]:
        return basic_auth(charger_id, password)

    def charger(self, charger_id: str = "CH-1", password: str = PASSWORD) -> AbstractAsyncContextManager[ChargePoint]:
        """A plain charge point of the `ocpp` library connected to the gateway, answering while the block runs."""
        return connected(f"{self.url}/ocpp", charger_id, password, kind=ChargePoint)


@pytest.fixture
async def gateway(app, network: Network) -> AsyncIterator[Gateway]:  # noqa: F811
    ok(await network.client.patch("/api/v2/cpo/chargers/CH-1", json={"ocppPassword": PASSWORD}))
    async with serve(app) as base_url:
        yield Gateway(base_url.replace("http://", "ws://"), network)


async def refused(gateway: Gateway, charger_id: str, password: str) -> int:
    """The HTTP status the handshake is refused with."""
    with pytest.raises(websockets.exceptions.InvalidStatus) as refusal:
        async with gateway.charger(charger_id, password):
            pass
    return refusal.value.response.status_code


async def pending(gateway: Gateway, command_type: str, **fields: Any) -> str:
    """A command a partner sent, PENDING for the charger side (as the OCPI commands receiver keeps it)."""
    async with gateway.network.runtime.sessions() as session:
        operator_id = await session.scalar(select(Charger.operator_id).where(Charger.charger_id == "CH-1"))
        command = Command(
            id=str(uuid.uuid4()), operator_id=operator_id, integration_id=gateway.network.integration_id,
            type=command_type, status="PENDING", ocpi_version="2.2.1",
            response_url=f"{gateway.network.emsp.base_url}/results/1", charger_id="CH-1",
            deadline=datetime.now(UTC) + timedelta(minutes=1), **fields,
        )
        session.add(command)
        await session.commit()
    return command.id


async def settled(gateway: Gateway, command_id: str) -> dict[str, Any]:
    """The command once the charger side answered it (or its deadline passed)."""
    for _ in range(200):
        command = ok(await gateway.network.client.get(f"/api/v2/cpo/commands/{command_id}"))
        if command["status"] != "PENDING":
            return command
        await asyncio.sleep(0.05)
    raise AssertionError(f"command {command_id} is still PENDING")
