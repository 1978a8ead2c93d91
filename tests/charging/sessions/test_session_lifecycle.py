"""Sessions from charger events over the management API, on both engines: attribution to the integration
whose token was authorized, the tariff published for the connector, the cost, and the OCPI document."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from evroam.charging.sessions.models import ChargingSession
from evroam.events import Change
from tests.charging.sessions.conftest import Network
from tests.charging.sessions.timeline import at
from tests.integrations.factories import ok
from tests.ocpi.factories import schema_errors


def started(event_id: str = "e1", time: str | None = None, meter: float = 1000, **more) -> dict:
    return {"eventId": event_id, "type": "SessionStarted", "time": time or at(0), "socketId": 1, "transactionId": "tx-1",
            "idTag": "DRIVER1", "meterStartWh": meter, **more}


def meter(event_id: str, time: str, energy: float, **more) -> dict:
    return {"eventId": event_id, "type": "MeterValues", "time": time, "transactionId": "tx-1", "energyWh": energy,
            **more}


def stopped(event_id: str = "e9", time: str | None = None, meter_stop: float = 21000) -> dict:
    return {"eventId": event_id, "type": "SessionStopped", "time": time or at(60), "transactionId": "tx-1",
            "meterStopWh": meter_stop, "reason": "EVDisconnected"}


async def document_of(network: Network, session_id: str) -> dict:
    async with network.runtime.sessions() as session:
        return (await session.scalar(select(ChargingSession.document).where(ChargingSession.id == session_id)))


async def test_an_authorized_session_is_priced_and_reported_to_the_tokens_integration(network: Network) -> None:
    decision = await network.authorize()
    ok(await network.post(started(authorizationReference=decision["authorizationReference"])))
    active = await network.only_session()
    assert (active["status"], active["integrationId"], active["authMethod"]) == (
        "ACTIVE", network.integration_id, "WHITELIST")
    assert active["authorizationReference"] == decision["authorizationReference"]

    ok(await network.post(meter("e2", at(30), 11000), stopped()))
    done = await network.only_session()
    assert done["status"] == "COMPLETED"
    assert Decimal(str(done["kwh"])) == Decimal(20)
    # 20 kWh at 0.30 and a 0.50 start fee, +24 % VAT.
    assert done["costs"]["total"] == {"exclVat": 6.5, "inclVat": 8.06, "vat": 1.56}
    assert done["costs"]["energy"] == {"exclVat": 6.0, "inclVat": 7.44, "vat": 1.44}
    assert done["costs"]["fixed"] == {"exclVat": 0.5, "inclVat": 0.62, "vat": 0.12}
    assert done["tariffId"] == network.tariff_id and done["currency"] == "EUR"
    assert ok(await network.client.get(f"/api/v2/cpo/sessions/{done['id']}")) == done

    document = await document_of(network, done["id"])
    assert schema_errors("sessions", "Session", document) == []
    assert document["cdr_token"] == {name: network.token[name]
                                     for name in ("country_code", "party_id", "uid", "type", "contract_id")}
    assert (document["status"], document["auth_method"], document["location_id"]) == (
        "COMPLETED", "WHITELIST", network.location_id)
    assert document["total_cost"] == {"excl_vat": 6.5, "incl_vat": 8.06}
    # Cut every 15 minutes (the integration's default interval).
    assert [period["start_date_time"] for period in document["charging_periods"]] == [at(0), at(15), at(30), at(45)]
    energies = [next(d["volume"] for d in period["dimensions"] if d["type"] == "ENERGY")
                for period in document["charging_periods"]]
    assert energies == [5.0, 5.0, 5.0, 5.0]
    assert {period["tariff_id"] for period in document["charging_periods"]} == {network.tariff_id}


async def test_events_out_of_order_make_the_same_session(network: Network) -> None:
    await network.authorize()
    ok(await network.post(stopped(), meter("e2", at(30), 11000)))
    assert (await network.only_session())["status"] == "PENDING"
    ok(await network.post(started()))
    done = await network.only_session()
    assert done["status"] == "COMPLETED" and done["costs"]["total"] == {"exclVat": 6.5, "inclVat": 8.06, "vat": 1.56}
    assert done["startDateTime"] == at(0) and done["endDateTime"] == at(60)


async def test_each_change_of_a_session_is_announced_once(network: Network, changes: list[Change]) -> None:
    await network.authorize()
    ok(await network.post(started()))
    ok(await network.post(started()))  # a repeat: nothing changes
    ok(await network.post(stopped()))
    session_id = (await network.only_session())["id"]
    announced = [change for change in changes if change.session_ids]
    assert [change.session_ids for change in announced] == [frozenset({session_id})] * 2


async def test_a_session_without_a_decision_or_free_vending_is_nobodys(network: Network) -> None:
    ok(await network.post(started(), stopped()))
    done = await network.only_session()
    assert (done["status"], done["integrationId"], done["costs"]) == ("COMPLETED", None, None)
    assert await document_of(network, done["id"]) is None
