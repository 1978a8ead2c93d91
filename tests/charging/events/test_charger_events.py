"""POST /chargers/{chargerId}/events on both engines: idempotent by eventId, the whole batch checked before
anything is stored, statuses through the socket service, and parallel posts of one batch on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from evroam.charging.events.models import ChargerEvent
from evroam.charging.sessions.models import ChargingSession
from evroam.events import Change
from tests.charging.sessions.conftest import Network
from tests.integrations.factories import ok

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _events_happen_now() -> None:
    """Each test's events are stamped from its own start, not the module's import: a decision counts for
    a session only near its start, and in the whole suite this module is imported many minutes before
    its tests run."""
    global NOW
    NOW = datetime.now(UTC).replace(microsecond=0)


def moment(minutes: float) -> str:
    return (NOW + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def status(event_id: str, minutes: float, value: str, socket_id: int = 1) -> dict:
    return {"eventId": event_id, "type": "StatusChanged", "time": moment(minutes), "socketId": socket_id,
            "status": value, "errorCode": "NoError"}


def session_batch(transaction_id: str = "tx-1") -> list[dict]:
    return [
        {"eventId": f"{transaction_id}-start", "type": "SessionStarted", "time": moment(0), "socketId": 1,
         "transactionId": transaction_id, "idTag": "DRIVER1", "meterStartWh": "1000.5"},
        {"eventId": f"{transaction_id}-m1", "type": "MeterValues", "time": moment(10), "transactionId": transaction_id,
         "energyWh": 3000, "powerW": 11000, "currentA": 16, "stateOfCharge": 40},
        {"eventId": f"{transaction_id}-stop", "type": "SessionStopped", "time": moment(20),
         "transactionId": transaction_id, "meterStopWh": 5000.5, "reason": "Remote"},
    ]


async def stored_counts(network: Network) -> tuple[int, int]:
    async with network.runtime.sessions() as session:
        events = await session.scalar(select(func.count()).select_from(ChargerEvent))
        sessions = await session.scalar(select(func.count()).select_from(ChargingSession))
    return events, sessions


async def socket_status(network: Network, socket_id: int) -> str:
    charger = ok(await network.client.get("/api/v2/cpo/chargers/CH-1"))
    return next(socket["status"] for socket in charger["sockets"] if socket["id"] == socket_id)


async def test_each_event_is_accepted_once_and_a_repeat_is_a_duplicate(network: Network) -> None:
    batch = session_batch()
    first = ok(await network.post(*batch))
    assert first == {"results": [{"eventId": event["eventId"], "result": "accepted"} for event in batch]}
    again = ok(await network.post(batch[1], {**batch[0], "meterStartWh": 0}, status("s1", 1, "Charging")))
    assert [item["result"] for item in again["results"]] == ["duplicate", "duplicate", "accepted"]
    assert await stored_counts(network) == (4, 1)
    session = await network.only_session()
    assert (session["meterStartWh"], session["kwh"]) == (1000.5, 4.0), "the first copy of an event counts"


async def test_an_event_twice_in_one_batch_is_stored_once(network: Network) -> None:
    event = status("s1", 0, "Preparing")
    answer = ok(await network.post(event, event))
    assert [item["result"] for item in answer["results"]] == ["accepted", "duplicate"]
    assert await stored_counts(network) == (1, 0)


@pytest.mark.parametrize(("bad", "field"), [
    ({"meterStartWh": "12,5"}, "events.1.meterStartWh"),
    ({"type": "Exploded"}, "events.1"),
    ({"time": "yesterday"}, "events.1.time"),
    ({"socketId": 7}, "events.1.socketId"),
    ({"idTag": "has space"}, "events.1.idTag"),
])
async def test_a_bad_event_refuses_the_whole_batch_naming_it(network: Network, bad: dict, field: str) -> None:
    good, started, *_ = [status("s1", 0, "Preparing"), *session_batch()]
    response = await network.post(good, {**started, **bad})
    assert response.status_code == 400, response.text
    assert field in [detail["field"] for detail in response.json()["details"]]
    assert await stored_counts(network) == (0, 0)
    assert await socket_status(network, 1) == "Available"


async def test_an_unknown_or_other_operators_charger_is_not_found(network: Network, other_client) -> None:
    assert (await network.post(status("s1", 0, "Charging"), charger_id="NOPE")).status_code == 404
    response = await other_client.post("/api/v2/cpo/chargers/CH-1/events", json={"events": [status("s1", 0, "Faulted")]})
    assert response.status_code == 404
    assert await stored_counts(network) == (0, 0)


async def test_a_status_reaches_the_socket_and_a_late_older_one_does_not(network: Network, changes: list[Change]) -> None:
    ok(await network.post(status("s1", 5, "Charging"), status("s2", 5, "Faulted", socket_id=2)))
    assert (await socket_status(network, 1), await socket_status(network, 2)) == ("Charging", "Faulted")
    assert any(change.charger_ids == frozenset({"CH-1"}) for change in changes), "published as a socket change"
    ok(await network.post(status("s0", 1, "Available")))  # older than Charging: history only
    assert await socket_status(network, 1) == "Charging"
    ok(await network.post(status("s3", 9, "Finishing")))
    assert await socket_status(network, 1) == "Finishing"


async def test_a_late_status_during_a_session_turns_its_end_into_parking(network: Network) -> None:
    await network.authorize()
    ok(await network.post(*session_batch()))
    before = await network.only_session()
    ok(await network.post(status("s1", 15, "SuspendedEV")))
    after = await network.only_session()
    assert after["lastUpdated"] > before["lastUpdated"]
    async with network.runtime.sessions() as session:
        document = await session.scalar(select(ChargingSession.document))
    assert [[d["type"] for d in period["dimensions"]][:2] for period in document["charging_periods"]] == [
        ["ENERGY", "TIME"], ["ENERGY", "PARKING_TIME"]]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_one_batch_posted_twice_at_once_is_stored_once(network: Network) -> None:
    await network.authorize()
    batch = [status("s1", 0, "Charging"), *session_batch()]
    answers = await asyncio.gather(*(network.post(*batch) for _ in range(2)))
    results = sorted(tuple(item["result"] for item in ok(answer)["results"]) for answer in answers)
    assert results == [("accepted",) * 4, ("duplicate",) * 4]
    assert await stored_counts(network) == (4, 1)
    assert (await network.only_session())["status"] == "COMPLETED"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_batches_of_one_session_posted_at_once_all_count(network: Network) -> None:
    await network.authorize()
    started, metered, stopped = session_batch()
    answers = await asyncio.gather(network.post(stopped), network.post(metered), network.post(started))
    assert all(answer.status_code == 200 for answer in answers)
    session = await network.only_session()
    assert (session["status"], session["kwh"], session["integrationId"]) == ("COMPLETED", 4.0, network.integration_id)
