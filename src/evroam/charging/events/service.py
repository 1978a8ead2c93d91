"""Charger events in: checked as a whole batch, stored once per (charger, eventId), and read back in event
time for the sessions they make and the socket statuses they set."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CompoundSelect, Row, Select, and_, bindparam, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from evroam.charging.events.models import ChargerEvent
from evroam.charging.events.schemas import ChargerEventIn, StatusChanged
from evroam.database.held import kept
from evroam.database.upsert import upsert_for
from evroam.errors import FieldProblem, InvalidDocument, NotFound
from evroam.network.chargers import service as charger_service
from evroam.network.chargers.models import Charger
from evroam.network.chargers.schemas import SocketUpdate
from evroam.network.operators.models import Operator
from evroam.network.sites.models import Site

_table = ChargerEvent.__table__
# Kept in their own columns (what events are found by), not in the payload.
_COLUMNS = {"event_id", "type", "time", "socket_id", "transaction_id"}


@dataclass(frozen=True, slots=True)
class Stored:
    """What a batch left: each event's result in the batch's order, and the events that were new."""

    results: list[tuple[str, str]]
    accepted: list[ChargerEventIn]


async def charger(session: AsyncSession, operator_id: int, charger_id: str) -> Charger:
    """The charger with its sockets, and its site and operator in the session's identity map, in one
    statement: the sessions its events rebuild need all of them (`session.get` then finds them there)."""
    found = (await session.execute(_charger_statement(), {"charger_id": charger_id, "operator_id": operator_id})
             ).unique().first()
    if found is None:
        raise NotFound(f"Charger {charger_id}")
    kept(session.sync_session, found.Site, found.Operator)
    return found.Charger


def check_sockets(found: Charger, events: Sequence[ChargerEventIn]) -> None:
    """Every socket an event names is one of the charger's: all the problems at once, before anything is
    stored."""
    sockets = {socket.socket_id for socket in found.sockets}
    problems = [
        FieldProblem(f"events.{index}.socketId", f"charger {found.charger_id} has no socket {event.socket_id}")
        for index, event in enumerate(events)
        if getattr(event, "socket_id", None) is not None and event.socket_id not in sockets  # type: ignore[union-attr]
    ]
    if problems:
        raise InvalidDocument(problems)


async def store(session: AsyncSession, charger_id: str, events: Sequence[ChargerEventIn]) -> Stored:
    """Inserts the events the charger has not sent before; a repeated eventId (in an earlier batch, in a
    batch posted at the same time, or twice in this one) is a duplicate, whatever its content."""
    first_of_batch: dict[str, ChargerEventIn] = {}
    for event in events:
        first_of_batch.setdefault(event.event_id, event)
    rows = [_row(charger_id, event) for event in first_of_batch.values()]
    insert = upsert_for(session.get_bind())(_table)
    # The unique (charger_id, event_id) decides: of two transactions inserting the same event, the second
    # waits for the first and inserts nothing.
    statement = insert.values(rows).on_conflict_do_nothing(index_elements=["charger_id", "event_id"])
    inserted = set(await session.scalars(statement.returning(_table.c.event_id)))
    accepted = [event for event in first_of_batch.values() if event.event_id in inserted]
    results = []
    for event in events:
        new = event.event_id in inserted and first_of_batch.get(event.event_id) is event
        results.append((event.event_id, "accepted" if new else "duplicate"))
        if new:
            del first_of_batch[event.event_id]  # a second copy in this batch is a duplicate
    return Stored(results, accepted)


async def apply_statuses(session: AsyncSession, found: Charger, accepted: Sequence[ChargerEventIn]) -> None:
    """Sets each socket to its latest reported status (by event time, then arrival), through the socket
    service, so the EVSE statuses reach partners as any socket change does; a late event reporting an
    older status changes nothing."""
    socket_ids = sorted({event.socket_id for event in accepted if isinstance(event, StatusChanged)})
    for socket_id in socket_ids:
        latest = await session.scalar(
            select(ChargerEvent.payload)
            .where(ChargerEvent.charger_id == found.charger_id, ChargerEvent.socket_id == socket_id,
                   ChargerEvent.type == "StatusChanged")
            .order_by(ChargerEvent.time.desc(), ChargerEvent.id.desc())
            .limit(1)
        )
        body = SocketUpdate.model_validate({"status": latest["status"]})
        await charger_service.change_socket(session, found.operator_id, found.charger_id, socket_id, body)


async def session_rows(session: AsyncSession, charger_id: str, transaction_id: str) -> Sequence[Row]:
    """A transaction's events, and its socket's statuses from its start on (what tells its charging from
    its parking), in one round trip: (id, type, time, socket_id, payload) rows, in no given order.

    Plain rows, not ORM objects: a long session's hundreds of events are read again on every event."""
    values = {"charger_id": charger_id, "transaction_id": transaction_id}
    return (await session.execute(_session_rows_statement(), values)).all()


# The statements of every event, built once (their cache keys with them): building one costs more
# than running it.
@functools.cache
def _charger_statement() -> Select:
    return (
        select(Charger, Site, Operator)
        .join(Site, Site.id == Charger.site_id)
        .join(Operator, Operator.id == Charger.operator_id)
        .where(Charger.charger_id == bindparam("charger_id"), Charger.operator_id == bindparam("operator_id"))
        .options(joinedload(Charger.sockets))
    )


@functools.cache
def _session_rows_statement() -> CompoundSelect:
    charger_id, transaction_id = bindparam("charger_id"), bindparam("transaction_id")
    columns = (_table.c.id, _table.c.type, _table.c.time, _table.c.socket_id, _table.c.payload)
    # StatusChanged events name no transaction: they are the socket's, from the (first) start on.
    started = (
        select(_table.c.socket_id, _table.c.time)
        .where(_table.c.charger_id == charger_id, _table.c.transaction_id == transaction_id,
               _table.c.type == "SessionStarted")
        .order_by(_table.c.time, _table.c.id)
        .limit(1)
        .subquery()
    )
    own = select(*columns).where(_table.c.charger_id == charger_id, _table.c.transaction_id == transaction_id)
    statuses = select(*columns).join(started, and_(
        _table.c.socket_id == started.c.socket_id, _table.c.time > started.c.time,
    )).where(_table.c.charger_id == charger_id, _table.c.type == "StatusChanged")
    return union_all(own, statuses)


def _row(charger_id: str, event: ChargerEventIn) -> dict[str, Any]:
    rest = event.model_dump(by_alias=True, exclude_none=True, exclude=_COLUMNS)
    return {
        "charger_id": charger_id,
        "event_id": event.event_id,
        "type": event.type,
        "time": event.time,
        "socket_id": getattr(event, "socket_id", None),
        "transaction_id": getattr(event, "transaction_id", None),
        # Decimals as text: JSON numbers would go through floats.
        "payload": {name: str(value) if isinstance(value, Decimal) else value for name, value in rest.items()},
    }
