"""Shared fixtures: every storage test runs on SQLite and, when EVROAM_TEST_DATABASE_URL is set, PostgreSQL.

Each pytest process migrates one template per engine (the real Alembic migrations), then gives every
test a fresh copy: a copied file on SQLite, truncated tables in a private database on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from evroam.database import migrate
from evroam.database.models import metadata
from evroam.app import create_app
from evroam.config import Settings
from evroam.events import Change
from evroam.network.operators import service as operator_service
from evroam.runtime import Runtime
from evroam.startup import bootstrap
from evroam.wiring import wired_runtime
from tests.support.read_models import assert_details_read_model_current, assert_publication_ledger_current
from tests.support import loopback_only
# Fixtures of a registered OCPI partner, shared by the OCPI, publication and delivery tests.
from tests.support.ocpi_partner import live_evroam, ocpi_client, partner  # noqa: F401

loopback_only.install()

API_KEY = "test-key-operator-one-0123456789"
OTHER_API_KEY = "test-key-operator-two-0123456789"
TEST_SECRET_KEY = "test-secret-key-for-partner-secrets"
SHARED_DIR = Path(os.environ.get("EVROAM_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared"))


def _postgres_url() -> str | None:
    url = os.environ.get("EVROAM_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            raise pytest.UsageError("CI needs EVROAM_TEST_DATABASE_URL: PostgreSQL tests must not be skipped")
        return None
    return url


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED_DIR.is_dir(), f"the shared reference folder is missing: {SHARED_DIR}"
    return SHARED_DIR


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _psycopg_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A private PostgreSQL database for this pytest process, migrated once by the real migrations."""
    base = _postgres_url()
    if base is None:
        pytest.skip("PostgreSQL not configured (set EVROAM_TEST_DATABASE_URL)")
    url = make_url(base)
    name = f"evroam_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_url = _psycopg_url(url.set(database="postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:  # unreachable: a failure, never a silent skip
        pytest.fail(f"PostgreSQL at {url.render_as_string()} cannot be reached: {exc}")
    private = url.set(database=name)
    migrate.upgrade(private.render_as_string(hide_password=False))
    yield private.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "evroam.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with psycopg.connect(_psycopg_url(make_url(url))) as connection:
        connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return url


LOOPBACK = "127.0.0.0/8, ::1"


def make_settings(database_url: str, var_dir: Path, **overrides) -> Settings:
    values = dict(
        database_url=database_url,
        var_dir=var_dir,
        secret_key=TEST_SECRET_KEY,
        public_url="http://testserver",
        country_code="FI",
        party_id="EVR",
        business_name="Test CPO",
        bootstrap_api_key=API_KEY,
        run_worker_in_process=False,
        # Every peer of the suite listens on loopback; tests of the guard itself set their own list.
        partner_networks_allowed=LOOPBACK,
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Settings a test module gives its `runtime` (the outbound guard's tests override this fixture)."""
    return {}


@pytest.fixture
async def runtime(database_url: str, tmp_path: Path, settings_overrides: dict[str, Any]) -> AsyncIterator[Runtime]:
    """Wired as every entry point is, so what a test changes reaches the read models and the ledger."""
    runtime = wired_runtime(make_settings(database_url, tmp_path, **settings_overrides))
    await bootstrap(runtime)
    async with runtime.sessions() as session:
        other = await operator_service.create_operator(session, "SE", "OTH", "Other CPO")
        await operator_service.create_api_key(session, other.id, "other", OTHER_API_KEY)
        await session.commit()
    yield runtime
    await assert_details_read_model_current(runtime)
    await assert_publication_ledger_current(runtime)
    await runtime.close()


@pytest.fixture
def changes(runtime: Runtime) -> list[Change]:
    """Every Change announced in the runtime during the test, in order."""
    seen: list[Change] = []

    async def record(_session, change: Change) -> None:
        seen.append(change)

    runtime.subscribe(record)
    return seen


@pytest.fixture
def app(runtime: Runtime):
    return create_app(runtime)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers={"x-api-key": API_KEY}
    ) as client:
        yield client


@pytest.fixture
async def other_client(app) -> AsyncIterator[httpx.AsyncClient]:
    """The same app seen by a second operator: it must never see the first one's data."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers={"x-api-key": OTHER_API_KEY}
    ) as client:
        yield client
