"""A pooled PostgreSQL connection the server dropped (a restart, a failover, an idle timeout) is replaced
before a transaction uses it (the engine pings a connection that sat idle), instead of failing the request
that draws it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from evroam.database import engine as engine_module
from evroam.database.engine import create_engine


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    return database_url


async def test_a_connection_the_server_dropped_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.2)
    engine, killer = create_engine(postgres_url), create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            dropped = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with killer.connect() as connection:
            assert await connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        await asyncio.sleep(0.3)  # idle long enough to be pinged
        async with engine.connect() as connection:  # the pool's one connection is the dropped one
            replacement = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert replacement != dropped
    finally:
        await engine.dispose()
        await killer.dispose()
