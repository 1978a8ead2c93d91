"""CDRs through the outbox (the POSTED_ONCE kind): POSTed to the Receiver endpoint itself, never
superseded, the partner's Location kept, "already held" taken as delivered; retries that never end and a
partner's Retry-After that holds back all its pushes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from evroam.database.base import utcnow
from evroam.delivery.models import DELIVERED, PENDING, RETRYING, Delivery
from evroam.delivery.outbox import enqueue
from evroam.delivery.worker import DeliveryPolicy, _prune
from tests.delivery.outbox_rows import all_delivered, post_cdrs, rows
from tests.ocpi.factories import eventually, worker_running
from tests.support.faulty_partner import Fault


QUICK = DeliveryPolicy(base_delay=0.05, max_delay=0.2, idle_poll=0.05, lease=5, shutdown_grace=2)


async def test_a_cdr_is_posted_to_the_endpoint_itself_and_its_location_kept(runtime, client, faulty, partner):
    await post_cdrs(runtime, partner.integration_id, "CDR-1", "CDR-2")
    async with worker_running(runtime, QUICK):
        await eventually(lambda: all_delivered(runtime, partner.integration_id))
    assert [(arrival.method, arrival.path) for arrival in faulty.arrivals] == [("POST", "/emsp/2.2.1/cdrs")] * 2
    assert faulty.cdrs["CDR-1"]["total_cost"] == {"excl_vat": 1.5}
    locations = {row.object_id: row.partner_location for row in await rows(runtime, partner.integration_id)}
    assert locations == {f"CDR-{n}": f"{faulty.base_url}/emsp/2.2.1/cdrs/CDR-{n}" for n in (1, 2)}
    listing = (await client.get(f"/api/v2/cpo/integrations/{partner.integration_id}/deliveries")).json()
    assert {item["objectId"]: item["partnerLocation"] for item in listing["items"]} == locations


async def test_a_2xx_with_a_broken_body_is_taken_as_delivered_not_posted_again(runtime, faulty, partner):
    """The partner's HTTP layer took the CDR; POSTing it again could only bill it twice."""
    faulty.broken_body(1)
    await post_cdrs(runtime, partner.integration_id, "CDR-1")
    async with worker_running(runtime, QUICK):
        await eventually(lambda: all_delivered(runtime, partner.integration_id))
    (row,) = await rows(runtime, partner.integration_id)
    assert (row.attempts, row.last_http_status) == (1, 200) and faulty.cdr_posts["CDR-1"] == 1
    assert row.partner_location == f"{faulty.base_url}/emsp/2.2.1/cdrs/CDR-1"


async def test_nothing_supersedes_a_cdr(runtime, partner):
    await post_cdrs(runtime, partner.integration_id, "CDR-1", "CDR-1")
    assert [row.status for row in await rows(runtime, partner.integration_id)] == [PENDING, PENDING]
    assert {(row.method, row.path) for row in await rows(runtime, partner.integration_id)} == {("POST", "")}


async def test_only_posted_once_modules_enqueue_posts(runtime, partner):
    def push(module: str, method: str):
        return lambda sync: enqueue(sync, partner.integration_id, module, "X", method, "", "{}")

    async with runtime.sessions() as session:
        with pytest.raises(ValueError, match="locations pushes are OBJECT"):
            await session.run_sync(push("locations", "POST"))
        with pytest.raises(ValueError, match="cdrs pushes are POSTED_ONCE"):
            await session.run_sync(push("cdrs", "PUT"))


@pytest.mark.parametrize(
    ("answer", "delivered"),
    [
        (Fault(409, 2000, taken=False), True),  # HTTP's own "already exists"
        (Fault(200, 2001, taken=False), False),  # a 2001 that does not say "already held" is a refusal
        (Fault(400, 2001, taken=False, body=b'{"status_code": 2001, "status_message": "Duplicate CDR id"}'), True),
        (Fault(503, 3000, taken=False), False),
    ],
)
async def test_what_counts_as_the_partner_already_holding_the_cdr(runtime, faulty, partner, answer, delivered):
    faulty.faults.append(answer)
    await post_cdrs(runtime, partner.integration_id, "CDR-1")
    async with worker_running(runtime, DeliveryPolicy(base_delay=60, idle_poll=0.05)):
        await eventually(lambda: _attempted(runtime, partner.integration_id))
    (row,) = await rows(runtime, partner.integration_id)
    assert (row.status, row.attempts, row.partner_location) == (DELIVERED if delivered else RETRYING, 1, None)


async def test_a_cdr_the_partner_holds_is_delivered_not_retried(runtime, faulty, partner):
    faulty.cdrs["CDR-1"] = {"id": "CDR-1"}  # taken on a POST whose answer never came back
    await post_cdrs(runtime, partner.integration_id, "CDR-1")
    async with worker_running(runtime, QUICK):
        await eventually(lambda: all_delivered(runtime, partner.integration_id))
    (row,) = await rows(runtime, partner.integration_id)
    assert row.attempts == 1 and row.last_http_status == 200 and faulty.cdr_posts["CDR-1"] == 1


async def _attempted(runtime, integration_id) -> bool:
    return all(row.attempts >= 1 and row.status != "IN_FLIGHT" for row in await rows(runtime, integration_id))


async def test_delivered_cdrs_outlive_the_retention_other_pushes_do_not(runtime, partner):
    await post_cdrs(runtime, partner.integration_id, "CDR-1")
    async with runtime.sessions() as session:
        await session.execute(update(Delivery).values(status=DELIVERED, created_at=utcnow() - timedelta(days=30)))
        session.add(Delivery(integration_id=partner.integration_id, module="locations", object_id="L", method="PUT",
                             path="/FI/EVR/L", body="{}", status=DELIVERED, created_at=utcnow() - timedelta(days=30)))
        await session.commit()
    await _prune(runtime, DeliveryPolicy())
    assert [row.module for row in await rows(runtime, partner.integration_id)] == ["cdrs"]


def test_backoff_stays_bounded_however_many_attempts():
    policy = DeliveryPolicy(base_delay=2, max_delay=3600)
    assert [policy.retry_delay(attempts) <= 3600 for attempts in (1, 12, 1025, 50_000)] == [True] * 4
    assert policy.retry_delay(50_000) >= 1800


async def test_a_partner_back_after_weeks_gets_its_backlog(runtime, faulty, partner):
    """Retries never end on their own: a CDR written eight days ago after a thousand failed attempts goes."""
    await post_cdrs(runtime, partner.integration_id, "CDR-OLD")
    async with runtime.sessions() as session:
        await session.execute(update(Delivery).values(
            status=RETRYING, attempts=1100, created_at=utcnow() - timedelta(days=8), last_error="HTTP 503",
            next_attempt_at=utcnow() - timedelta(seconds=1),
        ))
        await session.commit()
    faulty.unavailable(1)
    async with worker_running(runtime, DeliveryPolicy(idle_poll=0.05)):
        await eventually(lambda: _attempted_more_than(runtime, partner.integration_id, 1100))
    (row,) = await rows(runtime, partner.integration_id)
    assert row.status == RETRYING and row.next_attempt_at - utcnow() <= timedelta(hours=1)
    await _set_due(runtime)
    async with worker_running(runtime, QUICK):
        await eventually(lambda: all_delivered(runtime, partner.integration_id))
    assert "CDR-OLD" in faulty.cdrs


async def _attempted_more_than(runtime, integration_id, attempts) -> bool:
    (row,) = await rows(runtime, integration_id)
    return row.attempts > attempts and row.status == RETRYING


async def _set_due(runtime) -> None:
    async with runtime.sessions() as session:
        await session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        await session.commit()


async def test_retry_after_holds_back_every_push_to_that_partner(runtime, faulty, partner):
    faulty.throttled(1, retry_after=1)
    faulty.delay = 0.1  # each answer takes 0.1 s: without a hold, the other CDRs would follow one another
    await post_cdrs(runtime, partner.integration_id, *[f"CDR-{n}" for n in range(6)])
    async with worker_running(runtime, DeliveryPolicy(base_delay=0.01, max_delay=0.02, idle_poll=0.05, concurrency=2,
                                                      batch_window=0.01)):
        await eventually(lambda: all_delivered(runtime, partner.integration_id))
    (throttled,) = [arrival for arrival in faulty.arrivals if arrival.answered == 429]
    # Pushes already on their way when the 429 was read may still arrive; none is sent after it.
    meanwhile = [arrival.at - throttled.at for arrival in faulty.arrivals if 0.25 < arrival.at - throttled.at < 0.95]
    assert meanwhile == [], "nothing more to the partner before its Retry-After"
    assert sorted(faulty.cdrs) == [f"CDR-{n}" for n in range(6)]
