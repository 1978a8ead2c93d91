"""The sessions publisher: each charging session, in the shape of its integration's version, for the
partner whose token pays for it.

What a partner sees of a session that is still going carries its closed charging periods only: the
last one grows with every meter value until the next one begins, and a period once sent is never sent
again (a PATCH of `charging_periods` appends, ocpi-notes §10.4). So, as hubs expect
(charging-notes "Sessions"):

* a session is PUT whole the first time the partner hears of it;
* then PATCHed with the fields that changed (`kwh`, `total_cost`, `status`, ...), `charging_periods`
  carrying only the periods closed since, and `last_updated`;
* PUT whole again when it ends (COMPLETED or INVALID, every period included), and whenever a PATCH
  cannot say the change: a field that disappeared, or an earlier period that changed because events
  arrived late.

A session attributed to nobody, or that the partner's version cannot say (a 2.1.1 partner: RESERVATION,
or a location it was never shown), is not published; OCPI deletes no session, so nothing is withdrawn
at the partner. A version change re-renders in place, silently.

A Change of the integration itself recomputes its open sessions, and those stored in another version;
the finished ones in the current version are records and stay as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from evroam.charging.sessions.models import ChargingSession
from evroam.database.held import by_keys
from evroam.events import Change
from evroam.ocpi.fitting import Fitting
from evroam.ocpi.modules import PATCH, PUT, SESSIONS
from evroam.ocpi.sessions.mapping import session_document
from evroam.publication.ledger import IntegrationLedger, content_hash, document_text
from evroam.publication.models import PublishedDocument
from evroam.publication.shown_locations import LocationsShown
from evroam.publication.publisher import Run, Wanted
from evroam.publication.stamps import STAMP, without_stamp

# A session in one of these statuses changes no more: the partner gets it whole.
FINAL_STATUSES = frozenset({"COMPLETED", "INVALID"})
_OPEN_STATUSES = ("PENDING", "ACTIVE", "RESERVATION")
_PERIODS = "charging_periods"


class SessionsPublisher:
    def affected(self, session: Session, change: Change) -> Iterable[tuple[str, str]]:
        if not change.session_ids:
            return
        for charging in by_keys(session, ChargingSession, change.session_ids):
            if charging.integration_id is not None:
                yield charging.integration_id, charging.id
        # Published before to another integration (the session was attributed again).
        yield from session.execute(_published_anywhere(), {"session_ids": list(change.session_ids)})

    def refresh(self, run: Run, wanted: Wanted) -> None:
        for integration in run.integrations:
            if integration.integration_id in wanted:
                _refresh(run.ledgers[integration.integration_id], run, wanted[integration.integration_id])


@functools.cache
def _published_anywhere() -> Select:
    """Built once: every change of a session asks it."""
    return select(PublishedDocument.integration_id, PublishedDocument.object_id).where(
        PublishedDocument.module == SESSIONS, PublishedDocument.object_id.in_(bindparam("session_ids", expanding=True))
    )


def _refresh(ledger: IntegrationLedger, run: Run, session_ids: set[str] | None) -> None:
    sessions = _sessions(ledger, session_ids)
    rows = ledger.rows(SESSIONS, set(sessions) if session_ids is None else session_ids)
    shown = LocationsShown(ledger, {charging.document["location_id"] for charging in sessions.values()})
    for session_id in sorted(sessions.keys() | rows.keys()):
        row, charging = rows.get(session_id), sessions.get(session_id)
        fitting = Fitting(ledger.version)
        document = None
        if charging is not None:
            location = shown.of(charging.document["location_id"])
            document = session_document(_partner_view(charging.document), ledger.version, location, fitting)
        if document is None:
            if row is not None and not row.removed:
                ledger.withdraw(row, run.now)  # no longer this partner's to see; OCPI has no DELETE of it
            continue
        _publish(ledger, charging, document, row, fitting)


def _sessions(ledger: IntegrationLedger, session_ids: set[str] | None) -> dict[str, ChargingSession]:
    """The integration's sessions to publish: the wanted ones, or its open ones and those stored in
    another version."""
    integration_id = ledger.integration.integration_id
    if session_ids is not None:
        wanted = by_keys(ledger.session, ChargingSession, session_ids)
        return {charging.id: charging for charging in wanted
                if charging.integration_id == integration_id and charging.document is not None}
    query = select(ChargingSession).where(
        ChargingSession.integration_id == integration_id, ChargingSession.document.is_not(None)
    )
    stale = select(PublishedDocument.object_id).where(
        PublishedDocument.integration_id == integration_id, PublishedDocument.module == SESSIONS,
        PublishedDocument.version != ledger.version,
    )
    query = query.where(or_(ChargingSession.status.in_(_OPEN_STATUSES), ChargingSession.id.in_(stale)))
    return {charging.id: charging for charging in ledger.session.scalars(query)}


def _partner_view(document: dict[str, Any]) -> dict[str, Any]:
    """The session as a partner is told it: while it goes on, without the period still growing."""
    if document["status"] in FINAL_STATUSES or not document.get(_PERIODS):
        return document
    return {**document, _PERIODS: document[_PERIODS][:-1]}


def _publish(
    ledger: IntegrationLedger, charging: ChargingSession, document: dict[str, Any], row: PublishedDocument | None,
    fitting: Fitting,
) -> None:
    digest = content_hash(without_stamp(document))
    live = row is not None and not row.removed
    if live and row.version == ledger.version and row.content_hash == digest:
        ledger.note(row, fitting.warnings)
        return
    if live and row.version != ledger.version:
        # The partner's version changed, not the session: nothing to push.
        ledger.store(row, document, digest, row.last_updated, warnings=fitting.warnings)
        return
    patch = _patch(orjson.loads(row.document), document) if live else None
    ledger.store(row or ledger.new_row(SESSIONS, charging.id), document, digest, charging.last_updated,
                 warnings=fitting.warnings)  # fmt: skip
    if patch is None:
        ledger.push(SESSIONS, charging.id, PUT, charging.id, document_text(document))
    else:
        ledger.push(SESSIONS, charging.id, PATCH, charging.id, document_text(patch))


def _patch(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """The PATCH that turns what the partner holds into `after`, or None when only a PUT can: the session
    ended, a field went away, or a period already sent changed."""
    if after["status"] in FINAL_STATUSES or before.keys() - after.keys():
        return None
    sent, periods = before.get(_PERIODS) or [], after.get(_PERIODS) or []
    if periods[: len(sent)] != sent:
        return None
    patch = {key: value for key, value in after.items() if key not in (_PERIODS, STAMP) and before.get(key) != value}
    if len(periods) > len(sent):
        patch[_PERIODS] = periods[len(sent):]
    return patch | {STAMP: after[STAMP]}


publisher = SessionsPublisher()
