"""The delivery worker: sends outbox rows to partners, in order per object, until told to stop.

* Claiming leases rows (IN_FLIGHT until `lease_until`), so rows of a crashed worker are claimed again
  once their lease runs out. On PostgreSQL the claim skips rows other workers are claiming (`FOR UPDATE
  SKIP LOCKED`), so many workers can share one database. On SQLite one worker runs: the claim first looks
  for rows (no lock), then leases them with an UPDATE that checks again, so it takes SQLite's single
  write lock only when there is something to claim or record.
* The outcomes of finished deliveries are written in the next claim's transaction, together: at a few
  hundred pushes a second this keeps the worker's writes few, which on SQLite is what lets the API's
  own transactions through.
* Only the oldest open row of an object (integration, module, object id) can be claimed: never two in
  flight for one object, and a row waiting for its retry holds back the later ones (FIFO per object).
  Rows of different objects go out concurrently, up to `concurrency`.
* A failed row is retried with exponential backoff and jitter, after the partner's `Retry-After` when
  it answered 429 or 503; a `Retry-After` holds back every waiting row of that partner as long, since
  it speaks of the partner, not of one push. Nothing is dropped: the row keeps its attempts, last
  error and next attempt time, visible in the deliveries endpoint (and, while the partner keeps
  failing, in the integration's status description), until it is delivered or superseded by a newer
  full PUT.
  A newer PUT or DELETE written while the row was in flight supersedes it when it fails: otherwise a
  document the partner refuses would hold back, forever, the corrected one written after it. Retries
  never stop on their own (a partner down for weeks gets its backlog when it is back), at most
  `max_delay` apart.
* Delivered rows of a POSTED_ONCE module (CDRs) keep the partner's `Location` and are never pruned:
  they are where the deliveries endpoint shows it, and the record that the CDR reached the partner.
* The worker sleeps until new rows are committed (`runtime.outbox_signal`, same process), the next retry
  is due, or `idle_poll` seconds pass (rows written by other processes).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Update, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from evroam.database.engine import is_sqlite
from evroam.database.base import utcnow
from evroam.delivery.models import DELIVERED, IN_FLIGHT, OPEN, RETRYING, SUPERSEDED, WAITING, Delivery
from evroam.delivery.outbox import receiver_url, supersedes
from evroam.delivery.transport import Outcome, push
from evroam.integrations.models import Integration
from evroam.network.operators.models import Operator
from evroam.ocpi import modules
from evroam.ocpi.protocol.client import Party
from evroam.outbound.client import Outbound, OutboundClient
from evroam.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    concurrency: int = 32
    # Connections kept open to one partner (deliveries beyond wait for one of them).
    per_partner: int = 4
    # After a delivery ends, how long to let others end too, so one transaction records them all.
    batch_window: float = 0.05
    base_delay: float = 2.0
    max_delay: float = 3600.0
    lease: float = 120.0
    idle_poll: float = 1.0
    shutdown_grace: float = 5.0
    # Delivered and superseded rows are kept this long for the deliveries endpoint, then pruned.
    retention: timedelta = timedelta(days=7)
    prune_every: float = 600.0

    def retry_delay(self, attempts: int) -> float:
        """Exponential backoff with "equal jitter": between half and all of base × 2^(attempts-1). The
        exponent is bounded: a partner down for weeks reaches a thousand attempts, and 2^1024 is no float."""
        delay = min(self.max_delay, self.base_delay * 2 ** min(64, max(0, attempts - 1)))
        return delay / 2 + random.uniform(0, delay / 2)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    integration_id: str
    module: str
    method: str
    path: str
    body: str | None
    attempts: int
    # RESULT rows: the partner's URL and the party that asked.
    target_url: str | None
    addressee: str | None


async def run_worker(runtime: Runtime, stop: asyncio.Event, policy: DeliveryPolicy | None = None) -> None:
    policy = policy or DeliveryPolicy()
    worker_id = str(uuid.uuid4())
    tasks: set[asyncio.Task] = set()
    finished: list[tuple[Claimed, Outcome]] = []
    next_prune = 0.0
    async with _Connections(runtime.outbound, policy.per_partner) as http:
        try:
            while not stop.is_set():
                runtime.outbox_signal.clear()
                if time.monotonic() >= next_prune:
                    await _prune(runtime, policy)
                    next_prune = time.monotonic() + policy.prune_every
                free = policy.concurrency - len(tasks)
                # Outcomes are written in the claim's transaction: they are what lets an object's next row go.
                claimed, integrations = await claim(runtime, worker_id, free, policy, finished)
                for row in claimed:
                    partner = integrations.get(row.integration_id)
                    tasks.add(asyncio.create_task(_deliver(runtime, http.to(row.integration_id), row, partner)))
                if len(tasks) == policy.concurrency:
                    timeout = None  # full: a finished delivery makes room
                elif tasks:
                    timeout = policy.idle_poll  # a finished delivery wakes us sooner
                else:
                    timeout = await _until_next_due(runtime, policy)
                tasks, finished = await _wait(tasks, runtime.outbox_signal, stop, timeout, policy.batch_window)
        finally:
            finished += await _finish(tasks, policy.shutdown_grace)
            await claim(runtime, worker_id, 0, policy, finished)


async def claim(
    runtime: Runtime,
    worker_id: str,
    limit: int,
    policy: DeliveryPolicy,
    finished: list[tuple[Claimed, Outcome]] | None = None,
) -> tuple[list[Claimed], dict[str, tuple[Integration, Party]]]:
    """Records the outcomes of `finished` deliveries, then leases up to `limit` claimable rows (the head
    of each object's queue, due now), with the integrations they go to: one transaction, one write."""
    claimed: list[Claimed] = []
    async with runtime.sessions() as session:
        if finished:
            await session.execute(*_outcome_statement(worker_id, finished, policy))
            failed = [row.id for row, outcome in finished if not outcome.delivered]
            if failed:
                await session.execute(_supersede_outdated(failed))
            for statement in _hold_back_throttling_partners(finished):
                await session.execute(statement)
            finished.clear()
        statement = await _claim_statement(session, runtime, worker_id, limit, policy) if limit > 0 else None
        if statement is not None:
            claimed = sorted((Claimed(*row) for row in await session.execute(statement)), key=lambda row: row.id)
        ids = {row.integration_id for row in claimed}
        integrations = {
            integration.integration_id: (integration, Party(country_code, party_id))
            for integration, country_code, party_id in await session.execute(
                select(Integration, Operator.country_code, Operator.party_id)
                .join(Operator, Operator.id == Integration.operator_id)
                .where(Integration.integration_id.in_(ids))
            )
        } if ids else {}
        await session.commit()
    return claimed, integrations


async def _claim_statement(
    session: AsyncSession, runtime: Runtime, worker_id: str, limit: int, policy: DeliveryPolicy
) -> Update | None:
    """The UPDATE … RETURNING that leases the claimable rows; None when there is nothing to claim."""
    now = utcnow()
    earlier = aliased(Delivery)
    held_back = (
        select(earlier.id).where(*_same_object(earlier), earlier.id < Delivery.id, earlier.status.in_(OPEN)).exists()
    )
    due = or_(
        and_(Delivery.status.in_(WAITING), Delivery.next_attempt_at <= now),
        and_(Delivery.status == IN_FLIGHT, Delivery.lease_until < now),
    )
    candidates = select(Delivery.id).where(due, ~held_back).order_by(Delivery.id).limit(limit)
    if is_sqlite(runtime.settings.resolved_database_url()):
        # Look before writing: an UPDATE takes SQLite's one write lock even when it matches nothing, and
        # the API's transactions need that lock. The UPDATE checks the conditions again.
        found = (await session.scalars(candidates)).all()
        if not found:
            return None
        wanted = Delivery.id.in_(found) & due & ~held_back
    else:
        wanted = Delivery.id.in_(candidates.with_for_update(skip_locked=True, of=Delivery).scalar_subquery())
    return (
        update(Delivery)
        .where(wanted)
        .values(status=IN_FLIGHT, leased_by=worker_id, lease_until=now + timedelta(seconds=policy.lease))
        .returning(
            Delivery.id, Delivery.integration_id, Delivery.module, Delivery.method, Delivery.path, Delivery.body,
            Delivery.attempts, Delivery.target_url, Delivery.addressee,
        )
        .execution_options(synchronize_session=False)
    )


def _same_object(other: type[Delivery]) -> tuple:
    """`other` (an alias of the outbox) is a row of the same object as the row being looked at."""
    return (
        other.integration_id == Delivery.integration_id,
        other.module == Delivery.module,
        other.object_id == Delivery.object_id,
    )


class _Connections:
    """One small connection pool per partner: httpx looks over every connection of a pool on each
    request, so a few small pools cost far less than one big one, and one partner cannot hold them all."""

    def __init__(self, outbound: Outbound, per_partner: int) -> None:
        self.outbound = outbound
        self.per_partner = per_partner
        self.clients: dict[str, OutboundClient] = {}

    def to(self, integration_id: str) -> OutboundClient:
        if integration_id not in self.clients:
            self.clients[integration_id] = self.outbound.client(max_connections=self.per_partner)
        return self.clients[integration_id]

    async def __aenter__(self) -> _Connections:
        return self

    async def __aexit__(self, *_exc) -> None:
        await asyncio.gather(*(client.aclose() for client in self.clients.values()))


async def _deliver(
    runtime: Runtime, http: OutboundClient, row: Claimed, partner: tuple[Integration, Party] | None
) -> tuple[Claimed, Outcome]:
    if partner is None:  # deleted since the claim; its rows go with it
        return row, Outcome(False, error="The integration no longer exists")
    integration, our_party = partner
    kind = modules.module(row.module).pushes.kind
    if row.target_url is not None:
        url = row.target_url
    else:
        endpoint = receiver_url(integration.version_details, row.module)
        if endpoint is None:
            return row, Outcome(False, error=f"The partner has no {row.module} receiver endpoint")
        url = endpoint + row.path
    addressee = Party(*row.addressee.split("/")) if row.addressee else None
    return row, await push(runtime, integration, our_party, row.module, kind, row.method, url, row.body, http,
                           addressee)


def _outcome_statement(worker_id: str, finished: list[tuple[Claimed, Outcome]], policy: DeliveryPolicy):
    """One UPDATE executed for every finished delivery (executemany): their outcomes, leases closed."""
    now = utcnow()
    outcomes = []
    for row, outcome in finished:
        values = {"row_id": row.id, "worker": worker_id, "attempts": row.attempts + 1,
                  "last_http_status": outcome.http_status, "partner_location": outcome.location}
        if outcome.delivered:
            values |= {"status": DELIVERED, "delivered_at": now, "last_error": None, "next_attempt_at": now}
        else:
            wait = outcome.retry_after if outcome.retry_after is not None else policy.retry_delay(row.attempts + 1)
            values |= {"status": RETRYING, "delivered_at": None, "last_error": (outcome.error or "failed")[:1000],
                       "next_attempt_at": now + timedelta(seconds=wait)}
            log.info("delivery %s (%s %s) failed, attempt %s: %s", row.id, row.method, row.path, row.attempts + 1,
                     outcome.error)
        outcomes.append(values)
    table = Delivery.__table__
    # A row whose lease ran out and was claimed again belongs to that claim now: only our lease is closed.
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.leased_by == bindparam("worker"))
        .values(
            status=bindparam("status"), attempts=bindparam("attempts"), last_http_status=bindparam("last_http_status"),
            last_error=bindparam("last_error"), next_attempt_at=bindparam("next_attempt_at"),
            delivered_at=bindparam("delivered_at"), partner_location=bindparam("partner_location"), lease_until=None,
            leased_by=None,
        )
    )
    return statement, outcomes


def _supersede_outdated(failed_ids: list[int]) -> Update:
    """Failed rows with a newer superseding row of their object (a full PUT or a DELETE) waiting behind
    them: only the newest state is worth sending (`enqueue`'s rule, for rows that were in flight)."""
    newer = aliased(Delivery)
    replaced = (
        select(newer.id)
        .where(*_same_object(newer), newer.id > Delivery.id, supersedes(newer), newer.status.in_(WAITING))
        .exists()
    )
    return (
        update(Delivery)
        .where(Delivery.id.in_(failed_ids), Delivery.status == RETRYING, replaced)
        .values(status=SUPERSEDED, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _hold_back_throttling_partners(finished: list[tuple[Claimed, Outcome]]) -> list[Update]:
    """The waiting rows of a partner that answered `Retry-After` wait at least that long too."""
    now = utcnow()
    until: dict[str, datetime] = {}
    for row, outcome in finished:
        if not outcome.delivered and outcome.retry_after is not None:
            asked = now + timedelta(seconds=outcome.retry_after)
            until[row.integration_id] = max(asked, until.get(row.integration_id, asked))
    return [
        update(Delivery)
        .where(Delivery.integration_id == integration_id, Delivery.status.in_(WAITING),
               Delivery.next_attempt_at < not_before)
        .values(next_attempt_at=not_before)
        .execution_options(synchronize_session=False)
        for integration_id, not_before in until.items()
    ]


async def _until_next_due(runtime: Runtime, policy: DeliveryPolicy) -> float:
    """Seconds until the next retry falls due (rows due now wait on deliveries under way), at most idle_poll."""
    now = utcnow()
    async with runtime.sessions() as session:
        upcoming: datetime | None = await session.scalar(
            select(func.min(Delivery.next_attempt_at)).where(Delivery.status.in_(WAITING), Delivery.next_attempt_at > now)
        )
    if upcoming is None:
        return policy.idle_poll
    return min(policy.idle_poll, max(0.0, (upcoming - now).total_seconds()))


async def _wait(
    tasks: set[asyncio.Task], wake: asyncio.Event, stop: asyncio.Event, timeout: float | None, window: float
) -> tuple[set[asyncio.Task], list[tuple[Claimed, Outcome]]]:
    """Until a delivery ends, new rows are signalled, the worker must stop, or `timeout` passes; then
    `window` more for other deliveries to end, so their outcomes are written together. Returns the
    deliveries still under way and the outcomes of those that ended."""
    waiters = {asyncio.create_task(wake.wait()), asyncio.create_task(stop.wait())}
    try:
        done, _ = await asyncio.wait(tasks | waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if done & tasks and tasks - done and not stop.is_set():
            await asyncio.wait(tasks - done, timeout=window)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return {task for task in tasks if not task.done()}, _outcomes(task for task in tasks if task.done())


def _outcomes(done: Iterable[asyncio.Task]) -> list[tuple[Claimed, Outcome]]:
    outcomes = []
    for task in done:
        if task.cancelled():
            continue
        if task.exception() is not None:  # a bug, not a partner failure: the lease brings the row back
            log.error("delivery task failed", exc_info=task.exception())
            continue
        outcomes.append(task.result())
    return outcomes


async def _finish(tasks: set[asyncio.Task], grace: float) -> list[tuple[Claimed, Outcome]]:
    """Lets deliveries under way end; what is still running after `grace` is cancelled (its lease will
    run out and another claim sends it again)."""
    if not tasks:
        return []
    done, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return _outcomes(done)


async def _prune(runtime: Runtime, policy: DeliveryPolicy) -> None:
    cutoff = utcnow() - policy.retention
    posted_once = [module.identifier for module in modules.MODULES
                   if module.pushes is not None and module.pushes.kind is modules.DeliveryKind.POSTED_ONCE]
    async with runtime.sessions() as session:
        await session.execute(
            delete(Delivery).where(
                Delivery.status.in_((DELIVERED, SUPERSEDED)), Delivery.created_at < cutoff,
                Delivery.module.notin_(posted_once),
            )
        )
        await session.commit()

