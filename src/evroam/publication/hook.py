"""Keeps the ledger current: domain Changes recompute the documents they affect, in their own transaction.

`on_change` (subscribed to `evroam.events`) notes each Change; just before the transaction commits, in
that transaction, each module's publisher (the registry's, `ocpi/modules.py`) says which of its objects
the Changes affect, and recomputes them. The final state is what counts, so a service may announce
before or after it deletes rows, and several announces in one transaction cost one recomputation. A
Change of an integration itself (locations added or removed, tariff links, models) recomputes
everything it publishes, as `refresh_integration` does on demand (it connected, or its OCPI version
changed: documents are re-rendered in place, silently).

Publishers run in the registry's publication order: a module after those its documents refer to, so
that tariffs are pushed before the locations that refer to them. The totals each integration's pages
announce are recounted last, in a fixed order, so that concurrent transactions lock them without
deadlocking.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from evroam.database.held import by_keys
from evroam.events import Change
from evroam.integrations.models import Integration
from evroam.network.operators.models import Operator
from evroam.ocpi.modules import publication_order, resolve
from evroam.publication import stamps
from evroam.publication.ledger import IntegrationLedger
from evroam.publication.parties import operator_party
from evroam.publication.publisher import Publisher, Run, Wanted

_PENDING = "evroam.publication_pending"


@dataclass
class Targets:
    """What to recompute: everything some integrations publish, and given objects of others."""

    everything: set[str] = field(default_factory=set)
    # integration id -> module -> object ids
    objects: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))

    def integration_ids(self) -> set[str]:
        return self.everything | self.objects.keys()

    def of(self, module: str) -> Wanted:
        wanted: Wanted = {
            integration_id: by_module[module]
            for integration_id, by_module in self.objects.items()
            if by_module.get(module)
        }
        wanted.update(dict.fromkeys(self.everything))
        return wanted


async def on_change(session: AsyncSession, change: Change) -> None:
    session.info.setdefault(_PENDING, []).append(change)
    for name, listener in (("before_commit", _before_commit), ("after_soft_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


async def refresh_integration(session: AsyncSession, integration_id: str) -> None:
    """Rebuilds everything an integration publishes (it connected, or its OCPI version changed)."""
    await session.run_sync(_apply, Targets(everything={integration_id}), ())


def _publishers() -> list[tuple[str, Publisher]]:
    return [(module.identifier, resolve(module.publisher)) for module in publication_order()]


def _before_commit(session: Session) -> None:
    changes = session.info.pop(_PENDING, None)
    if not changes:
        return
    targets = Targets()
    for change in changes:
        _resolve(session, change, targets)
    _apply(session, targets, tuple(changes))


def _after_rollback(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def _resolve(session: Session, change: Change, targets: Targets) -> None:
    """Adds to `targets` what the Change affects in the OCPI integrations of its operator."""
    integration_ids = set(session.scalars(_operator_integrations(), {"operator_id": change.operator_id}))
    targets.everything |= change.integration_ids & integration_ids
    for module, publisher in _publishers():
        for integration_id, object_id in publisher.affected(session, change):
            if integration_id in integration_ids and integration_id not in targets.everything:
                targets.objects[integration_id][module].add(object_id)


@functools.cache
def _operator_integrations() -> Select:
    """Built once: every commit that changes something partners see asks it."""
    return select(Integration.integration_id).where(
        Integration.operator_id == bindparam("operator_id"), Integration.integration_type == "OCPI"
    )


def _apply(session: Session, targets: Targets, changes: Sequence[Change]) -> None:
    integrations = sorted(
        (found for found in by_keys(session, Integration, targets.integration_ids())
         if found.integration_type == "OCPI"),
        key=lambda found: found.integration_id,
    )
    if not integrations:
        return
    operators = {
        operator.id: operator_party(operator)
        for operator in by_keys(session, Operator, {integration.operator_id for integration in integrations})
    }
    ledgers = {
        integration.integration_id: IntegrationLedger(session, integration, operators[integration.operator_id])
        for integration in integrations
    }
    run = Run(session, list(integrations), ledgers, stamps.now(), tuple(changes))
    for module, publisher in _publishers():
        wanted = targets.of(module)
        if wanted:
            publisher.refresh(run, wanted)
    for integration_id in sorted(ledgers):
        ledgers[integration_id].record_totals()
