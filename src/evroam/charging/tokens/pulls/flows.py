"""Running token pulls: the operator's request, one pull page by page, and the periodic job.

A pull holds a database session only to take itself up and to record each page, never while it waits
on the partner; it keeps one page in memory at a time, so memory is the same for a thousand tokens or
millions. The periodic job (`scheduler_round`, started in the app next to the delivery worker) queues the
pulls scheduled.py finds due, and takes up queued pulls that are due and running ones whose runner's
lease ran out (a crashed process, another instance). An operator's request starts its pull at once.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.tokens.pulls import scheduled, service
from evroam.charging.tokens.pulls.models import QUEUED, TokenPull
from evroam.charging.tokens.pulls.service import OPERATOR, SCHEDULE, ClaimedPull, PullPolicy
from evroam.database.base import utcnow
from evroam.errors import Conflict
from evroam.integrations.models import Integration
from evroam.integrations.service import get_integration
from evroam.ocpi.protocol.client import NotConnected, PartnerUnreachable, find_endpoint
from evroam.ocpi.tokens.pages import PageFailed, fetch_page, first_url
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

# How often the periodic job looks for due pulls and abandoned ones.
SCHEDULER_EVERY = 60.0


def tokens_sender_url(integration: Integration) -> str | None:
    return find_endpoint(integration.version_details, "tokens", "SENDER")


async def request_pull(
    session: AsyncSession, runtime: Runtime, operator_id: int, integration_id: str, full: bool
) -> TokenPull:
    """The operator's request: the new pull, or the one already open (started now if it was waiting)."""
    integration = await get_integration(session, operator_id, integration_id)
    if integration.integration_status != "CONNECTED":
        raise Conflict("integrationId", f"the integration is {integration.integration_status}: tokens are "
                                        "pulled only from a CONNECTED partner")
    if tokens_sender_url(integration) is None:
        raise Conflict("integrationId", "the partner's version details list no tokens SENDER endpoint: "
                                        "it offers no token list to pull")
    pull, _ = await service.open_pull(session, integration_id, full, OPERATOR)
    if pull.status == QUEUED:
        runtime.spawn(run_pull(runtime, pull.id))
    return pull


async def run_pull(runtime: Runtime, pull_id: int, policy: PullPolicy | None = None) -> None:
    """Takes the pull up (if it is free) and runs it to its end or its first failure."""
    policy = policy or PullPolicy()
    try:
        async with runtime.sessions() as session:
            pull = await service.claim_pull(session, pull_id, policy)
        if pull is not None:
            await _pages(runtime, pull, policy)
    except Exception:  # a bug or the database: the lease runs out and the pull is taken up again
        log.exception("token pull %s stopped", pull_id)


async def _pages(runtime: Runtime, pull: ClaimedPull, policy: PullPolicy) -> None:
    url = pull.next_url
    if url is None:
        sender = tokens_sender_url(pull.integration)
        if sender is None:
            return await _fail(runtime, pull, "the partner's version details no longer list a tokens SENDER endpoint",
                               policy)
        url = first_url(sender, pull.date_from)
    while True:
        try:
            page = await fetch_page(runtime, pull.integration, url)
        except (PageFailed, PartnerUnreachable, NotConnected) as exc:
            return await _fail(runtime, pull, str(exc), policy)
        async with runtime.sessions() as session:
            moved = await service.record_page(
                session, pull, page.tokens, page.next_url, page.skipped, page.skipped_problem, policy
            )
        if moved is None:
            log.warning("token pull %s was taken over by another runner", pull.id)
            return
        if moved.next_url is None:
            return
        pull, url = moved, moved.next_url


async def _fail(runtime: Runtime, pull: ClaimedPull, error: str, policy: PullPolicy) -> None:
    log.warning("token pull %s failed: %s", pull.id, error)
    async with runtime.sessions() as session:
        await service.fail_pull(session, pull, error, policy)


async def scheduler_round(runtime: Runtime, policy: PullPolicy | None = None) -> list[int]:
    """Queues the due pulls and starts every pull that can be taken up; returns the ids started."""
    async with runtime.sessions() as session:
        for due in await scheduled.due_pulls(session, utcnow()):
            if tokens_sender_url(due.integration) is not None:
                await service.open_pull(session, due.integration.integration_id, due.full, SCHEDULE)
        pull_ids = await service.claimable_pull_ids(session)
    for pull_id in pull_ids:
        runtime.spawn(run_pull(runtime, pull_id, policy))
    return pull_ids
