"""The Alembic migrations build exactly the schema the models declare, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from evroam.database.models import metadata

SYNC_DRIVERS = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql+psycopg"}


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    url = make_url(database_url)
    engine = create_engine(url.set(drivername=SYNC_DRIVERS[url.drivername]))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == [], "a model changed without a migration (or the reverse)"
