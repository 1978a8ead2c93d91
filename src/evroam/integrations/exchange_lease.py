"""The credentials exchange lease: one exchange at a time per integration, in every process, whichever side
started it (evroam as SENDER from the management API, or a partner's POST/PUT credentials).

The request that asks for an exchange takes the lease (`take`) in the transaction that marks the
integration CONNECTING, before the exchange is spawned; the exchange gives it back (`release`) when it
ends, however it ends. An exchange is stopped after `EXCHANGE_BUDGET` and a lease lasts twice that, so a
lease that ran out belongs to an exchange whose process died: it may be taken again, and an integration
never stays stuck.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.base import utcnow
from evroam.integrations.models import Integration
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

# At most seven partner calls (versions, details and credentials, each possibly again with the other
# token encoding, and a DELETE withdrawing a registration we cannot keep), each bounded by the outbound
# total timeout (EVROAM_OUTBOUND_TOTAL_TIMEOUT, 30 s by default; the exchange itself stops at this budget).
EXCHANGE_BUDGET = timedelta(minutes=5)
LEASE_TERM = 2 * EXCHANGE_BUDGET


def lease_end() -> datetime:
    """Until when an exchange starting now holds its integration."""
    return utcnow() + LEASE_TERM


async def take(session: AsyncSession, integration_id: str) -> datetime | None:
    """Takes the lease in the session's transaction (one compare-and-set UPDATE, which PostgreSQL
    serialises on the row and SQLite on its single writer). None when taken; otherwise until when the
    running exchange holds it."""
    now = utcnow()
    taken = await session.execute(
        update(Integration)
        .where(
            Integration.integration_id == integration_id,
            or_(Integration.exchange_lease_until.is_(None), Integration.exchange_lease_until <= now),
        )
        .values(exchange_lease_until=now + LEASE_TERM)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:
        return None
    held_until = await session.scalar(
        select(Integration.exchange_lease_until).where(Integration.integration_id == integration_id)
    )
    # Released between the two statements: the exchange ended just now.
    return held_until or now


async def release(runtime: Runtime, integration_id: str) -> None:
    """Ends the lease; never raises (a lease left behind runs out by itself)."""
    try:
        async with runtime.sessions() as session:
            await session.execute(
                update(Integration)
                .where(Integration.integration_id == integration_id)
                .values(exchange_lease_until=None)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
    except Exception:
        log.exception("integration %s: releasing the credentials exchange lease failed", integration_id)
