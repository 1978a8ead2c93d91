"""Which PENDING sessions have waited too long for their start (the periodic job's decision; flows.py
runs it).

A session is PENDING while its charger has sent meter values or a stop but not the start. A start that
never comes leaves it PENDING forever, a known failure (ocpi/ocpi #524): after PENDING_TIMEOUT it becomes
INVALID, which partners receive like any other change, and is not billed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.sessions.models import ChargingSession

PENDING_TIMEOUT = timedelta(minutes=15)


async def expired_pending(session: AsyncSession, now: datetime) -> list[tuple[str, str]]:
    """(charger id, transaction id) of the PENDING sessions created before now - PENDING_TIMEOUT."""
    query = (
        select(ChargingSession.charger_id, ChargingSession.transaction_id)
        .where(ChargingSession.status == "PENDING", ChargingSession.created_at < now - PENDING_TIMEOUT)
        .order_by(ChargingSession.created_at)
    )
    return [(row.charger_id, row.transaction_id) for row in await session.execute(query)]
