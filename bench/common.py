"""What the bench scripts share: a free loopback port and a database to run in (no evroam imports, so a
script may drive other source trees than this one)."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def engine_name(postgres: str | None) -> str:
    return "SQLite" if postgres is None else "PostgreSQL"


@asynccontextmanager
async def bench_database(var_dir: Path, postgres: str | None) -> AsyncIterator[str]:
    """SQLite in `var_dir`, or a fresh database on the `postgres` server, dropped afterwards."""
    if postgres is None:
        yield f"sqlite+aiosqlite:///{var_dir / 'bench.db'}"
        return
    server = make_url(postgres)
    name = f"evroam_bench_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def wait_until_serving(base_url: str, failure: str) -> None:
    """Polls the OCPI versions URL until evroam answers (30 s at most); RuntimeError(`failure`) otherwise."""
    async with httpx.AsyncClient() as probe:
        for _ in range(300):
            try:
                await probe.get(f"{base_url}/ocpi/versions")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(failure)


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes and their children (uvicorn's workers) have used so far
    (Linux /proc; under py-spy, py-spy's own and evroam's)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(stat.parent.name) in pids or int(fields[1]) in pids:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time the whole machine (every core, every process: server, database, client) has been busy so
    far (Linux /proc/stat: user, nice, system, irq, softirq, steal). Per operation, it bounds the rate the
    machine can sustain: its cores divided by it."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
