"""Pushes delivered by the worker to a real receiving eMSP on loopback: shapes, headers, order, retries,
Retry-After, coalescing, and nothing lost when a worker dies."""

from __future__ import annotations

import asyncio
import base64

import pytest
from sqlalchemy import func, select

from evroam.delivery.models import DELIVERED, OPEN, SUPERSEDED, Delivery
from evroam.delivery.worker import DeliveryPolicy, run_worker
from evroam.events import Change, announce
from evroam.network.sites.models import Site
from evroam.network.chargers.models import Socket
from tests.support.ocpi_partner import register_partner
from tests.ocpi.factories import RecordingEmsp, connect_receiver, eventually, publish_site, worker_running

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def emsp():
    async with RecordingEmsp().running() as running:
        yield running


async def open_rows(runtime) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status.in_(OPEN)))


async def all_delivered(runtime) -> bool:
    return await open_rows(runtime) == 0


async def set_status(runtime, operator_id, charger_id, socket_id, status):
    async with runtime.sessions() as session:
        (await session.get(Socket, (charger_id, socket_id))).status = status
        await session.flush()
        await announce(session, Change(operator_id=operator_id, charger_ids=frozenset({charger_id})))
        await session.commit()


async def rename_site(runtime, operator_id, site_id, name):
    async with runtime.sessions() as session:
        (await session.get(Site, site_id)).public_name = name
        await session.flush()
        await announce(session, Change(operator_id=operator_id, site_ids=frozenset({site_id})))
        await session.commit()


async def test_2_2_1_pushes_carry_the_ledger_documents_and_ocpi_headers(runtime, emsp):
    partner = await register_partner(runtime)
    token = await connect_receiver(runtime, partner.integration_id, emsp, "2.2.1")
    async with worker_running(runtime):
        network = await publish_site(runtime, partner.integration_id)
        await eventually(lambda: all_delivered(runtime))
        await set_status(runtime, network.operator_id, network.charger_ids[0], 1, "Charging")
        await eventually(lambda: all_delivered(runtime))
    tariff_put, location_put, patch = emsp.received
    assert (tariff_put.method, tariff_put.path) == ("PUT", f"/emsp/2.2.1/tariffs/FI/EVR/{network.tariff_id}")
    assert (location_put.method, location_put.path) == ("PUT", f"/emsp/2.2.1/locations/FI/EVR/{network.location_id}")
    assert location_put.body["id"] == network.location_id and location_put.body["country_code"] == "FI"
    uid = f"{network.charger_ids[0]}-1"
    assert (patch.method, patch.path) == ("PATCH", f"/emsp/2.2.1/locations/FI/EVR/{network.location_id}/{uid}")
    assert set(patch.body) == {"status", "last_updated"} and patch.body["status"] == "CHARGING"
    headers = location_put.headers
    assert headers["authorization"] == "Token " + base64.b64encode(token.encode()).decode()
    assert headers["x-request-id"] and headers["x-correlation-id"] and headers["content-type"] == "application/json"
    assert (headers["ocpi-from-country-code"], headers["ocpi-from-party-id"]) == ("FI", "EVR")
    assert (headers["ocpi-to-country-code"], headers["ocpi-to-party-id"]) == ("NL", "EMS")


async def test_2_1_1_pushes_have_the_2_1_1_shape_and_a_raw_token(runtime, emsp):
    partner = await register_partner(runtime, version="2.1.1")
    token = await connect_receiver(runtime, partner.integration_id, emsp, "2.1.1")
    async with worker_running(runtime):
        network = await publish_site(runtime, partner.integration_id)
        await eventually(lambda: all_delivered(runtime))
    tariff_put, location_put = emsp.received
    assert location_put.path == f"/emsp/2.1.1/locations/FI/EVR/{network.location_id}"
    assert "country_code" not in location_put.body and location_put.body["type"] == "PARKING_GARAGE"
    assert "tariff_id" in location_put.body["evses"][0]["connectors"][0]
    assert "vat" not in tariff_put.body["elements"][0]["price_components"][0]
    assert location_put.headers["authorization"] == f"Token {token}"
    assert "ocpi-from-party-id" not in location_put.headers


async def test_failures_are_retried_in_order_per_object(runtime, emsp):
    partner = await register_partner(runtime)
    await connect_receiver(runtime, partner.integration_id, emsp, "2.2.1")
    network = await publish_site(runtime, partner.integration_id)
    charger_id = network.charger_ids[0]
    sequence = ["Charging", "Finishing", "Available", "Faulted", "Available"]
    for status in sequence:
        await set_status(runtime, network.operator_id, charger_id, 1, status)
    emsp.fail(2, path="/locations/")
    async with worker_running(runtime):
        await eventually(lambda: all_delivered(runtime))
    location_calls = [seen for seen in emsp.received if "/locations/" in seen.path]
    assert [seen.method for seen in location_calls][:3] == ["PUT", "PUT", "PUT"], "retried until it went through"
    patches = [seen.body["status"] for seen in location_calls if seen.method == "PATCH"]
    assert patches == ["CHARGING", "AVAILABLE", "OUTOFORDER", "AVAILABLE"], "Finishing → CHARGING again is no change"
    arrivals = [seen.at for seen in location_calls]
    assert arrivals == sorted(arrivals)
    async with runtime.sessions() as session:
        first = await session.scalar(select(Delivery).where(Delivery.module == "locations").order_by(Delivery.id))
    assert first.attempts == 3 and first.status == DELIVERED and first.last_http_status == 200


async def test_a_failing_row_stays_visible_with_its_error(runtime, emsp, client):
    partner = await register_partner(runtime)
    await connect_receiver(runtime, partner.integration_id, emsp, "2.2.1")
    emsp.fail(1000, http_status=200, ocpi_status=2001)
    async with worker_running(runtime, DeliveryPolicy(base_delay=0.02, max_delay=0.05, idle_poll=0.05)):
        await publish_site(runtime, partner.integration_id)
        await eventually(lambda: _attempts_at_least(runtime, 3))
    listing = (await client.get(f"/api/v2/cpo/integrations/{partner.integration_id}/deliveries")).json()
    tariff_row = next(item for item in listing["items"] if item["module"] == "tariffs")
    assert tariff_row["status"] == "RETRYING" and tariff_row["attempts"] >= 3
    assert tariff_row["lastError"] == 'HTTP 200, OCPI 2001, "scripted"' and "nextAttemptAt" in tariff_row


async def _attempts_at_least(runtime, attempts):
    async with runtime.sessions() as session:
        return await session.scalar(select(func.min(Delivery.attempts))) >= attempts


async def test_429_retry_after_is_honoured(runtime, emsp):
    partner = await register_partner(runtime)
    await connect_receiver(runtime, partner.integration_id, emsp, "2.2.1")
    emsp.fail(1, http_status=429, ocpi_status=2000, headers={"Retry-After": "1"}, path="/tariffs/")
    async with worker_running(runtime, DeliveryPolicy(base_delay=0.01, max_delay=0.02, idle_poll=0.05, concurrency=1)):
        await publish_site(runtime, partner.integration_id)
        await eventually(lambda: all_delivered(runtime))
    refused, retried = [seen for seen in emsp.received if "/tariffs/" in seen.path]
    assert retried.at - refused.at >= 0.95, "not before the partner's Retry-After"


async def test_superseded_puts_are_not_sent(runtime, emsp):
    partner = await register_partner(runtime)
    await connect_receiver(runtime, partner.integration_id, emsp, "2.2.1")
    network = await publish_site(runtime, partner.integration_id)
    for name in ("First", "Second", "Third"):
        await rename_site(runtime, network.operator_id, network.site_id, name)
    async with worker_running(runtime):
        await eventually(lambda: all_delivered(runtime))
    puts = [seen.body["name"] for seen in emsp.received if "/locations/" in seen.path]
    assert puts == ["Third"]
    async with runtime.sessions() as session:
        superseded = await session.scalar(select(func.count()).where(Delivery.status == SUPERSEDED))
    assert superseded == 3


async def test_nothing_is_lost_when_a_worker_dies(runtime, emsp):
    partner = await register_partner(runtime)
    await connect_receiver(runtime, partner.integration_id, emsp, "2.2.1")
    networks = [await publish_site(runtime, partner.integration_id) for _ in range(4)]
    emsp.delay = 0.5
    crashing = DeliveryPolicy(lease=1, shutdown_grace=0, idle_poll=0.05)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(runtime, stop, crashing))
    await eventually(lambda: _in_flight(runtime))
    worker.cancel()  # dies with deliveries under way: no result is recorded
    await asyncio.gather(worker, return_exceptions=True)
    assert await open_rows(runtime) == 8
    emsp.delay = 0.0
    async with worker_running(runtime, DeliveryPolicy(lease=1, idle_poll=0.05)):
        await eventually(lambda: all_delivered(runtime))
    delivered = {seen.path.rsplit("/", 1)[1] for seen in emsp.received if seen.method == "PUT"}
    assert delivered == {n.location_id for n in networks} | {n.tariff_id for n in networks}


async def _received_put_of(emsp, object_id: str) -> bool:
    return any(seen.method == "PUT" and seen.path.endswith(object_id) for seen in emsp.received)


async def _in_flight(runtime) -> bool:
    async with runtime.sessions() as session:
        return bool(await session.scalar(select(func.count()).where(Delivery.status == "IN_FLIGHT")))


async def test_end_to_end_through_the_management_api(runtime, client, emsp):
    site = (await client.post("/api/v2/cpo/sites", json={
        "name": "Depot", "timezone": "Europe/Helsinki", "country": "FIN", "city": "Espoo",
        "streetAddress": "Tekniikantie 1", "latitude": 60.18, "longitude": 24.83,
    })).json()
    charger = await client.post("/api/v2/cpo/chargers", json={
        "chargerId": "E2E_CHARGER_1", "name": "Depot 1", "siteId": site["id"],
        "sockets": [{"id": 1, "type": "IEC_62196_T2", "format": "SOCKET", "socketPowerType": "AC_3_PHASE",
                     "maxPower": 11}],
    })
    assert charger.status_code == 201, charger.text
    tariff = (await client.post("/api/v2/cpo/tariffs", json={
        "name": "Depot price", "currency": "EUR", "useType": "PRICE",
        "elements": [{"priceComponents": [{"type": "ENERGY", "price": 0.29, "vat": 25.5, "stepSize": 1}]}],
    }))
    assert tariff.status_code == 201, tariff.text
    tariff_id = tariff.json()["id"]
    created = await client.post("/api/v2/cpo/integrations", json={"integrationName": "Roaming eMSP"})
    assert created.status_code == 201, created.text
    integration_id = created.json()["integrationId"]
    await connect_receiver(runtime, integration_id, emsp, "2.2.1")
    async with worker_running(runtime):
        location = await client.post(f"/api/v2/cpo/integrations/{integration_id}/locations", json={"siteId": site["id"]})
        assert location.status_code == 201, location.text
        location_id = location.json()["id"]
        # The tariff link below is a second object with its own delivery; waiting here makes the
        # order under test the one the operator caused, not the worker's poll timing.
        await eventually(lambda: _received_put_of(emsp, location_id))
        linked = await client.post(f"/api/v2/cpo/integrations/{integration_id}/tariffs/{tariff_id}",
                                   json={"locations": [{"locationId": location_id}]})
        assert linked.status_code == 200, linked.text
        socket = await client.patch("/api/v2/cpo/chargers/E2E_CHARGER_1/sockets/1", json={"status": "Charging"})
        assert socket.status_code == 200, socket.text
        await eventually(lambda: all_delivered(runtime))
    calls = [(seen.method, seen.path.split("/FI/EVR/")[1]) for seen in emsp.received]
    assert calls[0] == ("PUT", location_id), "the location, as soon as it is added"
    assert ("PUT", tariff_id) in calls and calls[-1] == ("PATCH", f"{location_id}/E2E_CHARGER_1-1")
    last_put = [seen for seen in emsp.received if seen.method == "PUT" and location_id in seen.path][-1]
    assert last_put.body["evses"][0]["connectors"][0]["tariff_ids"] == [tariff_id]
    assert emsp.received[-1].body["status"] == "CHARGING"
