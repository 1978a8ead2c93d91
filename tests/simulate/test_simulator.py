"""The simulator against evroam's gateway on loopback (both engines), and against a central system of the
`ocpp` library that starts and stops it remotely."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action
from websockets.asyncio.server import serve

from evroam.simulate.charger import Meter
from evroam.simulate.run import Plan, charge_once, connected, simulate
from tests.integrations.factories import make_charger, ok
from tests.ocpp.conftest import PASSWORD, Gateway


async def test_a_session_driven_step_by_step_has_the_meters_energy(gateway: Gateway) -> None:
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD) as charger:
        charger.meter = Meter(energy_wh=2000, power_w=7200)
        assert await charger.boot() == "Accepted"
        await charger.report_status("Available")
        assert await charger.authorize("DRIVER1") == "Accepted"
        transaction_id = await charger.start_transaction("DRIVER1")
        await charger.sample(1800)  # half an hour at 7.2 kW
        await charger.sample(900)
        await charger.stop()
    session = await gateway.network.only_session()
    assert (session["transactionId"], session["status"], session["kwh"]) == (str(transaction_id), "COMPLETED", 5.4)
    charger_document = ok(await gateway.network.client.get("/api/v2/cpo/chargers/CH-1"))
    assert charger_document["model"] == "evroam simulator"
    assert charger_document["sockets"][0]["status"] == "Available"


async def test_the_command_lines_run_charges_once_per_charger(gateway: Gateway) -> None:
    for charger_id in ("SIM-1", "SIM-2"):
        await make_charger(gateway.network.client, gateway.network.site_id, charger_id)
        ok(await gateway.network.client.patch(f"/api/v2/cpo/chargers/{charger_id}", json={"ocppPassword": PASSWORD}))
    await simulate(["SIM-1", "SIM-2"], Plan(f"{gateway.url}/ocpp", PASSWORD, "DRIVER1", samples=2, sample_every=0.05,
                                                speedup=36_000))
    sessions = (await gateway.network.sessions())["items"]
    assert sorted((item["chargerId"], item["status"]) for item in sessions) == [
        ("SIM-1", "COMPLETED"), ("SIM-2", "COMPLETED")]
    # Two readings of half an hour at 11 kW each.
    assert [item["kwh"] for item in sessions] == [11, 11]


async def until(condition: Callable[[], bool]) -> None:
    """The simulator acts after it answered: wait (a few seconds at most) until it did."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the simulator did not act on the command")


class CentralSystem(ChargePoint):
    """A central system of the `ocpp` library: records the transactions the simulator reports."""

    def __init__(self, charger_id: str, connection: Any) -> None:
        super().__init__(charger_id, connection)
        self.started: asyncio.Queue[str] = asyncio.Queue()
        self.stopped: asyncio.Queue[str] = asyncio.Queue()

    @on(Action.status_notification)
    def on_status(self, **_: Any) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @on(Action.start_transaction)
    def on_start(self, id_tag: str, **_: Any) -> call_result.StartTransaction:
        self.started.put_nowait(id_tag)
        return call_result.StartTransaction(transaction_id=77, id_tag_info={"status": "Accepted"})

    @on(Action.stop_transaction)
    def on_stop(self, reason: str, **_: Any) -> call_result.StopTransaction:
        self.stopped.put_nowait(reason)
        return call_result.StopTransaction()


async def test_remote_start_and_stop_are_accepted_and_acted_on() -> None:
    centrals: asyncio.Queue[CentralSystem] = asyncio.Queue()

    async def handle(socket) -> None:
        central = CentralSystem(socket.request.path.rsplit("/", 1)[-1], socket)
        centrals.put_nowait(central)
        await central.start()

    async with serve(handle, "127.0.0.1", 0, subprotocols=["ocpp1.6"]) as server:
        port = server.sockets[0].getsockname()[1]
        async with connected(f"ws://127.0.0.1:{port}/ocpp", "SIM-9", PASSWORD) as charger:
            central = await asyncio.wait_for(centrals.get(), 5)
            started = await central.call(call.RemoteStartTransaction(id_tag="APP-USER", connector_id=1))
            assert started.status == "Accepted"
            assert await asyncio.wait_for(central.started.get(), 5) == "APP-USER"
            await until(lambda: charger.transaction_id == 77)
            refused = await central.call(call.RemoteStopTransaction(transaction_id=78))
            stopped = await central.call(call.RemoteStopTransaction(transaction_id=77))
            assert (refused.status, stopped.status) == ("Rejected", "Accepted")
            assert await asyncio.wait_for(central.stopped.get(), 5) == "Remote"
            await until(lambda: charger.transaction_id is None)


async def test_a_refused_card_charges_nothing(gateway: Gateway) -> None:
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD) as charger:
        await charge_once(charger, Plan(f"{gateway.url}/ocpp", PASSWORD, "NOBODY", samples=1, sample_every=0))
        assert charger.transaction_id is None
    assert (await gateway.network.sessions())["totalRecords"] == 0
