"""The publication ledger: what each integration's partner sees, kept current by domain changes.

`on_change` (subscribed to `evroam.events`) notes each Change; just before the transaction commits, in
that transaction, the documents they affect are recomputed. The final state is what counts, so a
service may announce before or after it deletes rows, and several announces in one transaction cost one
recomputation. What a Change affects, looked up at commit:

* a site: the locations backed by it, in every integration of the operator;
* a charger: the locations showing it (by site, by explicit pick, or already published with it: the
  ledger remembers which chargers each location showed, so a deleted or moved charger is found too);
* a tariff: the integrations linking it or publishing it, and the locations linking it;
* an integration: everything it publishes (`refresh_integration` does the same on demand).

All affected documents of one commit are computed together, whatever their integration: the rows
they are built from are read once, in a few queries per 500 locations.

A document's `last_updated` moves only when its content (the document without its stamps) changed;
each EVSE and connector keeps its own stamp until it changes, and the location's moves with any of
them. An EVSE that disappears stays in the document with status REMOVED (OCPI never deletes), and a
location withdrawn from the integration stays with every EVSE REMOVED; a withdrawn tariff is no longer
served. Changes write outbox rows in the same transaction when the partner takes pushes: a PUT of the
location or tariff, a PATCH `{status, last_updated}` per EVSE when only EVSE statuses changed, a DELETE
for a withdrawn tariff. A change of the partner's OCPI version re-renders documents in place, silently.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    BindParameter,
    Integer,
    LargeBinary,
    Select,
    bindparam,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from evroam.delivery.outbox import DELETE, PATCH, PUT, enqueue, pushes_to
from evroam.events import Change
from evroam.integrations.models import Integration
from evroam.integrations.locations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.integrations.tariff_links.models import TariffLink
from evroam.publication.models import PublishedCharger, PublishedDocument, PublishedTotal
from evroam.publication.spot_prices import known_spot_prices
from evroam.network.chargers.models import Charger
from evroam.network.operators.models import Operator
from evroam.network.sites.models import Site
from evroam.ocpi.protocol.envelope import ocpi_timestamp
from evroam.ocpi.locations.mapping import (
    V221,
    LocationSource,
    Party,
    TariffLinks,
    TariffRef,
    location_document,
    party_of_operator,
    place_of_site,
)
from evroam.ocpi.tariffs.mapping import tariff_document
from evroam.ocpi.versions.routes import implementation_of
from evroam.tariffs.models import Tariff

LOCATIONS = "locations"
TARIFFS = "tariffs"
STAMP = "last_updated"
_PENDING = "evroam.publication_pending"
_CHUNK = 500
_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def negotiated_version(integration: Integration) -> str:
    """The shape documents take for this partner: our implementation of its version, 2.2.1 while unknown."""
    return implementation_of(integration.ocpi_version) or V221


@dataclass
class Targets:
    """What to recompute in one integration."""

    everything: bool = False
    location_ids: set[str] = field(default_factory=set)
    tariff_ids: set[str] = field(default_factory=set)

    def merge(self, other: Targets) -> None:
        self.everything |= other.everything
        self.location_ids |= other.location_ids
        self.tariff_ids |= other.tariff_ids


async def on_change(session: AsyncSession, change: Change) -> None:
    session.info.setdefault(_PENDING, []).append(change)
    for name, listener in (("before_commit", _before_commit), ("after_soft_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


async def refresh_integration(session: AsyncSession, integration_id: str) -> None:
    """Rebuilds everything an integration publishes (it connected, or its OCPI version changed)."""
    await session.run_sync(_apply, {integration_id: Targets(everything=True)}, frozenset())


async def published_page(
    session: AsyncSession,
    integration_id: str,
    module: str,
    offset: int,
    limit: int,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    after_id: str | None = None,
) -> tuple[list[bytes], int]:
    """One page of stored documents in publication order, and how many match the date filters.

    With `after_id`, the id of an object a previous page ended with, the page starts after that object
    and `offset` is not used: the index seeks there instead of stepping over every earlier row.
    """
    page, total = _page_statements(module, date_from is not None, date_to is not None, after_id is not None)
    values = {"integration_id": integration_id, "date_from": date_from, "date_to": date_to, "after_id": after_id,
              "offset": offset, "limit": limit}
    # Core, not the ORM: these are plain columns, and the ORM's per-row loading costs a millisecond a page.
    rows = (await (await session.connection()).execute(page, values)).all()
    if not rows:
        return [], int(await session.scalar(total, values) or 0)
    return [document for document, _ in rows], int(rows[0][1] or 0)


@functools.cache
def _page_statements(module: str, date_from: bool, date_to: bool, after_id: bool) -> tuple[Select, Select]:
    """A page and its total for one shape of request, the values bound by name. Built once: building
    them is most of their cost once SQLAlchemy has their compiled form cached (0.1 ms on every page)."""
    integration_id = bindparam("integration_id")
    where = _served(integration_id, module)
    if not (date_from or date_to):
        total = select(PublishedTotal.total).where(
            PublishedTotal.integration_id == integration_id, PublishedTotal.module == module
        )
    else:
        if date_from:
            where.append(PublishedDocument.last_updated >= bindparam("date_from"))
        if date_to:
            where.append(PublishedDocument.last_updated < bindparam("date_to"))
        total = select(func.count()).select_from(PublishedDocument).where(*where)
    # The total rides along on every row: one statement instead of two, each of which costs several
    # round trips to aiosqlite's thread. Only an empty page asks for the total alone.
    page = (
        select(_DOCUMENT_BYTES, total.scalar_subquery())
        .where(*where)
        .order_by(PublishedDocument.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if after_id:
        page = page.where(PublishedDocument.id > _row_id(integration_id, module, bindparam("after_id")))
    else:
        page = page.offset(bindparam("offset", type_=Integer))
    return page, total


def _row_id(integration_id: BindParameter, module: str, object_id: BindParameter):
    """The ledger row of an object (withdrawn ones included: rows are never deleted), for keyset paging."""
    return (
        select(PublishedDocument.id)
        .where(
            PublishedDocument.integration_id == integration_id,
            PublishedDocument.module == module,
            PublishedDocument.object_id == object_id,
        )
        .scalar_subquery()
    )


async def published_document(session: AsyncSession, integration_id: str, module: str, object_id: str) -> bytes | None:
    """The stored document of one object; ids are case-insensitive in OCPI (CiString)."""
    where = _served(integration_id, module)
    found = await session.scalar(select(_DOCUMENT_BYTES).where(*where, PublishedDocument.object_id == object_id))
    if found is None:
        found = await session.scalar(
            select(_DOCUMENT_BYTES)
            .where(*where, func.lower(PublishedDocument.object_id) == object_id.lower())
            .limit(1)
        )
    return found


class _Utf8Bytes(FunctionElement):
    """A text column read as its UTF-8 bytes: documents go out as bytes, so decoding them into str (and
    encoding them back for the response) would be wasted work on every page."""

    type = LargeBinary()
    inherit_cache = True


@compiles(_Utf8Bytes, "sqlite")
def _utf8_bytes_sqlite(element: _Utf8Bytes, compiler, **kw) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


@compiles(_Utf8Bytes, "postgresql")
def _utf8_bytes_postgresql(element: _Utf8Bytes, compiler, **kw) -> str:
    # Not CAST(... AS bytea): that reads the backslashes of JSON escapes as bytea escapes.
    return f"convert_to({compiler.process(element.clauses, **kw)}, 'UTF8')"


_DOCUMENT_BYTES = _Utf8Bytes(PublishedDocument.document)


def _served(integration_id: str | BindParameter, module: str) -> list:
    """Withdrawn locations are still served (every EVSE REMOVED); withdrawn tariffs are not."""
    where = [PublishedDocument.integration_id == integration_id, PublishedDocument.module == module]
    if module == TARIFFS:
        where.append(PublishedDocument.removed.is_(False))
    return where


def _is_served(module: str, removed: bool) -> bool:
    """The rule of `_served` for one row."""
    return module == LOCATIONS or not removed


def _before_commit(session: Session) -> None:
    changes = session.info.pop(_PENDING, None)
    if not changes:
        return
    merged: dict[str, Targets] = defaultdict(Targets)
    for change in changes:
        for integration_id, found in _resolve(session, change).items():
            merged[integration_id].merge(found)
    _apply(session, merged, frozenset().union(*(change.deleted_tariff_ids for change in changes)))


def _after_rollback(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def _resolve(session: Session, change: Change) -> dict[str, Targets]:
    integration_ids = set(
        session.scalars(
            select(Integration.integration_id).where(
                Integration.operator_id == change.operator_id, Integration.integration_type == "OCPI"
            )
        )
    )
    found: dict[str, Targets] = defaultdict(Targets)
    for integration_id in change.integration_ids & integration_ids:
        found[integration_id].everything = True
    for integration_id, location_id in _locations_touched(session, change):
        found[integration_id].location_ids.add(location_id)
    tariff_ids = change.tariff_ids | change.deleted_tariff_ids
    if tariff_ids:
        links = session.execute(
            select(TariffLink.integration_id, TariffLink.location_id, TariffLink.tariff_id).where(
                TariffLink.tariff_id.in_(tariff_ids)
            )
        )
        for integration_id, location_id, tariff_id in links:
            found[integration_id].location_ids.add(location_id)
            found[integration_id].tariff_ids.add(tariff_id)
        published = session.execute(
            select(PublishedDocument.integration_id, PublishedDocument.object_id).where(
                PublishedDocument.module == TARIFFS, PublishedDocument.object_id.in_(tariff_ids)
            )
        )
        for integration_id, tariff_id in published:
            found[integration_id].tariff_ids.add(tariff_id)
    return {integration_id: targets for integration_id, targets in found.items() if integration_id in integration_ids}


def _locations_touched(session: Session, change: Change) -> Iterable[tuple[str, str]]:
    location = (IntegrationLocation.integration_id, IntegrationLocation.id)
    if change.site_ids:
        yield from session.execute(select(*location).where(IntegrationLocation.site_id.in_(change.site_ids)))
    if not change.charger_ids:
        return
    charger_sites = select(Charger.site_id).where(Charger.charger_id.in_(change.charger_ids))
    whole_site = IntegrationLocation.site_id.in_(charger_sites) & IntegrationLocation.exclude_chargers.is_(False)
    picked = IntegrationLocation.id.in_(
        select(IntegrationLocationCharger.location_id).where(IntegrationLocationCharger.charger_id.in_(change.charger_ids))
    )
    yield from session.execute(select(*location).where(whole_site | picked))
    yield from session.execute(
        select(PublishedCharger.integration_id, PublishedCharger.location_id).where(
            PublishedCharger.charger_id.in_(change.charger_ids)
        )
    )


def _apply(session: Session, targets: dict[str, Targets], excluded_tariffs: frozenset[str]) -> None:
    integrations = session.scalars(
        select(Integration).where(Integration.integration_id.in_(targets), Integration.integration_type == "OCPI")
    ).all()
    if not integrations:
        return
    now = _now()
    operators = {
        operator.id: party_of_operator(
            operator.country_code, operator.party_id, operator.name, operator.website, operator.logo
        )
        for operator in session.scalars(select(Operator).where(Operator.id.in_({i.operator_id for i in integrations})))
    }
    tariffs = _PublishedTariffs(session, integrations, operators, excluded_tariffs, now)
    publishers = {
        integration.integration_id: _Publisher(
            session, integration, operators[integration.operator_id], tariffs.of(integration), now
        )
        for integration in integrations
    }
    # Tariffs first: their pushes are queued before the locations that refer to them.
    for integration_id, publisher in publishers.items():
        found = targets[integration_id]
        if found.everything or found.tariff_ids:
            publisher.refresh_tariffs(None if found.everything else found.tariff_ids)
    pairs = [
        (integration_id, location_id)
        for integration_id, publisher in publishers.items()
        for location_id in (
            publisher.all_location_ids() if targets[integration_id].everything else sorted(targets[integration_id].location_ids)
        )
    ]
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        sources = _Sources(session, chunk, tariffs)
        for integration_id, location_id in chunk:
            publishers[integration_id].refresh_location(location_id, sources)
    # In a fixed order: concurrent transactions lock the totals they recount without deadlocking.
    for integration_id in sorted(publishers):
        publishers[integration_id].record_totals()


def _now() -> datetime:
    """Stamps have millisecond precision, so the column and the document's text agree exactly."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class _PublishedTariffs:
    """The tariffs each integration publishes (linked, PRICE, with something to say in its version)."""

    def __init__(
        self,
        session: Session,
        integrations: Iterable[Integration],
        parties: dict[int, Party],
        excluded: frozenset[str],
        now: datetime,
    ) -> None:
        self.documents: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.refs: dict[tuple[str, str], TariffRef] = {}
        by_id = {integration.integration_id: integration for integration in integrations}
        linked = session.execute(
            select(TariffLink.integration_id, Tariff)
            .join(Tariff, Tariff.id == TariffLink.tariff_id)
            .where(TariffLink.integration_id.in_(by_id))
            .distinct()
            .order_by(Tariff.id)
        ).all()
        spot = known_spot_prices(session, {tariff for _, tariff in linked}, now)
        for integration_id, tariff in linked:
            if tariff.id in excluded:
                continue
            integration = by_id[integration_id]
            version = negotiated_version(integration)
            document = tariff_document(tariff, parties[integration.operator_id], version, spot.get(tariff.operator_id))
            if document is not None:
                self.documents[integration_id][tariff.id] = document
                self.refs[(integration_id, tariff.id)] = TariffRef(
                    tariff.id, tariff.type, tariff.start_date_time, tariff.end_date_time
                )

    def of(self, integration: Integration) -> dict[str, dict[str, Any]]:
        return self.documents.get(integration.integration_id, {})

    def ref(self, integration_id: str, tariff_id: str) -> TariffRef | None:
        return self.refs.get((integration_id, tariff_id))


class _Sources:
    """Everything a chunk of (integration, location) pairs is built from, in a few queries for all."""

    def __init__(self, session: Session, pairs: list[tuple[str, str]], tariffs: _PublishedTariffs) -> None:
        integration_ids = {integration_id for integration_id, _ in pairs}
        location_ids = {location_id for _, location_id in pairs}
        wanted = set(pairs)
        self.locations = {
            (location.integration_id, location.id): location
            for location in session.scalars(select(IntegrationLocation).where(IntegrationLocation.id.in_(location_ids)))
        }
        self.rows = {
            (row.integration_id, row.object_id): row
            for row in session.scalars(
                select(PublishedDocument).where(
                    PublishedDocument.module == LOCATIONS,
                    PublishedDocument.integration_id.in_(integration_ids),
                    PublishedDocument.object_id.in_(location_ids),
                )
            )
            if (row.integration_id, row.object_id) in wanted
        }
        self.shown: dict[tuple[str, str], set[str]] = defaultdict(set)
        for integration_id, location_id, charger_id in session.execute(
            select(PublishedCharger.integration_id, PublishedCharger.location_id, PublishedCharger.charger_id).where(
                PublishedCharger.integration_id.in_(integration_ids), PublishedCharger.location_id.in_(location_ids)
            )
        ):
            self.shown[(integration_id, location_id)].add(charger_id)
        locations = list(self.locations.values())
        site_ids = {location.site_id for location in locations if location.site_id is not None}
        self.sites = {site.id: site for site in session.scalars(select(Site).where(Site.id.in_(site_ids)))}
        whole_sites = {location.site_id for location in locations if location.site_id and not location.exclude_chargers}
        self.site_chargers: dict[int, list[Charger]] = defaultdict(list)
        for charger in session.scalars(
            select(Charger).where(Charger.site_id.in_(whole_sites)).order_by(Charger.charger_id)
        ):
            self.site_chargers[charger.site_id].append(charger)
        self.picked: dict[str, list[Charger]] = defaultdict(list)
        for location_id, charger in session.execute(
            select(IntegrationLocationCharger.location_id, Charger)
            .join(Charger, Charger.charger_id == IntegrationLocationCharger.charger_id)
            .where(IntegrationLocationCharger.location_id.in_(location_ids))
            .order_by(Charger.charger_id)
        ):
            self.picked[location_id].append(charger)
        levels: dict[str, dict[tuple[str | None, int | None], list[TariffRef]]] = defaultdict(lambda: defaultdict(list))
        for link in session.scalars(
            select(TariffLink).where(TariffLink.location_id.in_(location_ids)).order_by(TariffLink.tariff_id)
        ):
            ref = tariffs.ref(link.integration_id, link.tariff_id)
            if ref is not None:
                levels[link.location_id][(link.charger_id, link.socket_id)].append(ref)
        self.links = {
            location_id: TariffLinks({level: tuple(found) for level, found in by_level.items()})
            for location_id, by_level in levels.items()
        }

    def source(self, location: IntegrationLocation) -> LocationSource:
        if location.site_id is not None:
            place = place_of_site(self.sites[location.site_id])
        else:
            place = location.standalone or {}
        if location.site_id is not None and not location.exclude_chargers:
            chargers = self.site_chargers.get(location.site_id, [])
        else:
            chargers = self.picked.get(location.id, [])
        return LocationSource(
            location_id=location.id,
            place=place,
            publish=location.publish,
            publish_allowed_to=location.publish_allowed_to or [],
            chargers=chargers,
            tariffs=self.links.get(location.id, TariffLinks()),
        )


class _Publisher:
    """Recomputes one integration's documents and records what changed."""

    def __init__(
        self, session: Session, integration: Integration, party: Party, tariffs: dict[str, dict[str, Any]], now: datetime
    ) -> None:
        self.session = session
        self.integration = integration
        self.version = negotiated_version(integration)
        self.party = party
        self.tariffs = tariffs
        self.now = now
        self.now_text = ocpi_timestamp(now)
        self.pushes = {module: pushes_to(integration, module) for module in (LOCATIONS, TARIFFS)}
        # Modules whose set of served documents changed: their totals are recounted before commit.
        self.recount: set[str] = set()

    # Tariffs

    def refresh_tariffs(self, tariff_ids: set[str] | None) -> None:
        rows = self._rows(TARIFFS, tariff_ids)
        wanted = self.tariffs.keys() if tariff_ids is None else tariff_ids
        for tariff_id in sorted(set(wanted) | rows.keys()):
            row = rows.get(tariff_id)
            if tariff_id in self.tariffs:
                self._publish_tariff(tariff_id, self.tariffs[tariff_id], row)
            elif row is not None and not row.removed:
                row.removed = True
                row.last_updated = self.now
                self.recount.add(TARIFFS)
                self._push(TARIFFS, tariff_id, DELETE, tariff_id, None)

    def _publish_tariff(self, tariff_id: str, content: dict[str, Any], row: PublishedDocument | None) -> None:
        digest = content_hash(content)
        live = row is not None and not row.removed
        if live and row.version == self.version and row.content_hash == digest:
            return
        if live and row.version != self.version:
            self._store(row, {**content, STAMP: ocpi_timestamp(row.last_updated)}, digest, row.last_updated)
            return
        document = {**content, STAMP: self.now_text}
        self._store(row or self._new_row(TARIFFS, tariff_id), document, digest, self.now)
        self._push(TARIFFS, tariff_id, PUT, tariff_id, _text(document))

    # Locations

    def all_location_ids(self) -> list[str]:
        current = self.session.scalars(
            select(IntegrationLocation.id)
            .where(IntegrationLocation.integration_id == self.integration.integration_id)
            .order_by(IntegrationLocation.created_at, IntegrationLocation.id)
        ).all()
        published = self.session.scalars(
            select(PublishedDocument.object_id).where(
                PublishedDocument.integration_id == self.integration.integration_id,
                PublishedDocument.module == LOCATIONS,
            )
        ).all()
        return list(current) + sorted(set(published) - set(current))

    def refresh_location(self, location_id: str, sources: _Sources) -> None:
        key = (self.integration.integration_id, location_id)
        location, row, shown = sources.locations.get(key), sources.rows.get(key), sources.shown.get(key, set())
        if location is None:
            if row is not None and not row.removed:
                self._withdraw_location(row)
            self._record_chargers(location_id, shown, set())
            return
        source = sources.source(location)
        content = location_document(source, self.party, self.version, self.now)
        self._publish_location(location_id, content, row)
        self._record_chargers(location_id, shown, {charger.charger_id for charger in source.chargers})

    def _publish_location(self, location_id: str, content: dict[str, Any], row: PublishedDocument | None) -> None:
        previous = orjson.loads(row.document) if row is not None else None
        live = row is not None and not row.removed
        same_version = row is not None and row.version == self.version
        if same_version:
            content = _keep_removed_evses(content, previous)
        digest = content_hash(content)
        if live and same_version and row.content_hash == digest:
            return
        if live and not same_version:
            # The partner's version changed, not the location: same stamps, nothing to push.
            document = _stamp(content, previous, ocpi_timestamp(row.last_updated), keep=True)
            self._store(row, document, digest, row.last_updated)
            return
        document = _stamp(content, previous if same_version else None, self.now_text)
        status_changes = _status_changes(previous, document) if live else None
        self._store(row or self._new_row(LOCATIONS, location_id), document, digest, self.now)
        self._push_location(location_id, document, status_changes)

    def _withdraw_location(self, row: PublishedDocument) -> None:
        previous = orjson.loads(row.document)
        content = _unstamped(previous)
        content["evses"] = [{**evse, "status": "REMOVED"} for evse in content.get("evses", [])]
        document = _stamp(content, previous, self.now_text)
        self._store(row, document, content_hash(content), self.now, removed=True)
        self._push_location(row.object_id, document, None)

    def _push_location(self, location_id: str, document: dict[str, Any], status_changes: list | None) -> None:
        if not status_changes:
            self._push(LOCATIONS, location_id, PUT, location_id, _text(document))
            return
        for evse in status_changes:
            body = _text({"status": evse["status"], STAMP: evse[STAMP]})
            self._push(LOCATIONS, location_id, PATCH, f"{location_id}/{evse['uid']}", body)

    def _record_chargers(self, location_id: str, before: set[str], now: set[str]) -> None:
        integration_id = self.integration.integration_id
        if before - now:
            self.session.execute(
                delete(PublishedCharger).where(
                    PublishedCharger.integration_id == integration_id,
                    PublishedCharger.location_id == location_id,
                    PublishedCharger.charger_id.in_(before - now),
                )
            )
        self.session.add_all(
            PublishedCharger(integration_id=integration_id, location_id=location_id, charger_id=charger_id)
            for charger_id in sorted(now - before)
        )

    # Rows, totals and pushes

    def _rows(self, module: str, object_ids: set[str] | None) -> dict[str, PublishedDocument]:
        query = select(PublishedDocument).where(
            PublishedDocument.integration_id == self.integration.integration_id, PublishedDocument.module == module
        )
        if object_ids is not None:
            query = query.where(PublishedDocument.object_id.in_(object_ids))
        return {row.object_id: row for row in self.session.scalars(query)}

    def _new_row(self, module: str, object_id: str) -> PublishedDocument:
        row = PublishedDocument(integration_id=self.integration.integration_id, module=module, object_id=object_id)
        self.session.add(row)
        return row

    def _store(
        self, row: PublishedDocument, document: dict[str, Any], digest: str, last_updated: datetime, removed: bool = False
    ) -> None:
        # A new row has no `removed` until it is inserted.
        was_served = row.removed is not None and _is_served(row.module, row.removed)
        if _is_served(row.module, removed) != was_served:
            self.recount.add(row.module)
        row.version = self.version
        row.document = _text(document)
        row.content_hash = digest
        row.last_updated = last_updated
        row.removed = removed

    def record_totals(self) -> None:
        """Recounts the totals whose documents changed, each under its row's lock: of two concurrent
        publishers of one integration on PostgreSQL, the second waits there until the first commits, and
        its count, a new statement, sees the first one's rows. (Counting before locking, both could count
        without the other's rows and the last to write would win.)"""
        integration_id = self.integration.integration_id
        insert = _UPSERTS[self.session.get_bind().dialect.name]
        for module in sorted(self.recount):
            key = (PublishedTotal.integration_id == integration_id) & (PublishedTotal.module == module)
            self.session.execute(
                insert(PublishedTotal)
                .values(integration_id=integration_id, module=module, total=0)
                .on_conflict_do_nothing()
            )
            self.session.execute(select(PublishedTotal.total).where(key).with_for_update())
            total = self.session.scalar(
                select(func.count()).select_from(PublishedDocument).where(*_served(integration_id, module))
            )
            self.session.execute(update(PublishedTotal).where(key).values(total=total))

    def _push(self, module: str, object_id: str, method: str, subpath: str, body: str | None) -> None:
        if self.pushes[module]:
            path = f"/{self.party.country_code}/{self.party.party_id}/{subpath}"
            enqueue(self.session, self.integration.integration_id, module, object_id, method, path, body)


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _text(document: dict[str, Any]) -> str:
    return orjson.dumps(document).decode()


def _without_stamp(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if key != STAMP}


def _unstamped(location: dict[str, Any]) -> dict[str, Any]:
    """A stored location without any last_updated: the content its hash was taken of."""
    content = _without_stamp(location)
    content["evses"] = [
        {**_without_stamp(evse), "connectors": [_without_stamp(c) for c in evse.get("connectors", [])]}
        for evse in location.get("evses", [])
    ]
    return content


def _keep_removed_evses(content: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """EVSEs gone from the network stay in the document as REMOVED: partners must learn they are gone."""
    present = {evse["uid"] for evse in content["evses"]}
    gone = [
        {**evse, "status": "REMOVED"}
        for evse in _unstamped(previous)["evses"]
        if evse["uid"] not in present
    ]
    return {**content, "evses": content["evses"] + gone} if gone else content


def _stamp(content: dict[str, Any], previous: dict[str, Any] | None, now_text: str, keep: bool = False) -> dict[str, Any]:
    """Adds last_updated everywhere: an EVSE or connector equal to its previous self keeps its stamp.

    With `keep`, every stamp found in `previous` is kept (same object, another OCPI shape).
    """
    earlier = {evse["uid"]: evse for evse in (previous or {}).get("evses", [])}
    evses = []
    for evse in content["evses"]:
        old = earlier.get(evse["uid"])
        old_connectors = {c["id"]: c for c in old.get("connectors", [])} if old else {}
        connectors = [
            {**connector, STAMP: _kept_stamp(old_connectors.get(connector["id"]), connector, now_text, keep)}
            for connector in evse["connectors"]
        ]
        stamp = _kept_stamp(old, evse, now_text, keep, nested=True)
        evses.append({**evse, "connectors": connectors, STAMP: stamp})
    location_stamp = previous[STAMP] if keep and previous else now_text
    return {**content, "evses": evses, STAMP: location_stamp}


def _kept_stamp(old: dict[str, Any] | None, content: dict[str, Any], now_text: str, keep: bool, nested: bool = False) -> str:
    if old is None:
        return now_text
    if keep:
        return old[STAMP]
    unstamped = (
        {**_without_stamp(old), "connectors": [_without_stamp(c) for c in old.get("connectors", [])]}
        if nested
        else _without_stamp(old)
    )
    return old[STAMP] if unstamped == content else now_text


def _status_changes(previous: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The EVSEs whose status alone changed, or None when anything else changed too."""
    before, after = _unstamped(previous), _unstamped(document)
    if _without_statuses(before) != _without_statuses(after):
        return None
    statuses = {evse["uid"]: evse["status"] for evse in before["evses"]}
    return [evse for evse in document["evses"] if statuses.get(evse["uid"]) != evse["status"]]


def _without_statuses(location: dict[str, Any]) -> dict[str, Any]:
    return {**location, "evses": [{**evse, "status": None} for evse in location["evses"]]}
