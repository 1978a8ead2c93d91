"""Database engines and sessions: SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# PostgreSQL connections kept open per process, and as many again opened for bursts. Each request and the
# delivery worker's claims hold one for a transaction; a burst beyond the kept ones opened and closed a
# connection per transaction (connect, TLS attempt, authentication) when this was 10.
DEFAULT_POOL_SIZE = 20


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _json_serializer(value: Any) -> str:
    return orjson.dumps(value).decode()


# orjson for JSON columns: the details view and the ledger read many of them per request.
_JSON_CODEC = {"json_serializer": _json_serializer, "json_deserializer": orjson.loads}


def _create_private_file(url: str) -> None:
    """The embedded database holds hashed keys and encrypted partner secrets: a file SQLite would create
    readable by everyone (umask 022) is created first, for its owner alone. SQLite gives its -wal and
    -shm files the database file's mode."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def create_engine(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> AsyncEngine:
    if is_sqlite(url):
        _create_private_file(url)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **_JSON_CODEC)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, **_JSON_CODEC)
    _ping_when_idle(engine)
    return engine


# A connection back in the pool for less than this is taken as alive: pinging every checkout cost a round
# trip per transaction (5% of the server's time in bench_commands.py), while a server restart or a
# network cut shows first on connections that sat idle.
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Pessimistic disconnect handling, as `pool_pre_ping` does, for connections that sat idle: a dead one is
    replaced before the session that checked it out uses it (the pool retries on DisconnectionError)."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # what a dead connection raises depends on the driver and the failure
            raise DisconnectionError(f"idle connection failed its ping: {error}") from error


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session
