"""The publication ledger: per integration and OCPI module, the documents its partner sees.

Reads (`published_page`, `published_document`) serve the stored documents as bytes, straight from the
database, to the Sender interfaces. Writes go through an `IntegrationLedger`, which the publishers
(`publication/locations.py`, `publication/tariffs.py`, driven by `publication/hook.py`) use to store
documents, queue their pushes in the outbox and keep the per-module totals that list pages announce.
Which rows are served follows the module's registry entry (`ocpi/modules.py`): withdrawn locations
stay listed, every EVSE REMOVED (OCPI never deletes one); a withdrawn tariff is no longer served.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    BindParameter,
    Integer,
    LargeBinary,
    Select,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from evroam.database.upsert import upsert_for
from evroam.delivery.outbox import enqueue, pushes_to
from evroam.integrations.models import Integration
from evroam.ocpi import modules
from evroam.ocpi.fitting import PublicationWarning
from evroam.ocpi.locations.mapping import Party
from evroam.ocpi.modules import V221, implementation_of
from evroam.publication.models import PublishedDocument, PublishedTotal


def negotiated_version(integration: Integration) -> str:
    """The shape documents take for this partner: our implementation of its version, 2.2.1 while unknown."""
    return implementation_of(integration.ocpi_version) or V221


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


@functools.cache
def _rows_statement(given_objects: bool) -> Select:
    """Ledger rows of a module, all or given ones; built once: every publication reads them."""
    query = select(PublishedDocument).where(
        PublishedDocument.integration_id == bindparam("integration_id"), PublishedDocument.module == bindparam("module")
    )
    if given_objects:
        query = query.where(PublishedDocument.object_id.in_(bindparam("object_ids", expanding=True)))
    return query


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
    """The rows served: withdrawn ones too where the module keeps them (locations: every EVSE REMOVED)."""
    where = [PublishedDocument.integration_id == integration_id, PublishedDocument.module == module]
    if not modules.module(module).keeps_withdrawn:
        where.append(PublishedDocument.removed.is_(False))
    return where


def _is_served(module: str, removed: bool) -> bool:
    """The rule of `_served` for one row."""
    return not removed or modules.module(module).keeps_withdrawn


class IntegrationLedger:
    """One integration's documents as a commit rewrites them: rows stored, pushes queued, and the
    modules whose set of served documents changed, whose totals are recounted before commit."""

    def __init__(self, session: Session, integration: Integration, party: Party) -> None:
        self.session = session
        self.integration = integration
        self.version = negotiated_version(integration)
        self.party = party
        self.recount: set[str] = set()
        self._pushes: dict[str, bool] = {}

    def rows(self, module: str, object_ids: set[str] | None) -> dict[str, PublishedDocument]:
        values = {"integration_id": self.integration.integration_id, "module": module}
        if object_ids is not None:
            values["object_ids"] = list(object_ids)
        return {row.object_id: row for row in self.session.scalars(_rows_statement(object_ids is not None), values)}

    def new_row(self, module: str, object_id: str) -> PublishedDocument:
        row = PublishedDocument(integration_id=self.integration.integration_id, module=module, object_id=object_id)
        self.session.add(row)
        return row

    def store(
        self,
        row: PublishedDocument,
        document: dict[str, Any],
        digest: str,
        last_updated: datetime,
        removed: bool = False,
        warnings: Sequence[PublicationWarning] = (),
    ) -> None:
        # A new row has no `removed` until it is inserted.
        was_served = row.removed is not None and _is_served(row.module, row.removed)
        if _is_served(row.module, removed) != was_served:
            self.recount.add(row.module)
        row.version = self.version
        row.document = document_text(document)
        row.content_hash = digest
        row.last_updated = last_updated
        row.removed = removed
        self.note(row, warnings)

    @staticmethod
    def note(row: PublishedDocument, warnings: Sequence[PublicationWarning]) -> None:
        """Keeps what the document could not carry: also when the document itself did not change (a text
        cut to the same words can have been given longer or shorter)."""
        noted = [warning.as_json() for warning in warnings]
        if row.warnings != noted:
            row.warnings = noted

    def withdraw(self, row: PublishedDocument, last_updated: datetime) -> None:
        """Marks a row withdrawn, its document as it was."""
        if _is_served(row.module, True) != _is_served(row.module, row.removed):
            self.recount.add(row.module)
        row.removed = True
        row.last_updated = last_updated
        self.note(row, ())

    def record_totals(self) -> None:
        """Recounts the totals whose documents changed, each under its row's lock: of two concurrent
        publishers of one integration on PostgreSQL, the second waits there until the first commits, and
        its count, a new statement, sees the first one's rows. (Counting before locking, both could count
        without the other's rows and the last to write would win.)"""
        integration_id = self.integration.integration_id
        insert = upsert_for(self.session.get_bind())
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

    def push(self, module: str, object_id: str, method: str, subpath: str, body: str | None) -> None:
        """Queues a push of the object to the partner, when it takes this module's pushes."""
        if module not in self._pushes:
            self._pushes[module] = pushes_to(self.integration, module)
        if self._pushes[module]:
            path = modules.module(module).pushes.kind.path(self.party.country_code, self.party.party_id, subpath)
            enqueue(self.session, self.integration.integration_id, module, object_id, method, path, body)

    def push_again(self, module: str, since: datetime | None) -> int:
        """Queues again, whole, every document of `module` the partner is served (a withdrawn location
        as stored, every EVSE REMOVED; never a withdrawn tariff) last updated at or after `since`, in
        publication order; returns how many. Read a batch at a time: a ledger holds tens of thousands."""
        method = modules.module(module).pushes.kind.whole_document_method
        where = _served(self.integration.integration_id, module)
        if since is not None:
            where.append(PublishedDocument.last_updated >= since)
        queued, after = 0, 0
        while True:
            rows = self.session.execute(
                select(PublishedDocument.id, PublishedDocument.object_id, PublishedDocument.document)
                .where(*where, PublishedDocument.id > after)
                .order_by(PublishedDocument.id)
                .limit(_PUSH_AGAIN_BATCH)
            ).all()
            for row in rows:
                self.push(module, row.object_id, method, row.object_id, row.document)
            queued += len(rows)
            if len(rows) < _PUSH_AGAIN_BATCH:
                return queued
            after = rows[-1].id


_PUSH_AGAIN_BATCH = 500


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def document_text(document: dict[str, Any]) -> str:
    return orjson.dumps(document).decode()
