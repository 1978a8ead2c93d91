"""Row locks for use cases that read a row, decide, and write: the next writer of that row waits until
this transaction ends, then reads what it committed.

Without them, two PATCHes of one tariff each read it, change one field, and compute the document
partners receive from what they read: the stored row ends with both changes, the published document
with one. A site deletion that checked "no location uses it" could commit after a location creation
that checked "the site exists".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Update, select, update
from sqlalchemy.ext.asyncio import AsyncSession

Model = TypeVar("Model")


async def locked_row(session: AsyncSession, model: type[Model], *conditions: ColumnElement[bool]) -> Model | None:
    """The row matching `conditions`, read fresh and locked until the transaction ends (None: no such row).

    PostgreSQL locks the row (SELECT ... FOR UPDATE). SQLite has no row locks, only the database's one
    write lock, which a transaction takes at its first write: an UPDATE that changes nothing takes it
    before the read, so the read sees every write committed before and none until this one commits.
    """
    if _takes_write_lock(session):
        await session.execute(_write_lock(model, *conditions))
    return await session.scalar(_read(model, *conditions))


@dataclass(frozen=True, slots=True)
class RowLock:
    """`locked_row`'s statements, which a hot path builds once with `bindparam` conditions and runs with
    their values (`read_locked`)."""

    take_write_lock: Update
    read: Select

    @classmethod
    def of(cls, model: type, *conditions: ColumnElement[bool]) -> RowLock:
        return cls(_write_lock(model, *conditions), _read(model, *conditions))


async def read_locked(session: AsyncSession, lock: RowLock, values: dict[str, Any] | None = None) -> Any:
    if _takes_write_lock(session):
        await session.execute(lock.take_write_lock, values)
    return await session.scalar(lock.read, values)


def _takes_write_lock(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _write_lock(model: type, *conditions: ColumnElement[bool]) -> Update:
    return update(model).where(*conditions).values(_unchanged(model)).execution_options(synchronize_session=False)


def _read(model: type, *conditions: ColumnElement[bool]) -> Select:
    return select(model).where(*conditions).with_for_update().execution_options(populate_existing=True)


def _unchanged(model: type) -> dict[Any, Any]:
    """Each key column set to itself, and each column with an `onupdate` too, which would move otherwise."""
    table = model.__table__  # type: ignore[attr-defined]
    return {column: column for column in table.columns if column.primary_key or column.onupdate is not None}
