"""Database engines and sessions: SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

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


def create_engine(url: str) -> AsyncEngine:
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
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **_JSON_CODEC)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session
