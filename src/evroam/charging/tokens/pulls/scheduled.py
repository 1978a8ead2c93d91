"""Which integrations are due a scheduled token pull (the periodic job's decision; flows.py runs it).

An integration is pulled on schedule when its `models.pullTokensAll` is true and it is CONNECTED (the
flow also needs a tokens Sender endpoint in its version details, which only the OCPI layer reads). Its
TokenPolicy (or the defaults) says how often: a full pull every `full_pull_every_hours`, a delta every
`delta_pull_every_minutes`; 0 turns one off. Hubs limit how often they are pulled (charging-notes
"Tokens and authorization"), so what counts is the last pull *created*, whatever became of it: a full
pull that failed after all its attempts is not started again every round, and a full pull counts as a
delta as fresh. When both are due, the full one is queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.tokens.models import TokenPolicy
from evroam.charging.tokens.pulls.models import OPEN_STATUSES, TokenPull
from evroam.integrations.models import Integration

PULL_FLAG = "pullTokensAll"


@dataclass(frozen=True, slots=True)
class DuePull:
    integration: Integration
    full: bool


def _default(column: str) -> int:
    return TokenPolicy.__table__.c[column].default.arg


async def due_pulls(session: AsyncSession, now: datetime) -> list[DuePull]:
    integrations = [
        integration
        for integration in await session.scalars(
            select(Integration).where(Integration.integration_status == "CONNECTED")
        )
        if (integration.models or {}).get(PULL_FLAG) is True
    ]
    if not integrations:
        return []
    ids = [integration.integration_id for integration in integrations]
    policies = {policy.integration_id: policy for policy in await session.scalars(
        select(TokenPolicy).where(TokenPolicy.integration_id.in_(ids))
    )}
    last = {
        (integration_id, full): created
        for integration_id, full, created in await session.execute(
            select(TokenPull.integration_id, TokenPull.full, func.max(TokenPull.created_at))
            .where(TokenPull.integration_id.in_(ids))
            .group_by(TokenPull.integration_id, TokenPull.full)
        )
    }
    busy = set(await session.scalars(
        select(TokenPull.integration_id).where(TokenPull.integration_id.in_(ids), TokenPull.status.in_(OPEN_STATUSES))
    ))
    due = []
    for integration in integrations:
        if integration.integration_id in busy:
            continue
        policy = policies.get(integration.integration_id)
        full_every = timedelta(hours=policy.full_pull_every_hours if policy else _default("full_pull_every_hours"))
        delta_every = timedelta(
            minutes=policy.delta_pull_every_minutes if policy else _default("delta_pull_every_minutes")
        )
        last_full = last.get((integration.integration_id, True))
        last_any = max(filter(None, (last_full, last.get((integration.integration_id, False)))), default=None)
        if full_every and (last_full is None or now - last_full >= full_every):
            due.append(DuePull(integration, full=True))
        elif delta_every and (last_any is None or now - last_any >= delta_every):
            due.append(DuePull(integration, full=False))
    return due
