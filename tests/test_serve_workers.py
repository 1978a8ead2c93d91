"""`evroam serve --workers N`: N processes start at once against one PostgreSQL database and serve; on
SQLite more than one is refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

import evroam
from evroam.network.operators.models import ApiKey, Operator
from evroam.runtime import Runtime
from evroam.startup import bootstrap
from evroam.wiring import wired_runtime
from tests.conftest import API_KEY, TEST_SECRET_KEY, make_settings
from tests.support.live_server import free_port

on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
STARTERS = 6


async def counts(runtime: Runtime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        operators = await session.scalar(select(func.count()).select_from(Operator))
        keys = await session.scalar(select(func.count()).select_from(ApiKey))
    return operators, keys


@on_postgresql
async def test_starters_at_once_leave_one_default_operator_and_one_bootstrap_key(
    database_url: str, tmp_path: Path
) -> None:
    runtimes = [wired_runtime(make_settings(database_url, tmp_path)) for _ in range(STARTERS)]
    try:
        await asyncio.gather(*(bootstrap(runtime) for runtime in runtimes))  # none raises
        assert await counts(runtimes[0]) == (1, 1)
    finally:
        await asyncio.gather(*(runtime.close() for runtime in runtimes))


def evroam_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """The environment of an `evroam` subprocess running the evroam under test."""
    source = str(Path(evroam.__file__).resolve().parents[1])
    env = {name: value for name, value in os.environ.items() if not name.startswith("EVROAM_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    return {**env, "EVROAM_VAR_DIR": str(tmp_path / "var"), "EVROAM_SECRET_KEY": TEST_SECRET_KEY, **variables}


def serve_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "evroam.cli", "serve", *options]


@pytest.fixture
def two_workers(database_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """`evroam serve --workers 2` on the test's fresh database: the parent process, its URL and its log."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = evroam_env(tmp_path, EVROAM_DATABASE_URL=database_url, EVROAM_BOOTSTRAP_API_KEY=API_KEY)
    with log.open("w") as output:
        process = subprocess.Popen(
            serve_command("--workers", "2", "--port", str(port)), env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process, f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=30)


def worker_processes(parent: subprocess.Popen) -> list[int]:
    """The uvicorn worker processes under the parent (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
    return [pid for pid in map(int, children) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


async def until_both_started(log: Path, parent: subprocess.Popen) -> None:
    """Each worker logs its start-up (migrations check, bootstrap) complete; 60 s at most."""
    for _ in range(600):
        if log.read_text().count("Application startup complete.") == 2:
            return
        assert parent.poll() is None, log.read_text()
        await asyncio.sleep(0.1)
    raise AssertionError(log.read_text())


@on_postgresql
async def test_two_worker_processes_serve_the_management_api_on_postgresql(
    two_workers: tuple[subprocess.Popen, str, Path], database_url: str, tmp_path: Path
) -> None:
    parent, base_url, log = two_workers
    await until_both_started(log, parent)
    async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": API_KEY}) as client:
        # Separate connections, so the kernel hands them to both processes listening on the socket.
        answers = await asyncio.gather(*(client.get("/api/v2/cpo/sites") for _ in range(20)))
    assert {answer.status_code for answer in answers} == {200}
    assert len(worker_processes(parent)) == 2
    assert "Traceback" not in log.read_text()
    checker = Runtime.from_settings(make_settings(database_url, tmp_path))
    try:
        assert await counts(checker) == (1, 1)
    finally:
        await checker.close()


def test_more_than_one_worker_is_refused_on_sqlite(tmp_path: Path) -> None:
    finished = subprocess.run(
        serve_command("--workers", "2"), env=evroam_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 1
    assert "needs PostgreSQL" in finished.stderr and len(finished.stderr.splitlines()) == 1
    assert not (tmp_path / "var" / "evroam.db").exists()  # nothing served, nothing migrated
