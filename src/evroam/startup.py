"""What must hold before evroam serves: a current schema, the default operator, the bootstrap key, and
every read model built."""

from __future__ import annotations

import asyncio

from evroam.database import migrate
from evroam.database.engine import is_sqlite
from evroam.integrations.details import read_model as details_read_model
from evroam.network.operators import service as operator_service
from evroam.runtime import Runtime


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
    current = await migrate.current_revision(runtime.engine)
    head = migrate.head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"the database schema is at {current or 'nothing'}, this evroam needs {head}: "
            "run `evroam db upgrade` first"
        )


async def bootstrap(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        operator = await operator_service.default_operator(session, runtime.settings)
        if runtime.settings.bootstrap_api_key:
            await operator_service.ensure_api_key(
                session, operator.id, runtime.settings.bootstrap_api_key, "bootstrap"
            )
        await session.commit()
        # Locations written before the details read model existed (migration 0003) get their texts now.
        await details_read_model.build_missing(session)
