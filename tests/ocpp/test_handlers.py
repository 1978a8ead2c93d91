"""What a charger reports reaches evroam through the charger events' ingest path: the boot, socket
statuses, authorizations, and transactions that become sessions with the right energy, on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ocpp.v16 import call, call_result
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from evroam.charging.events.models import ChargerEvent
from tests.integrations.factories import ok
from tests.ocpp.conftest import Gateway

API = "/api/v2/cpo"


def at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _start_now() -> None:
    """Transactions start at the test's own start: a decision counts for a session only near its start."""
    global START
    START = datetime.now(UTC).replace(microsecond=0)


def sampled(value: str, measurand: str = "Energy.Active.Import.Register", unit: str = "Wh", **more: str) -> dict:
    return {"value": value, "measurand": measurand, "unit": unit, **more}


async def charger_document(gateway: Gateway, charger_id: str = "CH-1") -> dict[str, Any]:
    return ok(await gateway.network.client.get(f"{API}/chargers/{charger_id}"))


async def stored_events(gateway: Gateway) -> int:
    async with gateway.network.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(ChargerEvent))


async def meter_readings(gateway: Gateway, *names: str) -> list[tuple[Decimal | None, ...]]:
    """The stored MeterValues events' readings, in event time."""
    async with gateway.network.runtime.sessions() as db:
        payloads = list(await db.scalars(
            select(ChargerEvent.payload).where(ChargerEvent.type == "MeterValues").order_by(ChargerEvent.time)))
    return [tuple(None if payload.get(name) is None else Decimal(payload[name]) for name in names)
            for payload in payloads]


async def test_boot_records_what_the_charger_is_and_gives_the_heartbeat_interval(gateway: Gateway) -> None:
    async with gateway.charger() as charger:
        answer = await charger.call(call.BootNotification(
            charge_point_model="Wallbox X", charge_point_vendor="Acme", firmware_version="1.2.3",
            charge_point_serial_number="SN-42",
        ))
    assert answer.status == "Accepted" and answer.interval == 300
    document = await charger_document(gateway)
    assert (document["model"], document["manufacturer"], document["firmwareVersion"], document["serialNumber"]) == (
        "Wallbox X", "Acme", "1.2.3", "SN-42")


async def test_a_status_notification_sets_the_socket_status_and_connector_0_none(gateway: Gateway) -> None:
    async with gateway.charger() as charger:
        await charger.call(call.StatusNotification(connector_id=0, error_code="NoError", status="Unavailable",
                                                   timestamp=at(0)))
        # Three reports within one second (the charger's clock has whole seconds): the last one counts.
        for status in ("Preparing", "Available", "Preparing"):
            await charger.call(call.StatusNotification(connector_id=2, error_code="NoError", status=status,
                                                       timestamp=at(1)))
        await charger.call(call.StatusNotification(connector_id=1, error_code="GroundFailure", status="Faulted"))
    statuses = {socket["id"]: socket["status"] for socket in (await charger_document(gateway))["sockets"]}
    assert statuses == {1: "Faulted", 2: "Preparing"}


async def test_a_status_of_a_connector_evroam_does_not_know_is_answered_and_not_recorded(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    sockets_before = (await charger_document(gateway))["sockets"]
    async with gateway.charger() as charger:
        answer = await charger.call(call.StatusNotification(connector_id=9, error_code="NoError", status="Faulted"),
                                    suppress=False)  # a CallError would raise here
    assert answer == call_result.StatusNotification()
    assert await stored_events(gateway) == 0
    assert (await charger_document(gateway))["sockets"] == sockets_before
    assert "CH-1: status Faulted of connector 9 not recorded: " in caplog.text
    assert "charger CH-1 has no socket 9" in caplog.text


async def test_a_start_at_a_connector_evroam_does_not_know_is_answered_invalid_and_makes_no_session(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    async with gateway.charger() as charger:
        started = await charger.call(call.StartTransaction(connector_id=9, id_tag="DRIVER1", meter_start=1000,
                                                           timestamp=at(0)), suppress=False)
        again = await charger.call(call.StartTransaction(connector_id=9, id_tag="DRIVER1", meter_start=1000,
                                                         timestamp=at(0)), suppress=False)  # a charger's retry
    assert started.id_tag_info["status"] == "Invalid" and started.transaction_id > 0
    assert again.transaction_id == started.transaction_id
    assert await stored_events(gateway) == 0
    assert ok(await gateway.network.client.get(f"{API}/sessions"))["items"] == []
    assert f"start of transaction {started.transaction_id} at connector 9 not recorded" in caplog.text


async def test_authorize_answers_the_decision(gateway: Gateway) -> None:
    async with gateway.charger() as charger:
        known = await charger.call(call.Authorize(id_tag="DRIVER1"))
        unknown = await charger.call(call.Authorize(id_tag="NOBODY"))
    assert known.id_tag_info["status"] == "Accepted"
    assert unknown.id_tag_info["status"] == "Invalid"


async def test_a_transaction_becomes_a_session_with_its_energy_and_resent_messages_count_once(
    gateway: Gateway,
) -> None:
    async with gateway.charger() as charger:
        started = await charger.call(call.StartTransaction(connector_id=1, id_tag="DRIVER1", meter_start=1000,
                                                           timestamp=at(0)))
        transaction_id = started.transaction_id
        meter = call.MeterValues(connector_id=1, transaction_id=transaction_id, meter_value=[
            {"timestamp": at(60), "sampledValue": [
                sampled("3.5", unit="kWh", context="Sample.Periodic"),
                sampled("7.2", "Power.Active.Import", "kW"),
                *(sampled("10", "Current.Import", "A", phase=phase) for phase in ("L1", "L2", "L3")),
                sampled("55", "SoC", "Percent", location="EV"),
            ]},
        ])
        await charger.call(meter)
        events_once = await stored_events(gateway)
        # From the charger's offline queue: the same start and meter values again.
        again = await charger.call(call.StartTransaction(connector_id=1, id_tag="DRIVER1", meter_start=1000,
                                                         timestamp=at(0)))
        await charger.call(meter)
        assert await stored_events(gateway) == events_once
        stop = call.StopTransaction(meter_stop=9000, timestamp=at(600), transaction_id=transaction_id,
                                    reason="EVDisconnected", transaction_data=[
            {"timestamp": at(300), "sampledValue": [sampled("6000")]},
        ])
        await charger.call(stop)
        await charger.call(stop)
    assert started.id_tag_info["status"] == "Accepted"
    assert again.transaction_id == transaction_id
    session = await gateway.network.only_session()
    assert session["transactionId"] == str(transaction_id)
    assert session["status"] == "COMPLETED"
    assert (session["meterStartWh"], session["meterStopWh"], session["kwh"]) == (1000, 9000, 8)
    assert session["stopReason"] == "EVDisconnected"
    assert await meter_readings(gateway, "energyWh", "powerW", "currentA", "stateOfCharge") == [
        (3500, 7200, 30, 55), (6000, None, None, None)]


async def test_transaction_ids_are_new_per_start(gateway: Gateway) -> None:
    async with gateway.charger() as charger:
        first = await charger.call(call.StartTransaction(connector_id=1, id_tag="DRIVER1", meter_start=0,
                                                         timestamp=at(0)))
        second = await charger.call(call.StartTransaction(connector_id=2, id_tag="DRIVER1", meter_start=0,
                                                          timestamp=at(0)))
    assert first.transaction_id != second.transaction_id


async def test_interval_meters_and_per_phase_registers_add_up(gateway: Gateway) -> None:
    async with gateway.charger() as charger:
        transaction_id = (await charger.call(call.StartTransaction(
            connector_id=1, id_tag="DRIVER1", meter_start=500, timestamp=at(0)))).transaction_id
        intervals = [
            call.MeterValues(connector_id=1, transaction_id=transaction_id, meter_value=[
                {"timestamp": at(60 * minute), "sampledValue": [
                    sampled("1", "Energy.Active.Import.Interval", "kWh", context="Sample.Periodic")]}])
            for minute in (1, 2)
        ]
        for message in (intervals[0], intervals[1], intervals[1]):  # the second one re-sent
            await charger.call(message)
        await charger.call(call.MeterValues(connector_id=1, transaction_id=transaction_id, meter_value=[
            {"timestamp": at(180), "sampledValue": [sampled("1200", phase=phase) for phase in ("L1", "L2", "L3")]}]))
    assert await meter_readings(gateway, "energyWh") == [(1500,), (2500,), (3600,)]
    assert (await gateway.network.only_session())["kwh"] == 3.1


async def test_a_malformed_message_gets_a_call_error(gateway: Gateway) -> None:
    """The `ocpp` library's schema check answers; nothing is stored."""
    messages = {
        "TypeConstraintViolation": {"connectorId": "one", "errorCode": "NoError", "status": "Available"},
        "ProtocolError": {"connectorId": 1},  # required fields missing
    }
    async with connect(f"{gateway.url}/ocpp/CH-1", subprotocols=["ocpp1.6"],
                       additional_headers=gateway.headers()) as socket:
        for number, (error, payload) in enumerate(messages.items()):
            action = "StatusNotification" if "status" in payload else "StartTransaction"
            await socket.send(json.dumps([2, f"bad-{number}", action, payload]))
            assert json.loads(await socket.recv())[:3] == [4, f"bad-{number}", error]
    assert await stored_events(gateway) == 0
