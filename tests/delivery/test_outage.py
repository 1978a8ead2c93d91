"""A partner's outage, scripted: pushes pile up and the integration says so; afterwards every CDR is at
the partner exactly once and every session's last state is there, in order; a worker killed mid-delivery
loses nothing; two workers never deliver one row twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select

from evroam.delivery.models import IN_FLIGHT, OPEN, Delivery
from evroam.delivery.worker import DeliveryPolicy, run_worker
from tests.delivery.outbox_rows import all_delivered, post_cdrs, push_objects, rows
from tests.ocpi.factories import eventually, set_integration, worker_running


POLICY = DeliveryPolicy(base_delay=0.05, max_delay=0.3, idle_poll=0.05, lease=5, shutdown_grace=2, concurrency=8)
CONNECTED = "Credentials exchanged over OCPI 2.2.1 on 2026-12-01 10:00 UTC (evroam was the credentials RECEIVER)."


@pytest.fixture
def settings_overrides():
    # A partner that hangs is given up on within a second (the answer is lost, the push may be taken).
    return {"outbound_connect_timeout": 0.5, "outbound_read_timeout": 0.5, "outbound_total_timeout": 1.0}


def object_pushes(sequence: int) -> list[tuple[str, str, int]]:
    """Of three sessions, A: full PUTs only (may coalesce); B: PATCHes only (all must go); C: both."""
    return [("A", "PUT", sequence), ("B", "PATCH", sequence), ("C", "PATCH" if sequence % 2 else "PUT", sequence)]


async def open_rows(runtime, integration_id) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(
            select(func.count()).where(Delivery.integration_id == integration_id, Delivery.status.in_(OPEN))
        )


async def status_description(client, integration_id) -> str | None:
    response = await client.get(f"/api/v2/cpo/integrations/{integration_id}")
    assert response.status_code == 200, response.text
    return response.json()["statusDescription"]


def assert_objects_in_order(faulty, last_sequence: int) -> None:
    for object_id in ("A", "B", "C"):
        sequences = [body["seq"] for _, body in faulty.objects[("sessions", object_id)]]
        assert sequences == sorted(sequences), f"{object_id} arrived out of order: {sequences}"
        assert sequences[-1] == last_sequence, f"{object_id}'s last state is missing: {sequences}"
    patches = [body["seq"] for method, body in faulty.objects[("sessions", "B")] if method == "PATCH"]
    assert sorted(set(patches)) == list(range(last_sequence + 1)), "a PATCH carries part of the state: none is skipped"


async def test_a_scripted_outage(runtime, client, faulty, partner):
    await set_integration(runtime, partner.integration_id, status_description=CONNECTED)
    cdr_ids = [f"CDR-{n}" for n in range(12)]
    async with worker_running(runtime, POLICY):
        await post_cdrs(runtime, partner.integration_id, *cdr_ids[:3])
        await push_objects(runtime, partner.integration_id, *object_pushes(0))
        await eventually(lambda: all_delivered(runtime, partner.integration_id))
        assert await status_description(client, partner.integration_id) == CONNECTED

        await faulty.stop()  # down: connections refused
        for sequence in range(1, 5):
            await post_cdrs(runtime, partner.integration_id, *cdr_ids[2 * sequence + 1: 2 * sequence + 3])
            await push_objects(runtime, partner.integration_id, *object_pushes(sequence))
        # The worker keeps coalescing superseded PUTs while the partner is down, so the count it describes
        # is compared with the rows waiting at the same moment, until the two readings agree.
        await eventually(lambda: _described_with_the_waiting_count(runtime, client, partner.integration_id))
        described = await status_description(client, partner.integration_id)
        assert "Last error: " in described and "cannot be reached" in described
        await post_cdrs(runtime, partner.integration_id, *cdr_ids[11:])

        # Back, badly: unavailable, throttling, an answer that never comes, a broken body, all slowly.
        faulty.unavailable(2)
        faulty.throttled(1, retry_after=1)
        faulty.hanging(1, seconds=1.0)
        faulty.broken_body(1)
        faulty.unavailable(1)
        faulty.delay = 0.02
        await faulty.start()
        await eventually(lambda: all_delivered(runtime, partner.integration_id), timeout=30)
        assert await status_description(client, partner.integration_id) == CONNECTED, "back to normal"

    posted = [row.object_id for row in await rows(runtime, partner.integration_id) if row.module == "cdrs"]
    assert sorted(faulty.cdrs) == sorted(posted), "every CDR taken by the partner, none lost"
    assert not faulty.faults, "every scripted fault was met"
    for cdr_id in posted:
        # Taken once; POSTed again only when the answer to the POST that was taken never came back.
        assert faulty.duplicates[cdr_id] == (1 if cdr_id in faulty.answers_lost else 0), cdr_id
    assert_objects_in_order(faulty, last_sequence=4)


async def _described_with_the_waiting_count(runtime, client, integration_id) -> bool:
    waiting_before = await open_rows(runtime, integration_id)
    described = await status_description(client, integration_id) or ""
    waiting_after = await open_rows(runtime, integration_id)
    expected = f"Pushes to the partner are failing: {waiting_after} pushes wait since "
    return waiting_before == waiting_after and described.startswith(expected)


async def test_a_worker_killed_mid_delivery_loses_nothing(runtime, faulty, partner):
    cdr_ids = [f"CDR-{n}" for n in range(10)]
    await post_cdrs(runtime, partner.integration_id, *cdr_ids)
    await push_objects(runtime, partner.integration_id, *object_pushes(0), *object_pushes(1))
    faulty.delay = 0.5  # the partner takes each push at once and answers half a second later
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(runtime, stop, DeliveryPolicy(lease=1, shutdown_grace=0, idle_poll=0.05)))
    await eventually(lambda: _in_flight(runtime, partner.integration_id))
    await asyncio.sleep(0.1)
    worker.cancel()  # dies with deliveries under way: nothing of their outcome is recorded
    await asyncio.gather(worker, return_exceptions=True)
    assert faulty.cdrs, "the killed worker's POSTs were taken by the partner"
    faulty.delay = 0.0
    async with worker_running(runtime, DeliveryPolicy(lease=1, idle_poll=0.05, base_delay=0.05)):
        await eventually(lambda: all_delivered(runtime, partner.integration_id))
    assert sorted(faulty.cdrs) == sorted(cdr_ids)
    assert set(faulty.duplicates) <= set(faulty.cdrs) and max(faulty.duplicates.values(), default=0) <= 1
    assert_objects_in_order(faulty, last_sequence=1)


async def _in_flight(runtime, integration_id) -> bool:
    return any(row.status == IN_FLIGHT for row in await rows(runtime, integration_id))


async def test_two_workers_never_deliver_one_row_twice(runtime, database_url, faulty, partner):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one worker")
    cdr_ids = [f"CDR-{n}" for n in range(200)]
    await post_cdrs(runtime, partner.integration_id, *cdr_ids)
    await push_objects(runtime, partner.integration_id, *[push for n in range(20) for push in object_pushes(n)])
    faulty.delay = 0.005
    policy = DeliveryPolicy(idle_poll=0.02, concurrency=8, batch_window=0.01)
    async with worker_running(runtime, policy), worker_running(runtime, policy):
        await eventually(lambda: all_delivered(runtime, partner.integration_id), timeout=60)
    assert faulty.cdr_posts == Counter({cdr_id: 1 for cdr_id in cdr_ids}), "each CDR POSTed exactly once"
    for object_id in ("A", "B", "C"):
        received = [body["seq"] for _, body in faulty.objects[("sessions", object_id)]]
        assert len(received) == len(set(received)), f"a row of {object_id} was delivered twice: {received}"
    assert_objects_in_order(faulty, last_sequence=19)
