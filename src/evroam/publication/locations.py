"""The locations publisher: each integration's locations as OCPI Location documents.

A location is affected when its site, a charger it shows (by site, by pick, or already published with
it: the ledger remembers which chargers each location showed, so a deleted or moved charger is found
too) or a tariff it links changes. A location withdrawn from the integration, or withheld from the
partner's version (`publish: false` towards 2.1.1), stays published with every EVSE REMOVED (OCPI
never deletes one); one never published is not published at all. What the document could not carry of
the operator's data is kept with it (`warnings`). A push is a PUT of the location, or a PATCH
`{status, last_updated}` per EVSE when only EVSE statuses changed.

Locations are computed in chunks of 500, whatever their integration: the rows they are built from are
read once per chunk, in a few queries.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import Session

from evroam.database.held import by_keys
from evroam.events import Change
from evroam.integrations.locations.members import holding_any, holds_whole_site
from evroam.integrations.locations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.integrations.tariff_links.models import TariffLink
from evroam.network.chargers.models import Charger
from evroam.network.sites.models import Site
from evroam.ocpi.fitting import Fitting, PublicationWarning
from evroam.ocpi.locations.mapping import LocationSource, TariffLinks, TariffRef, location_document, place_of_site
from evroam.ocpi.modules import LOCATIONS, PATCH, PUT
from evroam.ocpi.protocol.envelope import ocpi_timestamp
from evroam.publication.ledger import IntegrationLedger, content_hash, document_text
from evroam.publication.models import PublishedCharger, PublishedDocument
from evroam.publication.publisher import Run, Wanted
from evroam.publication.stamps import STAMP, keep_removed_evses, stamp, status_changes, unstamped
from evroam.publication.tariffs import PublishedTariffs

_CHUNK = 500


class LocationsPublisher:
    def affected(self, session: Session, change: Change) -> Iterable[tuple[str, str]]:
        reads = _affected_reads()
        if change.site_ids:
            yield from session.execute(reads.of_sites, {"site_ids": list(change.site_ids)})
        if change.charger_ids:
            charger_ids = {"charger_ids": list(change.charger_ids)}
            yield from session.execute(reads.holding_chargers, charger_ids)
            yield from session.execute(reads.showing_chargers, charger_ids)
        tariff_ids = change.tariff_ids | change.deleted_tariff_ids
        if tariff_ids:
            yield from session.execute(reads.linking_tariffs, {"tariff_ids": list(tariff_ids)})

    def refresh(self, run: Run, wanted: Wanted) -> None:
        pairs = [
            (integration_id, location_id)
            for integration_id in (integration.integration_id for integration in run.integrations)
            if integration_id in wanted
            for location_id in _location_ids(run.session, integration_id, wanted[integration_id])
        ]
        tariffs = run.derived(PublishedTariffs)
        for start in range(0, len(pairs), _CHUNK):
            chunk = pairs[start : start + _CHUNK]
            sources = _Sources(run.session, chunk, tariffs)
            for integration_id, location_id in chunk:
                _refresh(run.ledgers[integration_id], run, location_id, sources)


def _location_ids(session: Session, integration_id: str, location_ids: set[str] | None) -> list[str]:
    """The wanted locations; all of them: the integration's, in creation order, then those it withdrew."""
    if location_ids is not None:
        return sorted(location_ids)
    current = session.scalars(
        select(IntegrationLocation.id)
        .where(IntegrationLocation.integration_id == integration_id)
        .order_by(IntegrationLocation.created_at, IntegrationLocation.id)
    ).all()
    published = session.scalars(
        select(PublishedDocument.object_id).where(
            PublishedDocument.integration_id == integration_id, PublishedDocument.module == LOCATIONS
        )
    ).all()
    return list(current) + sorted(set(published) - set(current))


def _refresh(ledger: IntegrationLedger, run: Run, location_id: str, sources: _Sources) -> None:
    key = (ledger.integration.integration_id, location_id)
    location, row, shown = sources.locations.get(key), sources.rows.get(key), sources.shown.get(key, set())
    source = sources.source(location) if location is not None else None
    fitting = Fitting(ledger.version)
    # None: gone from the integration, or withheld from the partner's version.
    content = location_document(source, ledger.party, ledger.version, run.now, fitting) if source else None
    if content is None:
        if row is not None and not row.removed:
            # Withheld (it still exists): withdrawn in the shape of the partner's version, which may just
            # have changed. Gone from the integration: as last published.
            shape = None
            if source is not None:
                shape = location_document(replace(source, publish=True), ledger.party, ledger.version, run.now)
            _withdraw(ledger, run, row, shape)
        _record_chargers(ledger, location_id, shown, set())
        return
    _publish(ledger, run, location_id, content, row, fitting.warnings)
    _record_chargers(ledger, location_id, shown, {charger.charger_id for charger in source.chargers})


def _publish(
    ledger: IntegrationLedger,
    run: Run,
    location_id: str,
    content: dict[str, Any],
    row: PublishedDocument | None,
    warnings: list[PublicationWarning],
) -> None:
    previous = orjson.loads(row.document) if row is not None else None
    live = row is not None and not row.removed
    same_version = row is not None and row.version == ledger.version
    if same_version:
        content = keep_removed_evses(content, previous)
    digest = content_hash(content)
    if live and same_version and row.content_hash == digest:
        ledger.note(row, warnings)
        return
    if live and not same_version:
        # The partner's version changed, not the location: same stamps, nothing to push.
        document = stamp(content, previous, ocpi_timestamp(row.last_updated), keep=True)
        ledger.store(row, document, digest, row.last_updated, warnings=warnings)
        return
    document = stamp(content, previous if same_version else None, run.now_text)
    changed_statuses = status_changes(previous, document) if live else None
    ledger.store(row or ledger.new_row(LOCATIONS, location_id), document, digest, run.now, warnings=warnings)
    _push(ledger, location_id, document, changed_statuses)


def _withdraw(ledger: IntegrationLedger, run: Run, row: PublishedDocument, shape: dict[str, Any] | None) -> None:
    """Every EVSE REMOVED: of `shape` (the location as the partner's version shows it) where known, else
    of the last document."""
    previous = orjson.loads(row.document)
    content = unstamped(previous) if shape is None else shape
    content["evses"] = [{**evse, "status": "REMOVED"} for evse in content.get("evses", [])]
    document = stamp(content, previous, run.now_text)
    ledger.store(row, document, content_hash(content), run.now, removed=True)
    _push(ledger, row.object_id, document, None)


def _push(ledger: IntegrationLedger, location_id: str, document: dict[str, Any], changed_statuses: list | None) -> None:
    if not changed_statuses:
        ledger.push(LOCATIONS, location_id, PUT, location_id, document_text(document))
        return
    for evse in changed_statuses:
        body = document_text({"status": evse["status"], STAMP: evse[STAMP]})
        ledger.push(LOCATIONS, location_id, PATCH, f"{location_id}/{evse['uid']}", body)


def _record_chargers(ledger: IntegrationLedger, location_id: str, before: set[str], now: set[str]) -> None:
    integration_id = ledger.integration.integration_id
    if before - now:
        ledger.session.execute(
            delete(PublishedCharger).where(
                PublishedCharger.integration_id == integration_id,
                PublishedCharger.location_id == location_id,
                PublishedCharger.charger_id.in_(before - now),
            )
        )
    ledger.session.add_all(
        PublishedCharger(integration_id=integration_id, location_id=location_id, charger_id=charger_id)
        for charger_id in sorted(now - before)
    )


class _Sources:
    """Everything a chunk of (integration, location) pairs is built from, in a few queries for all."""

    def __init__(self, session: Session, pairs: list[tuple[str, str]], tariffs: PublishedTariffs) -> None:
        reads = _reads()
        integration_ids = list({integration_id for integration_id, _ in pairs})
        location_ids = list({location_id for _, location_id in pairs})
        wanted = set(pairs)
        chosen = {"integration_ids": integration_ids, "location_ids": location_ids}
        self.locations = {
            (location.integration_id, location.id): location
            for location in session.scalars(reads.locations, chosen)
        }
        self.rows = {
            (row.integration_id, row.object_id): row
            for row in session.scalars(reads.rows, chosen)
            if (row.integration_id, row.object_id) in wanted
        }
        self.shown: dict[tuple[str, str], set[str]] = defaultdict(set)
        for integration_id, location_id, charger_id in session.execute(reads.shown, chosen):
            self.shown[(integration_id, location_id)].add(charger_id)
        locations = list(self.locations.values())
        site_ids = {location.site_id for location in locations if location.site_id is not None}
        self.sites = {site.id: site for site in by_keys(session, Site, site_ids)}
        whole_sites = [location.site_id for location in locations if holds_whole_site(location)]
        self.site_chargers: dict[int, list[Charger]] = defaultdict(list)
        for charger in session.scalars(reads.site_chargers, {"site_ids": whole_sites}):
            self.site_chargers[charger.site_id].append(charger)
        self.picked: dict[str, list[Charger]] = defaultdict(list)
        for location_id, charger in session.execute(reads.picked, chosen):
            self.picked[location_id].append(charger)
        levels: dict[str, dict[tuple[str | None, int | None], list[TariffRef]]] = defaultdict(lambda: defaultdict(list))
        for link in session.scalars(reads.links, chosen):
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
        if holds_whole_site(location):
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


@dataclass(frozen=True, slots=True)
class _AffectedReads:
    """(integration, location) pairs a Change affects, by what it names; built once, as `_Reads`."""

    of_sites: Select
    holding_chargers: Select
    showing_chargers: Select
    linking_tariffs: Select


@functools.cache
def _affected_reads() -> _AffectedReads:
    location = (IntegrationLocation.integration_id, IntegrationLocation.id)
    charger_ids = bindparam("charger_ids", expanding=True)
    return _AffectedReads(
        of_sites=select(*location).where(IntegrationLocation.site_id.in_(bindparam("site_ids", expanding=True))),
        holding_chargers=select(*location).where(holding_any(charger_ids)),
        # Shown before by a location that no longer holds them (the charger moved or was deleted).
        showing_chargers=select(PublishedCharger.integration_id, PublishedCharger.location_id).where(
            PublishedCharger.charger_id.in_(charger_ids)
        ),
        linking_tariffs=select(TariffLink.integration_id, TariffLink.location_id).where(
            TariffLink.tariff_id.in_(bindparam("tariff_ids", expanding=True))
        ),
    )


@dataclass(frozen=True, slots=True)
class _Reads:
    """`_Sources`' statements, their lists bound by name (expanding): every change a partner sees of a
    location (a socket's status, above all) reads them, and building them cost more than running them."""

    locations: Select
    rows: Select
    shown: Select
    site_chargers: Select
    picked: Select
    links: Select


@functools.cache
def _reads() -> _Reads:
    integration_ids = bindparam("integration_ids", expanding=True)
    location_ids = bindparam("location_ids", expanding=True)
    return _Reads(
        locations=select(IntegrationLocation).where(IntegrationLocation.id.in_(location_ids)),
        rows=select(PublishedDocument).where(
            PublishedDocument.module == LOCATIONS, PublishedDocument.integration_id.in_(integration_ids),
            PublishedDocument.object_id.in_(location_ids),
        ),
        shown=select(PublishedCharger.integration_id, PublishedCharger.location_id, PublishedCharger.charger_id).where(
            PublishedCharger.integration_id.in_(integration_ids), PublishedCharger.location_id.in_(location_ids)
        ),
        site_chargers=select(Charger).where(Charger.site_id.in_(bindparam("site_ids", expanding=True)))
        .order_by(Charger.charger_id),
        picked=select(IntegrationLocationCharger.location_id, Charger)
        .join(Charger, Charger.charger_id == IntegrationLocationCharger.charger_id)
        .where(IntegrationLocationCharger.location_id.in_(location_ids))
        .order_by(Charger.charger_id),
        links=select(TariffLink).where(TariffLink.location_id.in_(location_ids)).order_by(TariffLink.tariff_id),
    )


publisher = LocationsPublisher()
