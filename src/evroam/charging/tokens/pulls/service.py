"""Pulls of a partner's token list: requesting one, taking it up, recording its pages, ending it.

* One open pull per integration, decided by the database (the partial unique index of `token_pulls`): a
  request while one is open gets the open one. A delta pull's `date_from` is the start of the last
  successful pull of either kind (none: the whole list, but nothing is marked invalid, as only a full
  pull says what is gone).
* Taking a pull up leases it (RUNNING until `lease_until`); the claim is an UPDATE that checks the pull is
  still free, so two runners never both get it. A runner that crashed leaves a lease that runs out, and
  the pull is taken up again from its `next_url`.
* Each page is recorded in one transaction with its tokens: the tokens, the page count, the tokens seen
  and the next page's URL commit together, so a crash never loses a page nor counts one twice. The
  recording checks the runner still holds the lease it was given (compare-and-set on `lease_until`), so
  a runner whose lease ran out and was taken over stores nothing more. The last page ends the pull in
  the same transaction: a full pull then marks invalid every token of the integration not seen since it
  started (`invalidate_unseen`).
* A failed attempt (the partner down, a page not OCPI) keeps what was stored and the URL of the page that
  failed: the pull goes back to QUEUED and is taken up again after a backoff, from that page. After
  `max_attempts` failures in a row it is FAILED, which frees the integration for the next pull (the next
  full pull starts again from the first page). A page recorded resets the count: a long pull through a
  flaky partner is not failed for blips far apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.tokens import service as tokens
from evroam.charging.tokens.pulls.models import FAILED, QUEUED, RUNNING, SUCCEEDED, TokenPull
from evroam.charging.tokens.records import KeptToken
from evroam.database.base import utcnow
from evroam.database.paging import PageRequest, paginate
from evroam.errors import NotFound
from evroam.integrations.models import Integration
from evroam.integrations.service import get_integration

OPERATOR, SCHEDULE = "OPERATOR", "SCHEDULE"


@dataclass(frozen=True, slots=True)
class PullPolicy:
    # How long a runner holds a pull between two pages (a page of 1,000 tokens takes well under a second).
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    # After the n-th failure, wait retry_base × 2^(n-1) before taking the pull up again.
    retry_base: timedelta = timedelta(minutes=1)

    def retry_delay(self, attempts: int) -> timedelta:
        return self.retry_base * 2 ** max(0, attempts - 1)


@dataclass(frozen=True, slots=True)
class ClaimedPull:
    id: int
    integration: Integration
    full: bool
    date_from: datetime | None
    # None: the pull has not fetched its first page yet.
    next_url: str | None
    # The lease the runner holds; it proves it when recording a page.
    lease_until: datetime


async def open_pull(session: AsyncSession, integration_id: str, full: bool, requested_by: str) -> tuple[TokenPull, bool]:
    """The integration's open pull, created now (True) or the one already open (False). An operator's
    request for a pull that waits after a failed attempt makes it due now."""
    date_from = None if full else await last_success_start(session, integration_id)
    pull = TokenPull(integration_id=integration_id, full=full, requested_by=requested_by, status=QUEUED,
                     date_from=date_from)
    try:
        async with session.begin_nested():
            session.add(pull)
    except IntegrityError:
        # A pull is open: the unique index refused the second (on PostgreSQL after the first committed).
        existing = await session.scalar(
            select(TokenPull).where(TokenPull.integration_id == integration_id, TokenPull.status.in_((QUEUED, RUNNING)))
        )
        if existing is None:  # it ended between the two statements: ask again
            return await open_pull(session, integration_id, full, requested_by)
        if requested_by == OPERATOR and existing.status == QUEUED:
            existing.lease_until = None
        await session.commit()
        return existing, False
    await session.commit()
    return pull, True


async def last_success_start(session: AsyncSession, integration_id: str) -> datetime | None:
    return await session.scalar(
        select(func.max(TokenPull.started_at)).where(
            TokenPull.integration_id == integration_id, TokenPull.status == SUCCEEDED
        )
    )


def _claimable(now: datetime):
    return or_(
        and_(TokenPull.status == QUEUED, or_(TokenPull.lease_until.is_(None), TokenPull.lease_until <= now)),
        and_(TokenPull.status == RUNNING, TokenPull.lease_until < now),
    )


async def claimable_pull_ids(session: AsyncSession) -> list[int]:
    """Queued pulls that are due and running ones whose runner's lease ran out, oldest first."""
    return list(await session.scalars(select(TokenPull.id).where(_claimable(utcnow())).order_by(TokenPull.id)))


async def claim_pull(session: AsyncSession, pull_id: int, policy: PullPolicy) -> ClaimedPull | None:
    """Leases the pull if it is free (None if another runner has it or it is not due); commits."""
    now = utcnow()
    lease_until = now + policy.lease
    claimed = await session.execute(
        update(TokenPull)
        .where(TokenPull.id == pull_id, _claimable(now))
        .values(status=RUNNING, lease_until=lease_until, started_at=func.coalesce(TokenPull.started_at, now))
        .returning(TokenPull.integration_id, TokenPull.full, TokenPull.date_from, TokenPull.next_url)
        .execution_options(synchronize_session=False)
    )
    row = claimed.first()
    if row is None:
        await session.rollback()
        return None
    integration = await session.get(Integration, row.integration_id)
    await session.commit()
    return ClaimedPull(pull_id, integration, row.full, row.date_from, row.next_url, lease_until)


async def record_page(
    session: AsyncSession,
    pull: ClaimedPull,
    page_tokens: list[KeptToken],
    next_url: str | None,
    skipped: int,
    skipped_problem: str | None,
    policy: PullPolicy,
) -> ClaimedPull | None:
    """Stores a page's tokens and moves the pull on, in one transaction; the last page (no next_url)
    ends the pull. Returns the pull with its renewed lease, or None when the runner no longer holds it
    (nothing is stored then)."""
    now = utcnow()
    lease_until = now + policy.lease
    moved = await session.execute(
        update(TokenPull)
        .where(TokenPull.id == pull.id, TokenPull.status == RUNNING, TokenPull.lease_until == pull.lease_until)
        .values(
            pages=TokenPull.pages + 1,
            tokens_seen=TokenPull.tokens_seen + len(page_tokens),
            tokens_skipped=TokenPull.tokens_skipped + skipped,
            skipped_problem=func.coalesce(TokenPull.skipped_problem, skipped_problem),
            next_url=next_url,
            attempts=0,
            error=None,
            lease_until=lease_until,
        )
        .returning(TokenPull.started_at)
        .execution_options(synchronize_session=False)
    )
    started_at = moved.scalar()
    if started_at is None:
        await session.rollback()
        return None
    await tokens.store_tokens(session, pull.integration.integration_id, page_tokens, seen_at=now)
    if next_url is None:
        await _succeed(session, pull, started_at)
    await session.commit()
    return ClaimedPull(pull.id, pull.integration, pull.full, pull.date_from, next_url, lease_until)


async def _succeed(session: AsyncSession, pull: ClaimedPull, started_at: datetime) -> None:
    # Every token the partner still has was seen since the start: what was not is gone from its list.
    invalidated = (
        await tokens.invalidate_unseen(session, pull.integration.integration_id, started_at) if pull.full else 0
    )
    await session.execute(
        update(TokenPull)
        .where(TokenPull.id == pull.id)
        .values(status=SUCCEEDED, tokens_invalidated=invalidated, lease_until=None, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def fail_pull(session: AsyncSession, pull: ClaimedPull, error: str, policy: PullPolicy) -> None:
    """Records a failed attempt: QUEUED again after a backoff, from the page that failed, or FAILED after
    `max_attempts`. Nothing stored by earlier pages is undone."""
    now = utcnow()
    current = await session.scalar(
        select(TokenPull).where(TokenPull.id == pull.id, TokenPull.status == RUNNING,
                                TokenPull.lease_until == pull.lease_until)
    )
    if current is None:  # another runner took it over: its attempt decides
        return
    current.attempts += 1
    current.error = error
    if current.attempts >= policy.max_attempts:
        current.status, current.lease_until, current.finished_at = FAILED, None, now
    else:
        current.status, current.lease_until = QUEUED, now + policy.retry_delay(current.attempts)
    await session.commit()


async def list_pulls(
    session: AsyncSession, operator_id: int, integration_id: str, page: PageRequest
) -> tuple[list[TokenPull], int]:
    """An integration's pulls, newest first; 404 for an unknown integration or another operator's."""
    await get_integration(session, operator_id, integration_id)
    query = select(TokenPull).where(TokenPull.integration_id == integration_id).order_by(TokenPull.id.desc())
    return await paginate(session, query, page)


async def get_pull(session: AsyncSession, operator_id: int, integration_id: str, pull_id: int) -> TokenPull:
    await get_integration(session, operator_id, integration_id)
    pull = await session.scalar(
        select(TokenPull).where(TokenPull.id == pull_id, TokenPull.integration_id == integration_id)
    )
    if pull is None:
        raise NotFound(f"Token pull {pull_id}")
    return pull
