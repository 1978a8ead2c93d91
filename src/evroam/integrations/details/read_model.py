"""The locations of GET integration details as a read model: each location's element, stored as JSON text.

Building 1,000 locations of 4 chargers from the network tables took most of a large integration's
details request. So each integration location keeps its element (`integration_locations.details`) and
the details embed the stored texts as they are.

A change only invalidates: `on_change` (subscribed to `evroam.events` by `evroam.wiring`) clears the
text of every location the Change may alter and bumps its `details_version`, in one statement of the
change's own transaction, when it is announced (while rows about to be deleted, such as the picks of a
deleted charger, still say which locations they were in). A change to a site, a charger or its sockets,
a location, or an integration's tariff links thus costs the writer one UPDATE, which matters on the
write path of socket statuses: on SQLite every writer waits for the one write lock. Tariff contents do
not appear in a location (only tariff ids do), so tariff changes clear nothing.

A read builds the missing texts (four queries per 500 locations), answers with them and stores them for
the next read, each only if its version is still the one read before building: a change committed
meanwhile has cleared it again, and its text must be built anew, never overwritten with an older one.
`build_missing` stores every missing text at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from orjson import Fragment
from sqlalchemy import CompoundSelect, Select, bindparam, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from evroam.events import Change
from evroam.integrations.details.locations import build_location_documents
from evroam.integrations.locations.members import holding_selects
from evroam.integrations.locations.models import IntegrationLocation

_CHUNK = 500
_locations = IntegrationLocation.__table__


async def on_change(session: AsyncSession, change: Change) -> None:
    affected = _affected(change)
    if affected is not None:
        await session.execute(
            update(_locations)
            .where(_locations.c.id.in_(affected))
            .values(details=None, details_version=_locations.c.details_version + 1)
            .execution_options(synchronize_session=False)
        )


async def location_details(
    session: AsyncSession, integration_id: str, location_ids: Sequence[str] | None = None
) -> list[Fragment]:
    """The integration's locations (all, or the given ones) as the details show them, in the details' order.
    Texts missing are built, and stored (committed) for the next read."""
    query = select(_locations.c.id, _locations.c.details, _locations.c.details_version).where(
        _locations.c.integration_id == integration_id
    )
    if location_ids is not None:
        query = query.where(_locations.c.id.in_(location_ids))
    rows = (await session.execute(query.order_by(_locations.c.created_at, _locations.c.id))).all()
    missing = {location_id: version for location_id, text, version in rows if text is None}
    built = await _build_and_store(session, missing) if missing else {}
    return [Fragment(text if text is not None else built[location_id]) for location_id, text, _ in rows]


async def build_missing(session: AsyncSession) -> int:
    """Stores every location text not built yet (new rows, or rows from before this read model)."""
    missing = dict((await session.execute(select(_locations.c.id, _locations.c.details_version).where(
        _locations.c.details.is_(None)
    ))).all())  # fmt: skip
    if missing:
        await _build_and_store(session, missing)
    return len(missing)


async def _build_and_store(session: AsyncSession, versions: dict[str, int]) -> dict[str, str]:
    """Texts of the given locations (id -> the version read), stored where the version still holds."""
    texts = await session.run_sync(_built_texts, list(versions))
    if texts:
        await session.execute(
            update(_locations)
            .where(_locations.c.id == bindparam("location_id"), _locations.c.details_version == bindparam("version"))
            .values(details=bindparam("text")),
            [{"location_id": key, "version": versions[key], "text": text} for key, text in texts.items()],
            execution_options={"synchronize_session": False},
        )
        await session.commit()
    return texts


def _affected(change: Change) -> CompoundSelect | None:
    """The ids of the locations the change may alter; None when it alters none. One select for each
    thing the change names, each by its own index: one condition joining them with OR had the database
    read every integration location of every partner on every socket status."""
    # Aliased: the UPDATE's own table would otherwise be taken for the selects' (correlated).
    named = _locations.alias("named")
    selects: list[Select] = []
    if change.integration_ids:
        selects.append(select(named.c.id).where(named.c.integration_id.in_(change.integration_ids)))
    if change.site_ids:
        selects.append(select(named.c.id).where(named.c.site_id.in_(change.site_ids)))
    if change.charger_ids:
        selects.extend(holding_selects(change.charger_ids))
    return union(*selects) if selects else None


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
