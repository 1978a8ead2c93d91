"""An eMSP's app starts and stops a session at a simulated charger: START_SESSION and STOP_SESSION arrive
over OCPI (the commands tests' eMSP on loopback, in both versions), the gateway sends them to the charger
as RemoteStart/RemoteStopTransaction, the charger acts, and the eMSP gets each CommandResult and the
session, started on its token, following along (both engines)."""

from __future__ import annotations

from typing import Any

import pytest

from evroam.simulate.run import connected
from tests.charging.commands.conftest import Network, command_emsp, network, ocpi_version  # noqa: F401
from tests.integrations.factories import ok
from tests.ocpi.factories import FAST, eventually, worker_running
from tests.ocpp.conftest import PASSWORD
from tests.support.live_server import serve

API = "/api/v2/cpo"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"ocpp_command_poll_seconds": 0.05}


async def test_an_emsp_starts_and_stops_a_session_at_the_simulated_charger(network: Network, app) -> None:  # noqa: F811
    ok(await network.client.patch(f"{API}/chargers/CH-1", json={"ocppPassword": PASSWORD}))
    evse_uid, connector_id = network.evses[0]
    async with serve(app) as base_url, worker_running(network.runtime, FAST):
        async with connected(base_url.replace("http://", "ws://") + "/ocpp", "CH-1", PASSWORD) as charger:
            assert await charger.boot() == "Accepted"
            await charger.report_status("Available")

            start = await network.sender.start_session(network.location_id, evse_uid, connector_id)
            assert start.result == "ACCEPTED", start.envelope

            async def result_of(name: str) -> dict[str, Any] | None:
                posts = network.emsp.results(name)
                return posts[0].body if posts else None

            await eventually(lambda: result_of(start.name), timeout=20)

            async def charger_has_started() -> bool:
                return charger.transaction_id is not None

            network.assert_told(await result_of(start.name), "ACCEPTED")
            await eventually(charger_has_started, timeout=20)
            transaction_id = charger.transaction_id
            session = await network.only_session()
            assert (session["transactionId"], session["status"], session["integrationId"]) == (
                str(transaction_id), "ACTIVE", network.integration_id)
            assert session["idTag"] == network.sender.token["uid"]
            assert session["authMethod"] == "COMMAND"

            await charger.sample(600)  # ten minutes at 11 kW
            stop = await network.sender.stop_session(session["id"])
            assert stop.result == "ACCEPTED", stop.envelope
            await eventually(lambda: result_of(stop.name), timeout=20)
            network.assert_told(await result_of(stop.name), "ACCEPTED")

            async def completed() -> dict[str, Any] | None:
                ended = await network.only_session()
                return ended if ended["status"] == "COMPLETED" else None

            # Connected until the StopTransaction is in: the charger sends it after answering the stop.
            await eventually(completed, timeout=20)
    ended = await network.only_session()
    assert (ended["stopReason"], ended["kwh"]) == ("Remote", charger.meter.energy_wh / 1000)
    # Exactly one result for each command reached the eMSP.
    assert [len(network.emsp.results(name)) for name in (start.name, stop.name)] == [1, 1]
