"""Rows a transaction already holds are not read again (`database/held.py`): kept rows outlive the use case
that loaded them until the transaction ends, and `by_keys` reads only what is not held."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.held import by_keys, kept
from evroam.network.operators.models import Operator
from evroam.runtime import Runtime


@contextmanager
def statements(session: AsyncSession) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def record(_connection, _cursor, statement, *_rest) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def two_operators(runtime: Runtime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        operators = [Operator(country_code="NL", party_id=party, name=party) for party in ("AAA", "BBB")]
        session.add_all(operators)
        await session.commit()
        return operators[0].id, operators[1].id


async def load_and_keep(session: AsyncSession, operator_id: int, keep: bool) -> None:
    """A use case that reads an operator and is done with it."""
    found = await session.scalar(select(Operator).where(Operator.id == operator_id))
    if keep:
        kept(session.sync_session, found)


async def test_a_kept_row_is_not_read_again_and_the_others_in_one_statement(runtime: Runtime) -> None:
    first, second = await two_operators(runtime)
    async with runtime.sessions() as session:
        await load_and_keep(session, first, keep=True)
        await load_and_keep(session, second, keep=False)
        gc.collect()  # the identity map holds rows weakly: the second is gone, the first kept
        with statements(session) as seen:
            held = await session.run_sync(by_keys, Operator, [first])
        assert [operator.party_id for operator in held] == ["AAA"] and seen == [], "kept: no statement"
        with statements(session) as seen:
            found = await session.run_sync(by_keys, Operator, [first, second, second])
        assert sorted(operator.party_id for operator in found) == ["AAA", "BBB"]
        assert len(seen) == 1, "the one not held is read, in one statement"


async def test_kept_rows_are_let_go_when_the_transaction_ends(runtime: Runtime) -> None:
    first, _ = await two_operators(runtime)
    async with runtime.sessions() as session:
        await load_and_keep(session, first, keep=True)
        await session.commit()
        gc.collect()
        with statements(session) as seen:
            found = await session.run_sync(by_keys, Operator, [first])
        assert [operator.id for operator in found] == [first]
        assert len(seen) == 1, "the next transaction reads it afresh"


async def test_an_expired_or_deleted_row_is_read_from_the_database(runtime: Runtime) -> None:
    first, second = await two_operators(runtime)
    async with runtime.sessions() as session:
        await load_and_keep(session, first, keep=True)
        await load_and_keep(session, second, keep=True)
        held = await session.get(Operator, first)
        session.expire(held)
        await session.delete(await session.get(Operator, second))
        with statements(session) as seen:
            found = await session.run_sync(by_keys, Operator, [first, second])
        assert [operator.id for operator in found] == [first], "the deleted one is gone, the expired one read"
        assert any("operators" in statement for statement in seen)
