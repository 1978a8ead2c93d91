"""The tariffs publisher: each integration's linked, publishable tariffs as OCPI Tariff documents.

A tariff is affected when it changes or is deleted (the integrations linking it, and those that
published it). A tariff no longer published (unlinked, deleted, no longer publishable, nothing to say
in the partner's version) is withdrawn: no longer served, and DELETEd at the partner. What a document
could not carry of the tariff is kept with it (`warnings`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evroam.events import Change
from evroam.integrations.tariff_links.models import TariffLink
from evroam.ocpi.fitting import Fitting, PublicationWarning
from evroam.ocpi.locations.mapping import TariffRef
from evroam.ocpi.modules import DELETE, PUT, TARIFFS
from evroam.ocpi.protocol.envelope import ocpi_timestamp
from evroam.ocpi.tariffs.mapping import tariff_document
from evroam.publication.ledger import IntegrationLedger, content_hash, document_text, negotiated_version
from evroam.publication.models import PublishedDocument
from evroam.publication.publisher import Run, Wanted
from evroam.publication.spot_prices import known_spot_prices
from evroam.publication.stamps import STAMP
from evroam.tariffs.models import Tariff


class PublishedTariffs:
    """The tariffs each integration of a run publishes (linked, publishable, with something to say in
    its version): their documents, and the references locations make to them."""

    def __init__(self, run: Run) -> None:
        self.documents: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.refs: dict[tuple[str, str], TariffRef] = {}
        # What each document could not carry of the tariff (ocpi/fitting.py).
        self.warnings: dict[tuple[str, str], list[PublicationWarning]] = {}
        by_id = {integration.integration_id: integration for integration in run.integrations}
        excluded = frozenset().union(*(change.deleted_tariff_ids for change in run.changes))
        linked = run.session.execute(
            select(TariffLink.integration_id, Tariff)
            .join(Tariff, Tariff.id == TariffLink.tariff_id)
            .where(TariffLink.integration_id.in_(by_id))
            .distinct()
            .order_by(Tariff.id)
        ).all()
        spot = known_spot_prices(run.session, {tariff for _, tariff in linked}, run.now)
        for integration_id, tariff in linked:
            if tariff.id in excluded:
                continue
            integration = by_id[integration_id]
            party = run.ledgers[integration_id].party
            fitting = Fitting(negotiated_version(integration))
            document = tariff_document(tariff, party, fitting.version, spot.get(tariff.operator_id), fitting)
            if document is not None:
                self.documents[integration_id][tariff.id] = document
                self.warnings[(integration_id, tariff.id)] = fitting.warnings
                self.refs[(integration_id, tariff.id)] = TariffRef(
                    tariff.id, tariff.type, tariff.start_date_time, tariff.end_date_time
                )

    def of(self, integration_id: str) -> dict[str, dict[str, Any]]:
        return self.documents.get(integration_id, {})

    def ref(self, integration_id: str, tariff_id: str) -> TariffRef | None:
        return self.refs.get((integration_id, tariff_id))


class TariffsPublisher:
    def affected(self, session: Session, change: Change) -> Iterable[tuple[str, str]]:
        tariff_ids = change.tariff_ids | change.deleted_tariff_ids
        if not tariff_ids:
            return
        yield from session.execute(
            select(TariffLink.integration_id, TariffLink.tariff_id).where(TariffLink.tariff_id.in_(tariff_ids))
        )
        yield from session.execute(
            select(PublishedDocument.integration_id, PublishedDocument.object_id).where(
                PublishedDocument.module == TARIFFS, PublishedDocument.object_id.in_(tariff_ids)
            )
        )

    def refresh(self, run: Run, wanted: Wanted) -> None:
        published = run.derived(PublishedTariffs)
        for integration in run.integrations:
            if integration.integration_id in wanted:
                ledger = run.ledgers[integration.integration_id]
                _refresh(ledger, run, published, wanted[integration.integration_id])


def _refresh(ledger: IntegrationLedger, run: Run, published: PublishedTariffs, tariff_ids: set[str] | None) -> None:
    integration_id = ledger.integration.integration_id
    tariffs = published.of(integration_id)
    rows = ledger.rows(TARIFFS, tariff_ids)
    wanted = tariffs.keys() if tariff_ids is None else tariff_ids
    for tariff_id in sorted(set(wanted) | rows.keys()):
        row = rows.get(tariff_id)
        if tariff_id in tariffs:
            _publish(ledger, run, tariff_id, tariffs[tariff_id], row, published.warnings[(integration_id, tariff_id)])
        elif row is not None and not row.removed:
            ledger.withdraw(row, run.now)
            ledger.push(TARIFFS, tariff_id, DELETE, tariff_id, None)


def _publish(
    ledger: IntegrationLedger,
    run: Run,
    tariff_id: str,
    content: dict[str, Any],
    row: PublishedDocument | None,
    warnings: list[PublicationWarning],
) -> None:
    digest = content_hash(content)
    live = row is not None and not row.removed
    if live and row.version == ledger.version and row.content_hash == digest:
        ledger.note(row, warnings)
        return
    if live and row.version != ledger.version:
        # The partner's version changed, not the tariff: same stamp, nothing to push.
        stamped = {**content, STAMP: ocpi_timestamp(row.last_updated)}
        ledger.store(row, stamped, digest, row.last_updated, warnings=warnings)
        return
    document = {**content, STAMP: run.now_text}
    ledger.store(row or ledger.new_row(TARIFFS, tariff_id), document, digest, run.now, warnings=warnings)
    ledger.push(TARIFFS, tariff_id, PUT, tariff_id, document_text(document))


publisher = TariffsPublisher()
