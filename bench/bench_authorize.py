"""Authorization decisions for whitelisted tokens with 100,000 stored tokens.

100,000 tokens of one eMSP integration (whitelist ALWAYS or ALLOWED, 1 in 20 invalid) are bulk-inserted;
the integration publishes `--sites` (200) site-backed locations of one charger with two sockets each. Each
decision presents a random stored idTag at a random published socket:

1. in-process: `flows.authorize` called directly by `--concurrency` tasks, as the route does (the decision
   rows go through the group-committing decision log);
2. over HTTP: evroam under uvicorn in a subprocess on loopback (as `evroam serve --workers N` runs it,
   `--workers` processes), `POST /api/v2/cpo/authorize` with `--concurrency` requests in flight, twice:
   from a load generator's plain keep-alive client (`plain_http.py`; the target is judged on this one) and
   from httpx, whose own CPU per request is about four times the server's and which shares the machine's
   two cores with the server: its figure is mostly the client's.
3. the floor: the plain client's requests to `floor_app.py` under uvicorn, FastAPI with evroam's request
   and answer models deciding nothing: what this machine gives before evroam does any work.

Latency is per decision, from the call to the answer (its row committed). Target over HTTP: 2,000
decisions/s with p99 under 10 ms. "server CPU" is what evroam's process(es) used per decision (Linux
/proc), which bounds the rate one core can serve whatever the client; "machine CPU" is what every core
was busy for per decision (evroam, PostgreSQL, the client and whatever else ran): the machine's cores
divided by it is the most this machine could sustain with that client.

    .venv/bin/python bench/bench_authorize.py [--tokens 100000] [--decisions 20000] [--concurrency 8] [--workers 1]
                                              [--sites 200]
                                              [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

SQLite unless `--postgres` (or EVROAM_BENCH_DATABASE_URL) names a server; then in a fresh database there.
`--workers` above 1 needs `--postgres`, as `evroam serve` does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, insert, select

from bench_ocpi import API_KEY, bootstrapped, evroam_server, load_network, migrated, new_integration, publish
from common import cpu_seconds, engine_name, free_port, machine_busy_seconds, wait_until_serving
from evroam.charging.authorization import flows
from evroam.charging.authorization.models import Authorization
from evroam.charging.authorization.schemas import AuthorizeRequest
from evroam.charging.tokens.models import PartnerToken
from evroam.config import Settings
from evroam.runtime import Runtime
from plain_http import PlainHttpConnection

TARGET_RATE = 2000
TARGET_P99_MS = 10.0
CHUNK = 5000
WARM_UP = 500


async def load_tokens(runtime: Runtime, integration_id: str, count: int) -> list[str]:
    uids = [f"{number:08X}{random.getrandbits(24):06X}" for number in range(count)]
    stamp = datetime(2026, 12, 1, tzinfo=UTC)
    for start in range(0, count, CHUNK):
        rows = []
        for number, uid in enumerate(uids[start : start + CHUNK], start):
            whitelist = "ALWAYS" if number % 2 else "ALLOWED"
            valid = number % 20 != 0
            document = {"country_code": "NL", "party_id": "EMS", "uid": uid, "type": "RFID",
                        "contract_id": f"NL-EMS-C{number:08d}", "issuer": "Bench eMSP", "valid": valid,
                        "whitelist": whitelist, "last_updated": "2026-12-01T00:00:00Z"}
            rows.append({"integration_id": integration_id, "country_code": "NL", "party_id": "EMS", "uid": uid,
                         "uid_key": uid, "type": "RFID", "contract_id": document["contract_id"], "valid": valid,
                         "whitelist": whitelist, "document": document, "last_updated": stamp, "seen_at": stamp})
        async with runtime.sessions() as session:
            await session.execute(insert(PartnerToken), rows)
            await session.commit()
    return uids


def requests(uids: list[str], count: int, sites: int) -> list[dict]:
    chooser = random.Random(7)
    return [{"chargerId": f"BENCH_{chooser.randrange(sites):05d}", "socketId": chooser.choice((1, 2)),
             "idTag": chooser.choice(uids)} for _ in range(count)]


async def run_concurrently(bodies: list[dict], concurrency: int, decide) -> tuple[float, list[float]]:
    """(seconds, latencies): `concurrency` workers taking the next body until none is left."""
    latencies: list[float] = []
    queue = iter(bodies)

    async def worker() -> None:
        for body in queue:
            started = time.perf_counter()
            await decide(body)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def report(label: str, seconds: float, latencies: list[float], target: bool,
           cpu: tuple[float, float] | None = None) -> None:
    """`cpu`: the server's and the machine's CPU seconds over the decisions timed."""
    latencies.sort()
    rate = len(latencies) / seconds
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))] * 1000
    verdict = ""
    if target:
        met = rate >= TARGET_RATE and p99 < TARGET_P99_MS
        verdict = f"   (target {TARGET_RATE}/s, p99 < {TARGET_P99_MS:g} ms) -> {'met' if met else 'NOT met'}"
    server_cpu = "" if cpu is None else (f"   CPU/decision: server {cpu[0] / len(latencies) * 1000:4.2f} ms, "
                                         f"machine {cpu[1] / len(latencies) * 1000:4.2f} ms")
    print(f"  {label:13s} {rate:7.0f} decisions/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms{server_cpu}{verdict}")


async def in_process(settings: Settings, bodies: list[dict], concurrency: int) -> tuple[float, list[float]]:
    async with bootstrapped(settings) as (runtime, operator_id):

        async def decide(body: dict) -> None:
            await flows.authorize(runtime, operator_id, AuthorizeRequest.model_validate(body))

        await run_concurrently(bodies[:WARM_UP], concurrency, decide)
        return await run_concurrently(bodies, concurrency, decide)


async def over_plain_http(base_url: str, bodies: list[dict], concurrency: int) -> tuple[float, list[float]]:
    host, port = base_url.removeprefix("http://").split(":")
    connections = [await PlainHttpConnection.open(host, int(port), {"x-api-key": API_KEY}) for _ in range(concurrency)]
    idle = asyncio.Queue()
    for connection in connections:
        idle.put_nowait(connection)

    async def decide(body: dict) -> None:
        connection = await idle.get()
        try:
            await connection.post_json("/api/v2/cpo/authorize", body)
        finally:
            idle.put_nowait(connection)

    try:
        await run_concurrently(bodies[:WARM_UP], concurrency, decide)
        return await run_concurrently(bodies, concurrency, decide)
    finally:
        for connection in connections:
            await connection.close()


async def over_httpx(base_url: str, bodies: list[dict], concurrency: int) -> tuple[float, list[float]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": API_KEY}, limits=limits,
                                 timeout=60) as client:

        async def decide(body: dict) -> None:
            response = await client.post("/api/v2/cpo/authorize", json=body)
            response.raise_for_status()

        await run_concurrently(bodies[:WARM_UP], concurrency, decide)
        return await run_concurrently(bodies, concurrency, decide)


async def measured(label: str, client, base_url: str, pid: int, bodies: list[dict], concurrency: int,
                   judged: bool) -> None:
    server_before, machine_before = cpu_seconds([pid]), machine_busy_seconds()
    seconds, latencies = await client(base_url, bodies, concurrency)
    # The warm-up's decisions are in the CPU too: the timed decisions' share of it is theirs.
    share = len(bodies) / (len(bodies) + min(WARM_UP, len(bodies)))
    cpu = ((cpu_seconds([pid]) - server_before) * share, (machine_busy_seconds() - machine_before) * share)
    report(label, seconds, latencies, target=judged, cpu=cpu)


@asynccontextmanager
async def floor_server() -> AsyncIterator[tuple[str, int]]:
    """floor_app.py under uvicorn, as evroam_server runs evroam (one process, no access log)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", os.path.dirname(__file__), "floor_app:app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"])
    try:
        base_url = f"http://127.0.0.1:{port}"
        await wait_until_serving(base_url, "the floor app did not start")
        yield base_url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


async def bench(tokens: int, decisions: int, concurrency: int, workers: int, sites: int, postgres: str | None) -> None:
    async with AsyncExitStack() as stack:
        settings = await migrated(stack, postgres)
        async with bootstrapped(settings) as (runtime, operator_id):
            integration_id, _ = await new_integration(runtime, operator_id, "Bench eMSP")
            site_ids, tariff_id = await load_network(runtime, operator_id, sites)
            await publish(runtime, integration_id, site_ids, tariff_id)
            started = time.perf_counter()
            uids = await load_tokens(runtime, integration_id, tokens)
            loaded = time.perf_counter() - started
        bodies = requests(uids, decisions, sites)
        print(f"Authorize on {engine_name(postgres)}: {tokens} stored tokens (inserted in {loaded:.1f} s), "
              f"{sites * 2} published sockets, {decisions} decisions, {concurrency} in flight, "
              f"{workers} server process{'es' if workers > 1 else ''} over HTTP")
        report("in-process", *(await in_process(settings, bodies, concurrency)), target=False)
        async with evroam_server(settings.var_dir, settings.port, worker=False,
                                 database_url=settings.database_url, workers=workers) as (base_url, pid):
            await measured("HTTP", over_plain_http, base_url, pid, bodies, concurrency, judged=True)
            await measured("HTTP (httpx)", over_httpx, base_url, pid, bodies, concurrency, judged=False)
        async with floor_server() as (base_url, pid):
            await measured("floor", over_plain_http, base_url, pid, bodies, concurrency, judged=False)
        async with bootstrapped(settings) as (runtime, _):
            async with runtime.sessions() as session:
                recorded = await session.scalar(select(func.count()).select_from(Authorization))
        expected = 3 * (decisions + WARM_UP)
        assert recorded == expected, f"{recorded} decisions recorded, {expected} answered"
        print(f"  every answered decision recorded: {recorded} rows")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sites", type=int, default=200,
                        help="sites of one charger, each a location published to the eMSP")
    parser.add_argument("--workers", type=int, default=1, help="evroam server processes (more need --postgres)")
    parser.add_argument("--postgres", default=os.environ.get("EVROAM_BENCH_DATABASE_URL"),
                        help="a PostgreSQL server URL (postgresql+asyncpg://...): run in a fresh database there")
    args = parser.parse_args()
    if args.workers < 1 or (args.workers > 1 and not args.postgres):
        parser.error("--workers: at least 1, and more than 1 only with --postgres")
    await bench(args.tokens, args.decisions, args.concurrency, args.workers, args.sites, args.postgres)


if __name__ == "__main__":
    asyncio.run(main())
