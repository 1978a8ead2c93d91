"""The locations of GET integration details as a read model: each location's element, stored as JSON text.

Building 1,000 locations of 4 chargers from the network tables took most of a large integration's
details request. So each integration location keeps its element (`integration_locations.details`),
rebuilt inside the transaction of every change it depends on, and the details read the stored texts and
embed them as they are.

`on_change` (subscribed to `evroam.events` by `evroam.wiring`) notes which locations a Change affects
when it is announced, while rows about to be deleted (a charger and the picks that name it) can still be
found; just before commit, in the same transaction, those locations are rebuilt together: four queries
per 500 locations, whatever their integrations. A change to a site, a charger or its sockets, a
location, or an integration's tariff links therefore reaches the details in the same commit. Tariff
contents do not appear in a location (only tariff ids do), so tariff changes rebuild nothing.

A location whose text is missing (written before this read model existed) is built when read, and
`build_missing` stores the missing ones at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from orjson import Fragment
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from evroam.events import Change
from evroam.integrations.details_locations import build_location_documents
from evroam.integrations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.network.models import Charger

_PENDING = "evroam.details_pending"
_CHUNK = 500
_locations = IntegrationLocation.__table__


async def on_change(session: AsyncSession, change: Change) -> None:
    affected = await session.run_sync(_affected_locations, change)
    session.info.setdefault(_PENDING, set()).update(affected)
    for name, listener in (("before_commit", _before_commit), ("after_soft_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


async def location_details(
    session: AsyncSession, integration_id: str, location_ids: Sequence[str] | None = None
) -> list[Fragment]:
    """The integration's locations (all, or the given ones) as the details show them, in the details' order."""
    query = select(_locations.c.id, _locations.c.details).where(_locations.c.integration_id == integration_id)
    if location_ids is not None:
        query = query.where(_locations.c.id.in_(location_ids))
    rows = (await session.execute(query.order_by(_locations.c.created_at, _locations.c.id))).all()
    missing = [location_id for location_id, text in rows if text is None]
    built = await session.run_sync(_built_texts, missing) if missing else {}
    return [Fragment(text if text is not None else built[location_id]) for location_id, text in rows]


async def build_missing(session: AsyncSession) -> int:
    """Stores every location text not built yet (rows from before this read model); returns how many."""
    missing = (await session.scalars(select(_locations.c.id).where(_locations.c.details.is_(None)))).all()
    if missing:
        await session.run_sync(_store, missing)
        await session.commit()
    return len(missing)


def _affected_locations(session: Session, change: Change) -> set[str]:
    clauses = []
    if change.integration_ids:
        clauses.append(IntegrationLocation.integration_id.in_(change.integration_ids))
    if change.site_ids:
        clauses.append(IntegrationLocation.site_id.in_(change.site_ids))
    if change.charger_ids:
        charger_sites = select(Charger.site_id).where(Charger.charger_id.in_(change.charger_ids))
        clauses.append(IntegrationLocation.site_id.in_(charger_sites) & IntegrationLocation.exclude_chargers.is_(False))
        clauses.append(
            IntegrationLocation.id.in_(
                select(IntegrationLocationCharger.location_id).where(
                    IntegrationLocationCharger.charger_id.in_(change.charger_ids)
                )
            )
        )
    if not clauses:
        return set()
    found = set()
    for clause in clauses:
        found.update(session.scalars(select(IntegrationLocation.id).where(clause)))
    return found


def _before_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        _store(session, sorted(pending))


def _after_rollback(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def _store(session: Session, location_ids: Sequence[str]) -> None:
    """Rebuilds and stores the texts of the given locations; ids of deleted locations are skipped."""
    texts = _built_texts(session, location_ids)
    if texts:
        session.execute(
            update(_locations).where(_locations.c.id == bindparam("location_id")).values(details=bindparam("text")),
            [{"location_id": key, "text": text} for key, text in texts.items()],
        )


def _built_texts(session: Session, location_ids: Sequence[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for chunk in _chunks(location_ids):
        for document in build_location_documents(session, chunk):
            texts[document["id"]] = _text(document)
    return texts


def _text(document: dict[str, Any]) -> str:
    # Datetimes are UTC-aware: OPT_UTC_Z writes them with `Z`, as every timestamp of the API.
    return orjson.dumps(document, option=orjson.OPT_UTC_Z).decode()


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
