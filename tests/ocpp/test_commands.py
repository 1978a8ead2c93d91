"""Partners' commands reach the connected charger as OCPP calls and are answered with its `.conf`, through
the commands' own flow; the simulator is the charger (both engines)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from evroam.charging.events.models import ChargerEvent
from evroam.simulate.run import connected
from tests.integrations.factories import ok
from tests.ocpp.conftest import COMMANDS_POLLED_OFTEN, PASSWORD, Gateway, pending, settled

API = "/api/v2/cpo"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return COMMANDS_POLLED_OFTEN


async def test_remote_start_and_stop_through_the_charger(gateway: Gateway) -> None:
    start = await pending(gateway, "START_SESSION", socket_id=1, id_tag="DRIVER1")
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD) as charger:
        assert (await settled(gateway, start))["result"] == "ACCEPTED"
        for _ in range(200):
            if charger.transaction_id is not None:
                break
            await asyncio.sleep(0.05)
        await charger.sample(3600)
        stop = await pending(gateway, "STOP_SESSION", transaction_id=str(charger.transaction_id))
        assert (await settled(gateway, stop))["result"] == "ACCEPTED"
        for _ in range(200):
            if (await gateway.network.only_session())["status"] == "COMPLETED":
                break
            await asyncio.sleep(0.05)
    session = await gateway.network.only_session()
    assert (session["status"], session["stopReason"], session["kwh"]) == ("COMPLETED", "Remote", 11)
    # The charger's StartTransaction does not say it was remote: the gateway names the command it accepted.
    async with gateway.network.runtime.sessions() as db:
        started = await db.scalar(select(ChargerEvent.payload).where(ChargerEvent.type == "SessionStarted"))
    assert started["commandId"] == start


async def test_a_call_the_charger_cannot_do_is_not_supported_and_a_refusal_is_rejected(gateway: Gateway) -> None:
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD):
        unlock = await pending(gateway, "UNLOCK_CONNECTOR", socket_id=1)
        assert (await settled(gateway, unlock))["result"] == "NOT_SUPPORTED"
        stop = await pending(gateway, "STOP_SESSION", transaction_id="424242")
        assert (await settled(gateway, stop))["result"] == "REJECTED"


async def test_a_command_waits_for_its_charger_to_connect(gateway: Gateway) -> None:
    command_id = await pending(gateway, "UNLOCK_CONNECTOR", socket_id=1)
    await asyncio.sleep(0.3)
    assert ok(await gateway.network.client.get(f"{API}/commands/{command_id}"))["status"] == "PENDING"
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD):
        assert (await settled(gateway, command_id))["status"] == "ANSWERED"


async def test_a_charging_profile_is_set_on_the_transaction_and_cleared(gateway: Gateway) -> None:
    ocpi_profile = {"charging_rate_unit": "W", "min_charging_rate": 1400,
                    "charging_profile_period": [{"start_period": 0, "limit": 7400}, {"start_period": 1800, "limit": 3700}]}
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD) as charger:
        transaction_id = await charger.start_transaction("DRIVER1")
        profile = await pending(gateway, "SET_CHARGING_PROFILE", socket_id=1, transaction_id=str(transaction_id),
                                details={"charging_profile": ocpi_profile})
        assert (await settled(gateway, profile))["result"] == "ACCEPTED"
        assert charger.charging_profile == {
            "charging_profile_id": transaction_id, "transaction_id": transaction_id, "stack_level": 0,
            "charging_profile_purpose": "TxProfile", "charging_profile_kind": "Relative",
            "charging_schedule": {"charging_rate_unit": "W", "min_charging_rate": 1400, "charging_schedule_period": [
                {"start_period": 0, "limit": 7400}, {"start_period": 1800, "limit": 3700}]},
        }
        cleared = await pending(gateway, "CLEAR_PROFILE", transaction_id=str(transaction_id))
        again = await pending(gateway, "CLEAR_PROFILE", transaction_id=str(transaction_id))
        assert (await settled(gateway, cleared))["result"] == "ACCEPTED"
        assert (await settled(gateway, again))["result"] == "UNKNOWN"
        assert charger.charging_profile is None


async def test_the_active_profile_asked_for_is_the_chargers_composite_schedule(gateway: Gateway) -> None:
    ocpi_profile = {"charging_rate_unit": "A", "min_charging_rate": 6,
                    "charging_profile_period": [{"start_period": 0, "limit": 16.5}, {"start_period": 1800, "limit": 10}]}
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD) as charger:
        transaction_id = await charger.start_transaction("DRIVER1")
        asked = {"socket_id": 1, "transaction_id": str(transaction_id), "details": {"duration": 1200}}
        before = await settled(gateway, await pending(gateway, "GET_ACTIVE_CHARGING_PROFILE", **asked))
        assert (before["result"], before["message"]) == ("REJECTED", "the charger answered Rejected")
        assert "active" not in before["details"]

        profile = await pending(gateway, "SET_CHARGING_PROFILE", socket_id=1, transaction_id=str(transaction_id),
                                details={"charging_profile": ocpi_profile})
        assert (await settled(gateway, profile))["result"] == "ACCEPTED"
        answered = await settled(gateway, await pending(gateway, "GET_ACTIVE_CHARGING_PROFILE", **asked))
    # The charger's schedule for the 1200 s asked: the second period begins after them.
    assert answered["result"] == "ACCEPTED", answered
    assert answered["details"]["active"] == {
        "start_date_time": charger.transaction_started,
        "charging_profile": {"duration": 1200, "charging_rate_unit": "A", "min_charging_rate": 6.0,
                             "charging_profile_period": [{"start_period": 0, "limit": 16.5}]},
    }
