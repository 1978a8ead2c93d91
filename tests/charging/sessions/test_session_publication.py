"""What a partner receives of a session built from charger events, on both engines: a PUT when it starts,
PATCHes carrying the changed fields and only the charging periods closed since, a final PUT when it
completes, then its CDR POSTed once; the same documents served to its pulls; 2.1.1 in its own shape."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select, update

from evroam.delivery.models import Delivery
from evroam.integrations.models import Integration
from evroam.publication import hook
from evroam.publication.ledger import published_document
from tests.charging.sessions.conftest import Network
from tests.charging.sessions.timeline import at
from tests.integrations.factories import ok
from tests.ocpi.factories import schema_errors, version_schema_errors
from tests.support.authorizing_emsp import connect, published_integration, store_token

RECEIVER = "http://127.0.0.1:9/emsp"  # never called: no worker runs here, the outbox rows are read


def started(reference: str, transaction: str = "tx-1") -> dict[str, Any]:
    return {"eventId": f"{transaction}-start", "type": "SessionStarted", "time": at(0), "socketId": 1,
            "transactionId": transaction, "idTag": "DRIVER1", "meterStartWh": 1000,
            "authorizationReference": reference}


def meter(minutes: float, energy: float, transaction: str = "tx-1") -> dict[str, Any]:
    return {"eventId": f"{transaction}-m{minutes}", "type": "MeterValues", "time": at(minutes),
            "transactionId": transaction, "energyWh": energy}


def stopped(minutes: float, energy: float, transaction: str = "tx-1") -> dict[str, Any]:
    return {"eventId": f"{transaction}-stop", "type": "SessionStopped", "time": at(minutes),
            "transactionId": transaction, "meterStopWh": energy, "reason": "EVDisconnected"}


async def with_receivers(network: Network, integration_id: str, version: str = "2.2.1", **models: bool) -> None:
    """The partner has Receiver endpoints for sessions and CDRs (and the models flags given)."""
    async with network.runtime.sessions() as session:
        integration = await session.get(Integration, integration_id)
        endpoints = [*integration.version_details["endpoints"]]
        for module in ("sessions", "cdrs"):
            endpoint = {"identifier": module, "url": f"{RECEIVER}/{version}/{module}"}
            endpoints.append(endpoint | ({"role": "RECEIVER"} if version != "2.1.1" else {}))
        await session.execute(
            update(Integration).where(Integration.integration_id == integration_id).values(
                version_details={**integration.version_details, "endpoints": endpoints},
                models={**(integration.models or {}), **models},
            )
        )
        await session.commit()


async def pushes(network: Network, integration_id: str, module: str) -> list[tuple[str, str, Any]]:
    """(method, path, body) of the outbox rows of `module`, in the order they were queued."""
    async with network.runtime.sessions() as session:
        found = await session.scalars(
            select(Delivery).where(Delivery.integration_id == integration_id, Delivery.module == module)
            .order_by(Delivery.id)
        )
        return [(row.method, row.path, orjson.loads(row.body)) for row in found]


async def served(network: Network, integration_id: str, module: str, object_id: str) -> dict[str, Any] | None:
    async with network.runtime.sessions() as session:
        found = await published_document(session, integration_id, module, object_id)
    return None if found is None else orjson.loads(found)


def as_the_partner_holds_it(received: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """A Receiver's copy after the pushes: a PUT replaces it, a PATCH sets its fields and appends periods."""
    held: dict[str, Any] = {}
    for method, _, body in received:
        if method == "PUT":
            held = dict(body)
        else:
            appended = held.get("charging_periods", []) + body.get("charging_periods", [])
            held |= body
            held["charging_periods"] = appended
    return held


async def test_the_partner_follows_the_session_and_receives_its_cdr_once(network: Network) -> None:
    await with_receivers(network, network.integration_id)
    decision = await network.authorize()
    ok(await network.post(started(decision["authorizationReference"])))
    session_id = (await network.only_session())["id"]
    first = await pushes(network, network.integration_id, "sessions")
    party = f"/{first[0][2]['country_code']}/{first[0][2]['party_id']}"
    assert [(method, where) for method, where, _ in first] == [("PUT", f"{party}/{session_id}")]
    assert first[0][2]["status"] == "ACTIVE" and first[0][2]["charging_periods"] == [], "the open period waits"
    assert schema_errors("sessions", "Session", first[0][2]) == []

    ok(await network.post(meter(20, 7000)))  # closes the period 0-15 (cut every 15 minutes)
    ok(await network.post(meter(25, 9000)))  # only the open period grows
    ok(await network.post(meter(40, 13000)))  # closes 15-30
    received = await pushes(network, network.integration_id, "sessions")
    assert [method for method, _, _ in received] == ["PUT", "PATCH", "PATCH", "PATCH"]
    patches = [body for _, _, body in received[1:]]
    assert [[p["start_date_time"] for p in body.get("charging_periods", [])] for body in patches] == [
        [at(0)], [], [at(15)]], "each closed period is sent once, when it closes"
    assert all({"kwh", "last_updated"} <= body.keys() and "id" not in body for body in patches)
    assert as_the_partner_holds_it(received) == await served(network, network.integration_id, "sessions", session_id)

    ok(await network.post(stopped(50, 15000)))
    received = await pushes(network, network.integration_id, "sessions")
    method, _, final = received[-1]
    assert method == "PUT" and final["status"] == "COMPLETED"
    assert [p["start_date_time"] for p in final["charging_periods"]] == [at(0), at(15), at(30), at(45)]
    assert final == await served(network, network.integration_id, "sessions", session_id)

    cdrs = await pushes(network, network.integration_id, "cdrs")
    assert [(method, where) for method, where, _ in cdrs] == [("POST", "")]
    cdr = cdrs[0][2]
    assert schema_errors("cdrs", "CDR", cdr) == []
    assert (cdr["session_id"], cdr["total_cost"], cdr["total_energy"]) == (session_id, final["total_cost"], 14.0)
    assert cdr["authorization_reference"] == decision["authorizationReference"]
    assert cdr == await served(network, network.integration_id, "cdrs", cdr["id"])
    listed = ok(await network.client.get("/api/v2/cpo/cdrs", params={"integrationId": network.integration_id}))
    assert [item["id"] for item in listed["items"]] == [cdr["id"]]

    ok(await network.post(stopped(50, 15000)))  # the charger repeats its stop: a duplicate, nothing new
    assert len(await pushes(network, network.integration_id, "cdrs")) == 1


async def test_late_events_that_change_a_period_already_sent_are_put_whole(network: Network) -> None:
    await with_receivers(network, network.integration_id)
    decision = await network.authorize()
    ok(await network.post(started(decision["authorizationReference"]), meter(20, 7000)))
    ok(await network.post(meter(10, 3000)))  # an offline charger's earlier sample: period 0-15 changes
    received = await pushes(network, network.integration_id, "sessions")
    assert [method for method, _, _ in received][-1] == "PUT"
    assert as_the_partner_holds_it(received) == received[-1][2]


async def test_without_push_session_the_session_is_only_served(network: Network) -> None:
    await with_receivers(network, network.integration_id, pushSession=False, pushCdr=False)
    decision = await network.authorize()
    ok(await network.post(started(decision["authorizationReference"]), meter(20, 7000), stopped(30, 9000)))
    session_id = (await network.only_session())["id"]
    assert await pushes(network, network.integration_id, "sessions") == []
    assert await pushes(network, network.integration_id, "cdrs") == []
    assert (await served(network, network.integration_id, "sessions", session_id))["status"] == "COMPLETED"
    cdr_id = ok(await network.client.get("/api/v2/cpo/cdrs"))["items"][0]["id"]
    assert (await served(network, network.integration_id, "cdrs", cdr_id))["session_id"] == session_id


async def test_a_211_partner_gets_both_in_its_shape_and_no_credit_cdr(network: Network) -> None:
    other = await published_integration(network.client, network.runtime, network.emsp, network.site_id,
                                        version="2.1.1")  # fmt: skip
    location_id = ok(await network.client.get(f"/api/v2/cpo/integrations/{other}/locations"))["items"][0]["id"]
    ok(await network.client.post(f"/api/v2/cpo/integrations/{other}/tariffs/{network.tariff_id}",
                                 json={"locations": [{"locationId": location_id}]}))  # fmt: skip
    token = await store_token(network.runtime, other, "DRIVER2")
    await with_receivers(network, other, version="2.1.1")
    decision = ok(await network.client.post("/api/v2/cpo/authorize",
                                            json={"chargerId": "CH-1", "socketId": 1, "idTag": "DRIVER2"}))
    start = started(decision["authorizationReference"]) | {"idTag": "DRIVER2"}
    ok(await network.post(start, meter(20, 7000), stopped(30, 9000)))

    received = await pushes(network, other, "sessions")
    final = received[-1][2]
    assert received[-1][0] == "PUT" and final["status"] == "COMPLETED"
    assert version_schema_errors("2.1.1", "Session", final) == []
    assert final["location"]["id"] == location_id and final["auth_id"] == token["contract_id"]
    posted = await pushes(network, other, "cdrs")
    assert len(posted) == 1 and version_schema_errors("2.1.1", "CDR", posted[0][2]) == []
    assert posted[0][2]["total_cost"] == final["total_cost"]
    # 0.30/kWh and a 0.50 start fee, excluding VAT: the 2.2.1 tariff priced it, 2.1.1 says the total.
    assert posted[0][2]["total_cost"] == 2.9

    ok(await network.client.post(f"/api/v2/cpo/cdrs/{posted[0][2]['id']}/corrections", json={"energyKwh": 5}), 201)
    after = [body for _, _, body in await pushes(network, other, "cdrs")]
    assert len(after) == 2 and after[1]["total_energy"] == 5, "the new CDR goes; the credit CDR cannot be said"


async def test_a_version_change_re_renders_sessions_and_cdrs_silently(network: Network) -> None:
    await with_receivers(network, network.integration_id)
    decision = await network.authorize()
    ok(await network.post(started(decision["authorizationReference"]), meter(20, 7000), stopped(30, 9000)))
    session_id = (await network.only_session())["id"]
    queued = len(await pushes(network, network.integration_id, "sessions"))
    await connect(network.runtime, network.integration_id, network.emsp, version="2.1.1")
    await with_receivers(network, network.integration_id, version="2.1.1")
    async with network.runtime.sessions() as session:
        await hook.refresh_integration(session, network.integration_id)
        await session.commit()
    assert "location" in (await served(network, network.integration_id, "sessions", session_id))
    cdr_id = ok(await network.client.get("/api/v2/cpo/cdrs"))["items"][0]["id"]
    assert "stop_date_time" in (await served(network, network.integration_id, "cdrs", cdr_id))
    assert len(await pushes(network, network.integration_id, "sessions")) == queued
    assert len(await pushes(network, network.integration_id, "cdrs")) == 1


def status(minutes: float, name: str, error: str = "NoError") -> dict[str, Any]:
    return {"eventId": f"status-{minutes}", "type": "StatusChanged", "time": at(minutes), "socketId": 1,
            "status": name, "errorCode": error}


async def test_time_the_evse_was_out_of_order_is_not_in_the_cdr(network: Network) -> None:
    """Gireve (charging-notes "CDRs"): total_time excludes the time the EVSE was out of order."""
    await with_receivers(network, network.integration_id)
    decision = await network.authorize()
    ok(await network.post(started(decision["authorizationReference"]), meter(20, 7000),
                          status(20, "Faulted", "GroundFailure"), status(35, "Charging"), stopped(60, 15000)))
    cdr = (await pushes(network, network.integration_id, "cdrs"))[0][2]
    assert schema_errors("cdrs", "CDR", cdr) == []
    assert cdr["total_time"] == 0.75, "an hour less the 15 minutes out of order"
    faulted = next(p for p in cdr["charging_periods"] if p["start_date_time"] == at(20))
    assert {"type": "TIME", "volume": 0.0} in faulted["dimensions"]
    session = await served(network, network.integration_id, "sessions", cdr["session_id"])
    assert session["total_cost"] == cdr["total_cost"]
