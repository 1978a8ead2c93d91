"""The outbox on both engines: coalescing at enqueue, FIFO claims with leases, and the deliveries endpoints."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from evroam.database.base import utcnow
from evroam.delivery.models import DELIVERED, IN_FLIGHT, PENDING, RETRYING, SUPERSEDED, Delivery
from evroam.delivery.outbox import enqueue
from evroam.delivery.transport import Outcome
from evroam.delivery.worker import DeliveryPolicy, claim
from tests.support.ocpi_partner import register_partner

POLICY = DeliveryPolicy(lease=60)


async def put_rows(runtime, integration_id, *rows):
    """rows: (object_id, method); returns their ids in order."""
    async with runtime.sessions() as session:
        for object_id, method in rows:
            await session.run_sync(
                lambda sync, o=object_id, m=method: enqueue(
                    sync, integration_id, "locations", o, m, f"/FI/EVR/{o}", '{"id":"%s"}' % o
                )
            )
        await session.commit()
        found = await session.scalars(select(Delivery).where(Delivery.integration_id == integration_id).order_by(Delivery.id))
        return list(found)


async def statuses(runtime, integration_id):
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Delivery.object_id, Delivery.method, Delivery.status)
            .where(Delivery.integration_id == integration_id)
            .order_by(Delivery.id)
        )
        return [tuple(row) for row in rows]


async def set_row(runtime, delivery_id, **values):
    async with runtime.sessions() as session:
        await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))
        await session.commit()


async def test_full_puts_supersede_waiting_rows_of_the_same_object(runtime):
    partner = await register_partner(runtime)
    await put_rows(runtime, partner.integration_id, ("A", "PUT"), ("A", "PATCH"), ("B", "PUT"))
    assert await statuses(runtime, partner.integration_id) == [
        ("A", "PUT", PENDING), ("A", "PATCH", PENDING), ("B", "PUT", PENDING),
    ]
    await put_rows(runtime, partner.integration_id, ("A", "PUT"))
    assert await statuses(runtime, partner.integration_id) == [
        ("A", "PUT", SUPERSEDED), ("A", "PATCH", SUPERSEDED), ("B", "PUT", PENDING), ("A", "PUT", PENDING),
    ]
    claimed, _ = await claim(runtime, "worker-1", 10, POLICY)
    assert [row.path for row in claimed] == ["/FI/EVR/B", "/FI/EVR/A"]
    await put_rows(runtime, partner.integration_id, ("A", "DELETE"))
    assert (await statuses(runtime, partner.integration_id))[3] == ("A", "PUT", IN_FLIGHT), "in flight: left alone"


@pytest.mark.parametrize("refused_method", ["PUT", "PATCH"])
async def test_a_failed_push_gives_way_to_the_newer_put_written_while_it_was_in_flight(runtime, refused_method):
    """A partner refusing a document must not hold back, forever, the corrected one written after it."""
    partner = await register_partner(runtime)
    await put_rows(runtime, partner.integration_id, ("A", refused_method))
    (in_flight,), _ = await claim(runtime, "worker-1", 10, POLICY)
    await put_rows(runtime, partner.integration_id, ("A", "PUT"), ("B", "PUT"))
    refused = Outcome(False, 422, "HTTP 422, no OCPI envelope")
    claimed, _ = await claim(runtime, "worker-1", 10, POLICY, [(in_flight, refused)])
    assert await statuses(runtime, partner.integration_id) == [
        ("A", refused_method, SUPERSEDED), ("A", "PUT", IN_FLIGHT), ("B", "PUT", IN_FLIGHT),
    ]
    assert [row.path for row in claimed] == ["/FI/EVR/A", "/FI/EVR/B"]


async def test_a_failed_push_with_nothing_newer_keeps_retrying(runtime):
    partner = await register_partner(runtime)
    await put_rows(runtime, partner.integration_id, ("A", "PUT"))
    (in_flight,), _ = await claim(runtime, "worker-1", 10, POLICY)
    await put_rows(runtime, partner.integration_id, ("A", "PATCH"))
    await claim(runtime, "worker-1", 10, POLICY, [(in_flight, Outcome(False, 503, "HTTP 503"))])
    assert await statuses(runtime, partner.integration_id) == [("A", "PUT", RETRYING), ("A", "PATCH", PENDING)]


async def test_only_the_head_of_each_object_is_claimed(runtime):
    partner = await register_partner(runtime)
    rows = await put_rows(runtime, partner.integration_id, ("A", "PATCH"), ("A", "PATCH"), ("B", "PATCH"), ("A", "PATCH"))
    first, integrations = await claim(runtime, "worker-1", 10, POLICY)
    assert [row.id for row in first] == [rows[0].id, rows[2].id]
    integration, our_party = integrations[partner.integration_id]
    assert integration.integration_id == partner.integration_id and (our_party.country_code, our_party.party_id) == ("FI", "EVR")
    assert (await claim(runtime, "worker-2", 10, POLICY))[0] == [], "A's head is in flight, B has nothing more"
    await set_row(runtime, rows[0].id, status=DELIVERED)
    assert [row.id for row in (await claim(runtime, "worker-2", 10, POLICY))[0]] == [rows[1].id]


async def test_a_row_waiting_for_its_retry_holds_back_later_rows(runtime):
    partner = await register_partner(runtime)
    rows = await put_rows(runtime, partner.integration_id, ("A", "PATCH"), ("A", "PATCH"))
    await set_row(runtime, rows[0].id, status=RETRYING, next_attempt_at=utcnow() + timedelta(minutes=5))
    assert (await claim(runtime, "worker-1", 10, POLICY))[0] == []
    await set_row(runtime, rows[0].id, next_attempt_at=utcnow() - timedelta(seconds=1))
    assert [row.id for row in (await claim(runtime, "worker-1", 10, POLICY))[0]] == [rows[0].id]


async def test_an_expired_lease_is_claimed_again(runtime):
    partner = await register_partner(runtime)
    rows = await put_rows(runtime, partner.integration_id, ("A", "PUT"))
    assert len((await claim(runtime, "crashed", 10, POLICY))[0]) == 1
    assert (await claim(runtime, "worker-2", 10, POLICY))[0] == []
    await set_row(runtime, rows[0].id, lease_until=utcnow() - timedelta(seconds=1))
    (again,), _ = await claim(runtime, "worker-2", 10, POLICY)
    assert again.id == rows[0].id
    async with runtime.sessions() as session:
        assert (await session.get(Delivery, rows[0].id)).leased_by == "worker-2"


async def test_concurrent_claims_never_share_a_row_or_an_object(runtime):
    partner = await register_partner(runtime)
    objects = [f"O{number}" for number in range(40)]
    await put_rows(runtime, partner.integration_id, *[(o, "PATCH") for o in objects for _ in range(2)])
    results = await asyncio.gather(*(claim(runtime, f"worker-{n}", 15, POLICY) for n in range(4)))
    claimed = [row for rows, _ in results for row in rows]
    assert len({row.id for row in claimed}) == len(claimed)
    paths = [row.path for row in claimed]
    assert len(set(paths)) == len(paths), "never two rows of one object in flight"
    assert len(claimed) <= len(objects)


async def test_deliveries_endpoint_lists_and_retries(runtime, client, other_client):
    partner = await register_partner(runtime)
    rows = await put_rows(runtime, partner.integration_id, ("A", "PUT"), ("B", "PUT"), ("C", "PUT"))
    await set_row(runtime, rows[0].id, status=DELIVERED)
    later = utcnow() + timedelta(hours=1)
    await set_row(runtime, rows[1].id, status=RETRYING, attempts=3, last_error="HTTP 500, OCPI 3000",
                  last_http_status=500, next_attempt_at=later)
    base = f"/api/v2/cpo/integrations/{partner.integration_id}/deliveries"
    listing = (await client.get(base, params={"limit": 2})).json()
    assert listing["totalRecords"] == 3 and listing["hasNextPage"] is True
    assert [item["objectId"] for item in listing["items"]] == ["C", "B"], "newest first"
    failing = listing["items"][1]
    assert failing["status"] == RETRYING and failing["attempts"] == 3 and failing["lastHttpStatus"] == 500
    assert failing["lastError"] == "HTTP 500, OCPI 3000" and failing["path"] == "/FI/EVR/B"
    filtered = (await client.get(base, params={"status": "DELIVERED"})).json()
    assert [item["objectId"] for item in filtered["items"]] == ["A"]

    runtime.outbox_signal.clear()
    retried = await client.post(f"{base}/{rows[1].id}/retry")
    assert retried.status_code == 200 and retried.json()["nextAttemptAt"] < later.isoformat()
    assert runtime.outbox_signal.is_set(), "a retry wakes the worker"
    done = await client.post(f"{base}/{rows[0].id}/retry")
    assert done.status_code == 409 and done.json()["details"][0]["field"] == "deliveryId"
    assert (await client.post(f"{base}/999999/retry")).status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [("", {"status": "LOST"}, 400), ("", {"limit": 101}, 400), ("/0/retry", {}, 400)],
)
async def test_deliveries_bad_input(runtime, client, path, params, status):
    partner = await register_partner(runtime)
    base = f"/api/v2/cpo/integrations/{partner.integration_id}/deliveries"
    call = client.get if not path else client.post
    response = await call(base + path, params=params)
    assert response.status_code == status and response.json()["details"]


async def test_deliveries_of_another_operator_or_unknown_integration_are_404(runtime, client, other_client):
    partner = await register_partner(runtime)
    rows = await put_rows(runtime, partner.integration_id, ("A", "PUT"))
    base = f"/api/v2/cpo/integrations/{partner.integration_id}/deliveries"
    assert (await other_client.get(base)).status_code == 404
    assert (await other_client.post(f"{base}/{rows[0].id}/retry")).status_code == 404
    assert (await client.get("/api/v2/cpo/integrations/unknown/deliveries")).status_code == 404
    assert (await client.get(base, headers={"x-api-key": "wrong"})).status_code == 401
