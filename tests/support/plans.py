"""PostgreSQL's plan for a statement, for the tests that keep a hot read on its index."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable


async def postgres_plan(session: AsyncSession, statement: Executable) -> str:
    """EXPLAIN's text for the statement with its parameters written in (they must all have values)."""
    sql = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return "\n".join(await session.scalars(text(f"EXPLAIN {sql}")))
