"""The decision log's writer: group commit.

Decisions arrive by the thousand per second; a transaction each would make the commit (an fsync on
SQLite, a round trip and a WAL flush on PostgreSQL) the cost of every decision. A decision waits in a
queue; one writer task at a time inserts everything queued in one statement and one commit, then wakes
each waiting request with its row as stored. A request answers only once its row is committed, so
nothing answered is lost; the writer stops when the queue is empty and the next decision starts one.

A batch that breaks a constraint is written again row by row: an eMSP that gives an
`authorization_reference` already stored (its own reuse, or another eMSP's) gets an evroam reference
instead, said in the reason, rather than failing the decision or its batch.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from evroam.charging.authorization.models import Authorization

# Bounds one statement's parameters (PostgreSQL allows 65,535, 15 columns a row).
MAX_BATCH = 500

_table = Authorization.__table__
_logs: WeakKeyDictionary[AsyncEngine, DecisionLog] = WeakKeyDictionary()


def new_reference() -> str:
    return str(uuid.uuid4())


def decision_log(engine: AsyncEngine) -> DecisionLog:
    """The one writer of a database in this process."""
    log = _logs.get(engine)
    if log is None:
        log = _logs[engine] = DecisionLog(engine)
    return log


class _Pending:
    __slots__ = ("row", "theirs", "future")

    def __init__(self, row: dict[str, Any], theirs: bool) -> None:
        self.row = row
        self.theirs = theirs
        self.future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()


class DecisionLog:
    def __init__(self, engine: AsyncEngine) -> None:
        # Core on the engine: plain inserts of plain rows, nothing for a session to track.
        self._engine = engine
        self._queue: list[_Pending] = []
        self._writer: asyncio.Task | None = None

    async def record(self, row: dict[str, Any], reference_is_theirs: bool) -> dict[str, Any]:
        """Stores `row` (Authorization's columns) and gives it back as stored, once committed."""
        pending = _Pending(row, reference_is_theirs)
        self._queue.append(pending)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        # Shielded: a caller that goes away leaves its row to be written, and the batch unharmed.
        return await asyncio.shield(pending.future)

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                await self._write(batch)
            except Exception as exc:  # noqa: BLE001 - each waiting request gets the failure as its own
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)

    async def _write(self, batch: list[_Pending]) -> None:
        try:
            async with self._engine.begin() as connection:
                await connection.execute(insert(_table), [pending.row for pending in batch])
        except IntegrityError:
            for pending in batch:
                await self._write_one(pending)
            return
        for pending in batch:
            pending.future.set_result(pending.row)

    async def _write_one(self, pending: _Pending) -> None:
        row = pending.row
        try:
            await self._insert(row)
        except IntegrityError as exc:
            if not pending.theirs:
                pending.future.set_exception(exc)
                return
            theirs = row["authorization_reference"]
            row = {
                **row,
                "authorization_reference": new_reference(),
                "reason": f"{row['reason']} Its authorization_reference {theirs} was already taken by an earlier "
                "decision, so evroam gave this one its own.",
            }
            try:
                await self._insert(row)
            except IntegrityError as again:
                pending.future.set_exception(again)
                return
        pending.future.set_result(row)

    async def _insert(self, row: dict[str, Any]) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(insert(_table), [row])
