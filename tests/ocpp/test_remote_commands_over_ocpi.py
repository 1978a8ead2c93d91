"""An eMSP's app starts and stops a session at a simulated charger: START_SESSION and STOP_SESSION arrive
over OCPI (the commands tests' eMSP on loopback, in both versions), the gateway sends them to the charger
as RemoteStart/RemoteStopTransaction, the charger acts, and the eMSP gets each CommandResult and the
session, started on its token, following along (both engines). The same eMSP (2.2.1) sets a charging
profile on the session and asks for the active one, which the charger gives as its composite schedule."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from evroam.simulate.run import connected
from tests.charging.commands.conftest import Network, command_emsp, network, ocpi_version  # noqa: F401
from tests.integrations.factories import ok
from tests.ocpi.factories import FAST, eventually, schema_errors, worker_running
from tests.ocpp.conftest import PASSWORD
from tests.support.command_emsp import V221
from tests.support.live_server import serve

API = "/api/v2/cpo"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"ocpp_command_poll_seconds": 0.05}


def result_of(network: Network, name: str) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    """The body of the first result the eMSP got for the request `name`, when there is one."""
    async def first() -> dict[str, Any] | None:
        posts = network.emsp.results(name)
        return posts[0].body if posts else None
    return first


async def result_at_emsp(network: Network, name: str) -> dict[str, Any]:
    await eventually(result_of(network, name), timeout=20)
    body = await result_of(network, name)()
    assert body is not None
    return body


@asynccontextmanager
async def simulated_charger(network: Network, app: Any) -> AsyncIterator[Any]:
    """CH-1 booted and Available at evroam served on loopback, its delivery worker running."""
    ok(await network.client.patch(f"{API}/chargers/CH-1", json={"ocppPassword": PASSWORD}))
    async with serve(app) as base_url, worker_running(network.runtime, FAST):
        async with connected(base_url.replace("http://", "ws://") + "/ocpp", "CH-1", PASSWORD) as charger:
            assert await charger.boot() == "Accepted"
            await charger.report_status("Available")
            yield charger


async def started_remotely(network: Network, charger: Any) -> tuple[Any, dict[str, Any]]:
    """The eMSP's START_SESSION at the charger, accepted and started: (what was sent, the session)."""
    evse_uid, connector_id = network.evses[0]
    start = await network.sender.start_session(network.location_id, evse_uid, connector_id)
    assert start.result == "ACCEPTED", start.envelope
    network.assert_told(await result_at_emsp(network, start.name), "ACCEPTED")

    async def charger_has_started() -> bool:
        return charger.transaction_id is not None

    await eventually(charger_has_started, timeout=20)
    return start, await network.only_session()


async def test_an_emsp_starts_and_stops_a_session_at_the_simulated_charger(network: Network, app) -> None:  # noqa: F811
    async with simulated_charger(network, app) as charger:
        start, session = await started_remotely(network, charger)
        assert (session["transactionId"], session["status"], session["integrationId"]) == (
            str(charger.transaction_id), "ACTIVE", network.integration_id)
        assert session["idTag"] == network.sender.token["uid"]
        assert session["authMethod"] == "COMMAND"
        # The eMSP vouched for its app's token, which no stored token list knows: the start is not refused.
        assert charger.id_tag_status == "Accepted"

        await charger.sample(600)  # ten minutes at 11 kW
        stop = await network.sender.stop_session(session["id"])
        assert stop.result == "ACCEPTED", stop.envelope
        network.assert_told(await result_at_emsp(network, stop.name), "ACCEPTED")

        async def completed() -> dict[str, Any] | None:
            ended = await network.only_session()
            return ended if ended["status"] == "COMPLETED" else None

        # Connected until the StopTransaction is in: the charger sends it after answering the stop.
        await eventually(completed, timeout=20)
    ended = await network.only_session()
    assert (ended["stopReason"], ended["kwh"]) == ("Remote", charger.meter.energy_wh / 1000)
    # Exactly one result for each command reached the eMSP.
    assert [len(network.emsp.results(name)) for name in (start.name, stop.name)] == [1, 1]


@pytest.mark.parametrize("ocpi_version", [V221])  # ChargingProfiles is a 2.2.1 module
async def test_an_emsp_gets_the_active_profile_of_its_session_from_the_charger(network: Network, app) -> None:  # noqa: F811
    profile = {"charging_rate_unit": "W", "charging_profile_period": [{"start_period": 0, "limit": 7400.0}]}
    async with simulated_charger(network, app) as charger:
        _, session = await started_remotely(network, charger)
        before = await network.sender.get_active_profile(session["id"], duration=600)
        assert await result_at_emsp(network, before.name) == {"result": "REJECTED"}, "no profile set yet"

        set_profile = await network.sender.set_charging_profile(session["id"], profile)
        assert await result_at_emsp(network, set_profile.name) == {"result": "ACCEPTED"}
        asked = await network.sender.get_active_profile(session["id"], duration=600)
        answered = await result_at_emsp(network, asked.name)
    assert schema_errors("chargingprofiles", "ActiveChargingProfileResult", answered) == [], answered
    assert answered == {"result": "ACCEPTED", "profile": {
        "start_date_time": charger.transaction_started,
        "charging_profile": {**profile, "duration": 600},
    }}
