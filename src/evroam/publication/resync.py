"""Pushing a partner again what it lost: the ledger's documents of the modules asked for, queued anew.

A partner that lost data (a restore from backup, a bug on its side) gets each stored document whole, as
it is served: OBJECT modules (locations, tariffs, sessions) as a full PUT, which supersedes the waiting
rows of that object; POSTED_ONCE modules (CDRs) POSTed again, the partner's "already have it" counting
as delivered. Every row is queued in one transaction: all of them, or (bad input) none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from evroam.delivery.outbox import why_not_pushed
from evroam.errors import FieldProblem, InvalidDocument
from evroam.integrations.models import Integration
from evroam.integrations.service import get_integration
from evroam.network.operators.models import Operator
from evroam.ocpi import modules
from evroam.publication.ledger import IntegrationLedger
from evroam.publication.parties import operator_party


async def resync(
    session: AsyncSession, operator_id: int, integration_id: str, requested: Sequence[str], since: datetime | None
) -> dict[str, int]:
    """Queues the integration's documents of the `requested` modules last updated at or after `since`
    (all of them without it); how many per module."""
    integration = await get_integration(session, operator_id, integration_id)
    _check(integration, requested)
    queued = await session.run_sync(_queue, integration, set(requested), since)
    await session.commit()
    return queued


def _check(integration: Integration, requested: Sequence[str]) -> None:
    pushed = [entry.identifier for entry in modules.push_order()]
    problems = []
    for index, name in enumerate(requested):
        field = f"modules.{index}"
        if name not in pushed:
            problems.append(FieldProblem(field, f"{name!r} is not a module evroam pushes: one of {', '.join(pushed)}"))
        elif name in requested[:index]:
            problems.append(FieldProblem(field, f"{name} is asked for twice"))
        elif (reason := why_not_pushed(integration, name)) is not None:
            problems.append(FieldProblem(field, f"{name} is not pushed to this partner: {reason}"))
    if problems:
        raise InvalidDocument(problems)


def _queue(session: Session, integration: Integration, requested: set[str], since: datetime | None) -> dict[str, int]:
    operator = session.get_one(Operator, integration.operator_id)
    ledger = IntegrationLedger(session, integration, operator_party(operator))
    # Referred-to documents first (tariffs before the locations that name them), as publication pushes them.
    return {
        entry.identifier: ledger.push_again(entry.identifier, since)
        for entry in modules.push_order()
        if entry.identifier in requested
    }
