"""GET /sessions and /sessions/{id} on both engines, and what decides a session's attribution and periods:
a real-time decision (AUTH_REQUEST), free vending, the integration's period interval and state of charge,
and the PENDING timeout."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import select, update

from evroam.charging.sessions import flows
from evroam.charging.sessions.models import ChargingSession
from evroam.charging.sessions.scheduled import PENDING_TIMEOUT
from evroam.events import Change
from tests.charging.sessions.conftest import Network
from tests.charging.sessions.timeline import at
from tests.integrations.factories import ok
from tests.ocpi.factories import schema_errors, set_integration
from tests.support.authorizing_emsp import info, store_token


def charge(transaction_id: str, id_tag: str = "DRIVER1", socket_id: int = 1, minutes: int = 30,
           stop: bool = True, state_of_charge: int | None = None) -> list[dict]:
    """10 kWh over `minutes`, sampled half way."""
    sample = {"eventId": f"{transaction_id}-m", "type": "MeterValues", "time": at(minutes / 2),
              "transactionId": transaction_id, "energyWh": 5000}
    if state_of_charge is not None:
        sample["stateOfCharge"] = state_of_charge
    events = [
        {"eventId": f"{transaction_id}-s", "type": "SessionStarted", "time": at(0), "socketId": socket_id,
         "transactionId": transaction_id, "idTag": id_tag, "meterStartWh": 0},
        sample,
    ]
    if stop:
        events.append({"eventId": f"{transaction_id}-e", "type": "SessionStopped", "time": at(minutes),
                       "transactionId": transaction_id, "meterStopWh": 10000})
    return events


async def document(network: Network) -> dict:
    async with network.runtime.sessions() as session:
        return await session.scalar(select(ChargingSession.document))


async def test_sessions_are_listed_with_filters_and_pages(network: Network) -> None:
    await network.authorize()
    ok(await network.post(*charge("tx-1")))
    ok(await network.post(*charge("tx-2", id_tag="STRANGER", socket_id=2, stop=False)))
    everything = await network.sessions()
    assert everything["totalRecords"] == 2
    assert {(item["transactionId"], item["status"]) for item in everything["items"]} == {
        ("tx-1", "COMPLETED"), ("tx-2", "ACTIVE")}
    assert [item["transactionId"] for item in (await network.sessions(status="ACTIVE"))["items"]] == ["tx-2"]
    billed = await network.sessions(integrationId=network.integration_id)
    assert [item["transactionId"] for item in billed["items"]] == ["tx-1"]
    assert (await network.sessions(siteId=network.site_id))["totalRecords"] == 2
    assert (await network.sessions(siteId=network.site_id + 1))["totalRecords"] == 0
    assert (await network.sessions(chargerId="CH-1", **{"from": at(0), "to": at(1)}))["totalRecords"] == 2
    assert (await network.sessions(**{"from": at(1)}))["totalRecords"] == 0
    first = await network.sessions(limit=1)
    assert (len(first["items"]), first["hasNextPage"]) == (1, True)
    bad = await network.client.get("/api/v2/cpo/sessions", params={"status": "DONE"})
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "status"


async def test_another_operator_sees_no_session(network: Network, other_client) -> None:
    ok(await network.post(*charge("tx-1")))
    session_id = (await network.only_session())["id"]
    assert (await other_client.get(f"/api/v2/cpo/sessions/{session_id}")).status_code == 404
    assert ok(await other_client.get("/api/v2/cpo/sessions"))["totalRecords"] == 0
    assert (await network.client.get("/api/v2/cpo/sessions/unknown")).status_code == 404


async def test_a_real_time_decision_is_reported_as_auth_request_with_its_reference(network: Network) -> None:
    token = await store_token(network.runtime, network.integration_id, "ASKME", whitelist="NEVER")
    emsp = network.emsp
    emsp.script["ASKME"] = info("ALLOWED", token, reference="EMSP-REF-1")
    decision = await network.authorize("ASKME")
    assert (decision["source"], decision["authorizationReference"]) == ("REAL_TIME", "EMSP-REF-1")
    events = charge("tx-1", id_tag="ASKME")
    events[0]["authorizationReference"] = "EMSP-REF-1"
    ok(await network.post(*events))
    session = await document(network)
    assert (session["auth_method"], session["authorization_reference"]) == ("AUTH_REQUEST", "EMSP-REF-1")
    assert session["cdr_token"]["uid"] == "ASKME"


async def test_free_vending_reports_a_known_token_only_where_allowed(network: Network) -> None:
    ok(await network.post(*charge("tx-1")))  # no decision: the charger let the driver charge
    assert (await network.only_session())["integrationId"] is None
    await set_integration(network.runtime, network.integration_id, free_vending_with_idtag_allowed=True)
    ok(await network.post(*charge("tx-2")))
    billed = await network.sessions(integrationId=network.integration_id)
    assert [(item["transactionId"], item["authMethod"]) for item in billed["items"]] == [("tx-2", "WHITELIST")]


async def test_the_integrations_interval_and_state_of_charge_shape_the_periods(network: Network) -> None:
    await set_integration(network.runtime, network.integration_id, charging_period_interval_in_minutes=5,
                          state_of_charge_is_sent=True)
    await network.authorize()
    ok(await network.post(*charge("tx-1", state_of_charge=60)))
    sent = await document(network)
    assert schema_errors("sessions", "Session", sent) == []
    assert len(sent["charging_periods"]) == 6
    assert [d["volume"] for d in sent["charging_periods"][-1]["dimensions"] if d["type"] == "STATE_OF_CHARGE"] == [60]


async def test_a_session_whose_start_never_comes_times_out_invalid(network: Network, changes: list[Change]) -> None:
    await network.authorize()
    ok(await network.post(*charge("tx-1")[1:]))  # meter values and stop, no start
    assert (await network.only_session())["status"] == "PENDING"
    assert await flows.time_out_pending(network.runtime) == 0, "not yet"
    async with network.runtime.sessions() as session:
        await session.execute(update(ChargingSession).values(created_at=datetime.now(UTC) - PENDING_TIMEOUT * 2))
        await session.commit()
    announced = len(changes)
    assert await flows.time_out_pending(network.runtime) == 1
    assert (await network.only_session())["status"] == "INVALID"
    assert [change.session_ids for change in changes[announced:]] == [frozenset({(await network.only_session())["id"]})]
    ok(await network.post(charge("tx-1")[0]))  # the start, at last: the session it was
    assert (await network.only_session())["status"] == "COMPLETED"


async def test_the_running_app_times_out_pending_sessions_on_its_own(network: Network, app: FastAPI) -> None:
    await network.authorize()
    ok(await network.post(*charge("tx-1")[1:]))  # meter values and stop, no start
    async with network.runtime.sessions() as session:
        await session.execute(update(ChargingSession).values(created_at=datetime.now(UTC) - PENDING_TIMEOUT * 2))
        await session.commit()
    network.runtime.settings.run_worker_in_process = True  # as `evroam serve` runs by default
    try:
        async with app.router.lifespan_context(app):  # the periodic job's first round runs at start
            for _ in range(600):
                if (await network.only_session())["status"] != "PENDING":
                    break
                await asyncio.sleep(0.05)
            assert (await network.only_session())["status"] == "INVALID"
    finally:
        gc.unfreeze()  # the start-up freeze is for a server process, not for the rest of the test run
