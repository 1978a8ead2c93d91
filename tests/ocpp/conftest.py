"""The gateway's tests: evroam served on loopback, chargers connecting over real WebSockets.

The network is the sessions tests' (charger CH-1 at a site published to an eMSP whose token DRIVER1 is
whitelisted ALWAYS), with an OCPP password given to CH-1 through the management API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest
import websockets
from ocpp.v16 import ChargePoint

from evroam.simulate.run import basic_auth, connected
from tests.charging.conftest import emsp  # noqa: F401
from tests.charging.sessions.conftest import Network, network  # noqa: F401
from tests.integrations.factories import ok
from tests.support.live_server import serve

PASSWORD = "charger-one-password-0123"


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
