"""What must hold before evroam serves: a current schema, the default operator, the bootstrap key, and
every read model built.

Several processes may start at once against one PostgreSQL database (`evroam serve --workers N`, or
several hosts): bootstrap runs under a transaction-level advisory lock, so each starter finds what the
one before it committed instead of adding a second default operator."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from evroam.database import migrate
from evroam.database.engine import is_sqlite
from evroam.integrations.details import read_model as details_read_model
from evroam.network.operators import service as operator_service
from evroam.runtime import Runtime

# The advisory lock key of bootstrap (any bigint, the same in every evroam process): "evroam" in ASCII.
_BOOTSTRAP_LOCK = 0x6576726F616D


class SchemaOutOfDate(RuntimeError):
    pass


async def prepare_database(runtime: Runtime) -> None:
    url = runtime.settings.resolved_database_url()
    if is_sqlite(url):
        # The embedded database belongs to this process: keep it current without a separate step.
        if url.startswith("sqlite+aiosqlite:///") and ":memory:" not in url:
            runtime.settings.ensure_var_dir()
        await asyncio.to_thread(migrate.upgrade, url)
        return
    await check_schema(runtime.engine)


async def check_schema(engine: AsyncEngine) -> None:
    """Raises SchemaOutOfDate unless the database is at this evroam's newest migration (reads only)."""
    current = await migrate.current_revision(engine)
    head = migrate.head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"the database schema is at {current or 'nothing'}, this evroam needs {head}: "
            "run `evroam db upgrade` first"
        )


async def bootstrap(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        if not is_sqlite(runtime.settings.resolved_database_url()):
            await _one_starter_at_a_time(session)
        operator = await operator_service.default_operator(session, runtime.settings)
        if runtime.settings.bootstrap_api_key:
            await operator_service.ensure_api_key(
                session, operator.id, runtime.settings.bootstrap_api_key, "bootstrap"
            )
        # Locations written before the details read model existed (migration 0003) get their texts now
        # (committed with the rest when there were any).
        await details_read_model.build_missing(session)
        await session.commit()


async def _one_starter_at_a_time(session: AsyncSession) -> None:
    """PostgreSQL: held until the session's transaction ends; each later statement (read committed) sees
    what the starter before committed. SQLite needs none: `evroam serve` refuses workers on it."""
    await session.execute(select(func.pg_advisory_xact_lock(_BOOTSTRAP_LOCK)))
