"""The CDRs publisher: each CDR evroam issues, in the shape of its integration's version, stored for the
partner's pulls and POSTed to it once (a POSTED_ONCE delivery: never superseded, never sent again).

A CDR never changes once issued (a correction is a credit CDR and a new one, each published in turn),
so a CDR already in the ledger is left alone unless the partner's version changed, when it is re-rendered
in place, silently. A CDR the partner's version cannot say (a credit CDR to 2.1.1) is not published.
A Change of the integration itself recomputes only the CDRs stored in another version.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from evroam.charging.cdrs.models import Cdr
from evroam.events import Change
from evroam.ocpi.cdrs.mapping import cdr_document
from evroam.ocpi.fitting import Fitting
from evroam.ocpi.modules import CDRS, POST
from evroam.publication.ledger import IntegrationLedger, content_hash, document_text
from evroam.publication.models import PublishedDocument
from evroam.publication.publisher import Run, Wanted
from evroam.publication.shown_locations import LocationsShown


class CdrsPublisher:
    def affected(self, session: Session, change: Change) -> Iterable[tuple[str, str]]:
        if change.cdr_ids:
            yield from session.execute(select(Cdr.integration_id, Cdr.id).where(Cdr.id.in_(change.cdr_ids)))

    def refresh(self, run: Run, wanted: Wanted) -> None:
        for integration in run.integrations:
            if integration.integration_id in wanted:
                _refresh(run.ledgers[integration.integration_id], wanted[integration.integration_id])


def _refresh(ledger: IntegrationLedger, cdr_ids: set[str] | None) -> None:
    integration_id = ledger.integration.integration_id
    query = select(Cdr).where(Cdr.integration_id == integration_id).order_by(Cdr.created_at, Cdr.id)
    if cdr_ids is None:
        query = query.where(Cdr.id.in_(
            select(PublishedDocument.object_id).where(
                PublishedDocument.integration_id == integration_id, PublishedDocument.module == CDRS,
                PublishedDocument.version != ledger.version,
            )
        ))  # fmt: skip
    else:
        query = query.where(Cdr.id.in_(cdr_ids))
    cdrs = ledger.session.scalars(query).all()
    rows = ledger.rows(CDRS, {cdr.id for cdr in cdrs})
    shown = LocationsShown(ledger, {cdr.document["cdr_location"]["id"] for cdr in cdrs})
    for cdr in cdrs:
        row = rows.get(cdr.id)
        if row is not None and row.version == ledger.version:
            continue  # issued once, never changed
        fitting = Fitting(ledger.version)
        document = cdr_document(cdr.document, ledger.version, shown.of(cdr.document["cdr_location"]["id"]), fitting)
        if document is None:
            continue
        ledger.store(row or ledger.new_row(CDRS, cdr.id), document, content_hash(document), cdr.created_at,
                     warnings=fitting.warnings)  # fmt: skip
        if row is None:
            ledger.push(CDRS, cdr.id, POST, cdr.id, document_text(document))


publisher = CdrsPublisher()
