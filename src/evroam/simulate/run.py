"""`evroam simulate`: N simulated chargers connect to a gateway and each charges once, then stays
connected for the central system's remote starts and stops until the time given is up."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from ocpp.v16 import ChargePoint
from websockets.asyncio.client import connect

from evroam.simulate.charger import SimulatedCharger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    url: str  # the gateway's base, e.g. ws://127.0.0.1:8000/ocpp; a charger connects at <url>/<its id>
    password: str
    id_tag: str = "SIMULATOR1"
    samples: int = 3
    sample_every: float = 10.0
    speedup: float = 1.0  # simulated seconds of charging per second waited
    stay_connected: float = 0.0


def basic_auth(charger_id: str, password: str) -> dict[str, str]:
    """OCPP security profile 1: the charger's id and password, HTTP Basic."""
    credentials = base64.b64encode(f"{charger_id}:{password}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


@asynccontextmanager
async def connected(url: str, charger_id: str, password: str,
                    kind: type[ChargePoint] = SimulatedCharger) -> AsyncIterator[Any]:
    """A charge point of `kind` on its WebSocket (security profile 1), answering the central system's calls
    while the block runs."""
    async with connect(f"{url.rstrip('/')}/{charger_id}", subprotocols=["ocpp1.6"],
                       additional_headers=basic_auth(charger_id, password)) as socket:
        charger = kind(charger_id, socket)
        listening = asyncio.create_task(charger.start())
        try:
            yield charger
        finally:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)


async def charge_once(charger: SimulatedCharger, plan: Plan) -> None:
    """Boot, available, a card at the reader, charging with periodic readings, unplugged."""
    await charger.boot()
    await charger.report_status("Available")
    status = await charger.authorize(plan.id_tag)
    if status != "Accepted":
        log.warning("%s: card %s refused (%s), no transaction", charger.id, plan.id_tag, status)
        return
    await charger.start_transaction(plan.id_tag)
    for _ in range(plan.samples):
        await asyncio.sleep(plan.sample_every)
        await charger.sample(plan.sample_every * plan.speedup)
    await charger.stop("EVDisconnected")


async def simulate(charger_ids: list[str], plan: Plan) -> None:
    async def one(charger_id: str) -> None:
        async with connected(plan.url, charger_id, plan.password) as charger:
            await charge_once(charger, plan)
            await asyncio.sleep(plan.stay_connected)

    await asyncio.gather(*(one(charger_id) for charger_id in charger_ids))
