"""Management latency while 20 credentials exchanges wait on a partner that never answers (issue #9, 3).

For each source tree given (`--tree`, default: this one) and each database (SQLite, and PostgreSQL when
`--postgres` names a server), the script starts that tree's `evroam serve` in a subprocess
(PYTHONPATH=<tree>/src) with the same settings, its own temporary var dir and a fresh database; makes
20 integrations through the management API, each with its own token A; has 20 partners POST credentials
at once (`--exchanges`), all naming a versions URL on loopback that accepts connections and never answers; and once the
20 are waiting (or the server stopped taking them), sends `--requests` management `GET /sites`
`--concurrency` at a time. It prints p50/p99/max of their latency and the count of 5xx, next to the same
burst with no exchange waiting. Target (issue #9): p99 under 500 ms and no 5xx.

    .venv/bin/python bench/bench_slow_partner.py [--tree /path/to/tree ...] [--exchanges 20] [--requests 100]
        [--concurrency 10] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Trees without the outbound guard ignore its settings (EVROAM_* variables they do not know); trees with it
are told to allow loopback, to give the exchanges a minute before timing out and to run them all at once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from common import bench_database, engine_name, free_port, wait_until_serving

API_KEY = "bench-key-0123456789-0123456789-0"
SECRET_KEY = "bench-secret-key"
EXCHANGES = 20  # the default of --exchanges
# How long the exchanges may take to reach the silent partner before the burst starts anyway: a tree
# that holds a database connection per exchange may never get them all there.
ARRIVAL_WAIT_S = 10.0
TARGET_P99_MS = 500.0
SITE = {"name": "Bench site", "timezone": "Europe/Helsinki", "country": "FIN", "city": "Helsinki",
        "streetAddress": "Satamakatu 1", "latitude": 60.167, "longitude": 24.952}


@asynccontextmanager
async def evroam_serve(tree: Path, var_dir: Path, database_url: str, exchanges: int) -> AsyncIterator[str]:
    """`evroam serve` of `tree`, in its own process, on a free loopback port."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("EVROAM_")}
    env.update({
        "PYTHONPATH": str(tree / "src"), "EVROAM_DATABASE_URL": database_url, "EVROAM_VAR_DIR": str(var_dir),
        "EVROAM_SECRET_KEY": SECRET_KEY, "EVROAM_BOOTSTRAP_API_KEY": API_KEY, "EVROAM_PORT": str(port),
        "EVROAM_PUBLIC_URL": base_url, "EVROAM_RUN_WORKER_IN_PROCESS": "false",
        "EVROAM_PARTNER_NETWORKS_ALLOWED": "127.0.0.0/8",
        "EVROAM_OUTBOUND_READ_TIMEOUT": "60", "EVROAM_OUTBOUND_TOTAL_TIMEOUT": "60",
        "EVROAM_CREDENTIALS_EXCHANGES_MAX": str(exchanges),
    })
    command = [sys.executable, "-m", "evroam.cli"]
    subprocess.run([*command, "db", "upgrade"], env=env, cwd=var_dir, check=True, capture_output=True)
    with open(var_dir / "serve.log", "wb") as log:
        process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, cwd=var_dir,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        await wait_until_serving(base_url, f"evroam of {tree} did not start: {(var_dir / 'serve.log').read_text()[-2000:]}")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


class SilentPartner:
    """Accepts connections, reads a request on each, and answers nothing until closed."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.requests = 0
        self.arrived = asyncio.Event()
        self.hang_up = asyncio.Event()
        self.url = ""
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> SilentPartner:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ocpi/versions"
        return self

    async def __aexit__(self, *_exc) -> None:
        self.hang_up.set()
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            if self.requests >= self.expected:
                self.arrived.set()
            await self.hang_up.wait()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()


@dataclass
class Burst:
    latencies_ms: list[float]
    statuses: list[int]

    def line(self) -> str:
        ordered = sorted(self.latencies_ms)
        p99 = ordered[max(0, round(0.99 * len(ordered)) - 1)]
        errors = sum(status >= 500 for status in self.statuses)
        dropped = self.statuses.count(0)
        return (f"p50 {statistics.median(ordered):8.1f} ms  p99 {p99:8.1f} ms  max {ordered[-1]:8.1f} ms  "
                f"5xx {errors:3d}/{len(self.statuses)}  no answer {dropped:3d}")


async def management_burst(base_url: str, requests: int, concurrency: int) -> Burst:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: list[int] = []
    async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": API_KEY}, timeout=120,
                                 limits=httpx.Limits(max_connections=concurrency)) as http:
        async def one() -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    status = (await http.get("/api/v2/cpo/sites")).status_code
                except httpx.TransportError:
                    status = 0  # the server dropped the connection: no answer at all
                latencies.append((time.perf_counter() - started) * 1000)
                statuses.append(status)

        await asyncio.gather(*(one() for _ in range(requests)))
    return Burst(latencies, statuses)


async def post_credentials(http: httpx.AsyncClient, base_url: str, token_a: str, url: str) -> int:
    document = {"token": f"slow-{uuid.uuid4().hex}", "url": url,
                "roles": [{"role": "EMSP", "party_id": "SLO", "country_code": "NL",
                           "business_details": {"name": "Slow eMSP"}}]}
    authorization = "Token " + base64.b64encode(token_a.encode()).decode()
    try:
        response = await http.post(f"{base_url}/ocpi/2.2.1/credentials", json=document,
                                   headers={"Authorization": authorization})
    except httpx.HTTPError:
        return 0
    return response.status_code


async def run_one(tree: Path, postgres: str | None, exchanges: int, requests: int, concurrency: int) -> None:
    async with AsyncExitStack() as stack:
        var_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        database_url = await stack.enter_async_context(bench_database(var_dir, postgres))
        base_url = await stack.enter_async_context(evroam_serve(tree, var_dir, database_url, exchanges))
        async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": API_KEY}, timeout=60) as api:
            for number in range(5):
                (await api.post("/api/v2/cpo/sites", json={**SITE, "name": f"Site {number}"})).raise_for_status()
            tokens = []
            for number in range(exchanges):
                created = await api.post("/api/v2/cpo/integrations", json={"integrationName": f"Slow {number}"})
                tokens.append(created.raise_for_status().json()["initialToken"])
        await management_burst(base_url, concurrency, concurrency)  # warm-up
        at_rest = await management_burst(base_url, requests, concurrency)

        async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=exchanges)) as partners:
            async with SilentPartner(exchanges) as partner:
                posts = [asyncio.create_task(post_credentials(partners, base_url, token, partner.url))
                             for token in tokens]
                try:
                    await asyncio.wait_for(partner.arrived.wait(), ARRIVAL_WAIT_S)
                except TimeoutError:
                    pass
                reached = partner.requests
                loaded = await management_burst(base_url, requests, concurrency)
                pending = sum(not task.done() for task in posts)
            answers = await asyncio.gather(*posts)
        name = engine_name(postgres)
        print(f"{str(tree):28} {name:10} at rest:           {at_rest.line()}")
        print(f"{str(tree):28} {name:10} {exchanges:2d} slow exchanges: {loaded.line()}  "
              f"[{reached} reached the partner; {pending} still waiting after the burst; "
              f"exchange answers: {summary(answers)}]", flush=True)


def summary(statuses: list[int]) -> str:
    counts: dict[int, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"HTTP {status or 'none'} x{count}" for status, count in sorted(counts.items()))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path,
                        help="a source tree to run (repeat to compare trees side by side; default: this one)")
    parser.add_argument("--exchanges", type=int, default=EXCHANGES, help="slow credentials exchanges at once")
    parser.add_argument("--requests", type=int, default=100, help="management GET /sites in each burst")
    parser.add_argument("--concurrency", type=int, default=10, help="management requests in flight at once")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (postgresql+asyncpg://...): each tree also "
                                           "runs in a fresh database there, dropped after")
    args = parser.parse_args()
    trees = [tree.resolve() for tree in args.tree or [Path(__file__).resolve().parents[1]]]
    print(f"target: p99 under {TARGET_P99_MS:g} ms, no 5xx, with {args.exchanges} exchanges waiting")
    for postgres in [None] + ([args.postgres] if args.postgres else []):
        for tree in trees:
            await run_one(tree, postgres, args.exchanges, args.requests, args.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
