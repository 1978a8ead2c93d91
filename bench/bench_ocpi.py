"""OCPI at size: a partner pulling every location, and EVSE status pushes reaching partners.

1. Pull: 20,000 site-backed locations of 2 EVSEs each (one charger, two sockets, split by socket),
   published to one eMSP; the fixture is bulk-inserted into the network tables, then the publication
   ledger is built. evroam runs under uvicorn in a subprocess on loopback; the partner follows the Link
   headers at limit 1000 over HTTP. Compared with the floor: orjson serialising the same 20,000
   documents from dicts. Target: within 5x of the floor.
2. Push: 5 eMSPs (receivers on loopback, recording arrival times) each publish the same 100 locations;
   1,000 socket status changes are made through the management API (PATCH .../sockets/{id}) of the
   same evroam, whose in-process worker pushes one PATCH per change to each eMSP. Latency = arrival
   at the eMSP - the moment the API call was sent. Target: p99 under 1 s.

    .venv/bin/python bench/bench_ocpi.py [--locations 20000] [--changes 1000] [--partners 5]
                                         [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

`--changes 0` runs the pull alone. Both parts run on SQLite (the embedded default) unless `--postgres`
names a server (the production database): then each runs in a fresh database there, dropped after.
On SQLite every write of the API, the ledger and the worker takes the one write lock in turn.
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
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import insert

from common import bench_database, engine_name, free_port, wait_until_serving
from evroam.database import migrate
from evroam.config import Settings
from evroam.publication import hook as publication
from evroam.publication.ledger import published_page
from evroam.integrations.models import Integration, IntegrationToken
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.tariff_links.models import TariffLink
from evroam.network.operators import service as operator_service
from evroam.network.chargers.models import Charger, Socket
from evroam.network.sites.models import Site
from evroam.runtime import Runtime
from evroam.security import hash_secret
from evroam.startup import bootstrap
from evroam.tariffs.models import Tariff

API_KEY = "bench-key-0123456789-0123456789-0"
SECRET_KEY = "bench-secret-key"
PULL_TARGET = 5.0
PULLS = 11  # a pull takes a tenth of a second: enough of them for a median that a stray pause cannot move
PUSH_TARGET_S = 1.0
SITE_JSON = {
    "facilities": ["CAFE", "WIFI"],
    "opening_times": {"twentyfourseven": True},
    "directions": [{"language": "en", "text": "Enter from the main street, level 0"}],
    "images": [{"url": "https://img.example.com/site.jpg", "category": "LOCATION", "type": "jpeg"}],
    "energy_mix": {"isGreenEnergy": True, "energySources": [{"source": "WIND", "percentage": 100}]},
    "owner": {"name": "Harbour Parking Oy", "website": "https://harbour.example.com"},
    "related_locations": [],
}


def settings_for(var_dir: Path, port: int, database_url: str) -> Settings:
    return Settings(
        database_url=database_url, var_dir=var_dir, secret_key=SECRET_KEY,
        bootstrap_api_key=API_KEY, port=port, public_url=f"http://127.0.0.1:{port}",
        partner_networks_allowed="127.0.0.0/8",  # the bench partner listens on loopback
    )


async def new_integration(runtime: Runtime, operator_id: int, name: str) -> tuple[str, str]:
    """An integration as a completed credentials exchange leaves it; returns its id and the partner's token."""
    token = f"bench-partner-{uuid.uuid4().hex}"
    integration_id = str(uuid.uuid4())
    async with runtime.sessions() as session:
        session.add(Integration(
            integration_id=integration_id, operator_id=operator_id, integration_name=name,
            integration_status="CONNECTED", credentials_exchange_role="RECEIVER", ocpi_version="2.2.1", models={},
            partners_company_detail=[{"role": "EMSP", "partyId": "EMS", "countryCode": "NL", "name": name}],
        ))
        await session.flush()
        session.add(IntegrationToken(token_hash=hash_secret(token), integration_id=integration_id, kind="C"))
        await session.commit()
    return integration_id, token


async def load_network(runtime: Runtime, operator_id: int, sites: int) -> tuple[list[int], str]:
    """`sites` sites of one charger with two sockets each, and one PRICE tariff; bulk-inserted."""
    tariff_id = str(uuid.uuid4())
    async with runtime.sessions() as session:
        session.add(Tariff(id=tariff_id, operator_id=operator_id, name="Public AC", currency="EUR", use_type="PRICE",
                           elements=[{"priceComponents": [{"type": "ENERGY", "price": "0.25", "vat": "25.5"}]}]))
        await session.execute(insert(Site), [
            {"id": n + 1, "operator_id": operator_id, "name": f"Site {n}", "timezone": "Europe/Helsinki",
             "country": "FIN", "city": "Helsinki", "street_address": f"Street {n}", "postal_code": "00100",
             "latitude": Decimal("60.1") + Decimal(n) / 100000, "longitude": Decimal("24.9"),
             "parking_type": "PARKING_LOT", **SITE_JSON}
            for n in range(sites)
        ])
        await session.execute(insert(Charger), [
            {"charger_id": f"BENCH_{n:05d}", "operator_id": operator_id, "site_id": n + 1, "name": f"Charger {n}",
             "evse_id": None, "capabilities": ["REMOTE_START_STOP_CAPABLE", "RFID_READER"]}
            for n in range(sites)
        ])
        await session.execute(insert(Socket), [
            {"charger_id": f"BENCH_{n:05d}", "socket_id": s, "type": "IEC_62196_T2", "format": "SOCKET",
             "power_type": "AC_3_PHASE", "max_power": Decimal("22"), "max_voltage": 230, "max_amperage": 32}
            for n in range(sites) for s in (1, 2)
        ])
        await session.commit()
    return list(range(1, sites + 1)), tariff_id


async def publish(runtime: Runtime, integration_id: str, site_ids: list[int], tariff_id: str) -> None:
    async with runtime.sessions() as session:
        location_ids = [str(uuid.uuid4()) for _ in site_ids]
        await session.execute(insert(IntegrationLocation), [
            {"id": location_id, "integration_id": integration_id, "site_id": site_id, "exclude_chargers": False,
             "publish": True, "publish_allowed_to": []}
            for location_id, site_id in zip(location_ids, site_ids, strict=True)
        ])
        await session.execute(insert(TariffLink), [
            {"integration_id": integration_id, "tariff_id": tariff_id, "location_id": location_id}
            for location_id in location_ids
        ])
        await publication.refresh_integration(session, integration_id)
        await session.commit()


@asynccontextmanager
async def evroam_server(var_dir: Path, port: int, worker: bool, database_url: str,
                        workers: int = 1) -> AsyncIterator[tuple[str, int]]:
    """evroam under uvicorn in its own process(es), as `evroam serve [--workers N]` runs it: the base URL and
    the id of uvicorn's process (whose children are its workers)."""
    env = {**os.environ, "EVROAM_DATABASE_URL": database_url,
           "EVROAM_VAR_DIR": str(var_dir), "EVROAM_SECRET_KEY": SECRET_KEY, "EVROAM_BOOTSTRAP_API_KEY": API_KEY,
           "EVROAM_PORT": str(port), "EVROAM_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "EVROAM_RUN_WORKER_IN_PROCESS": "true" if worker else "false"}
    log = var_dir / "evroam-server.log"
    # Log level info for the start-up lines the wait counts; no access log, which would cost every request.
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "evroam.app:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers), "--log-level", "info", "--no-access-log"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_serving(base_url, "evroam did not start")
        await wait_until_started(log, workers)
        yield base_url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        problems = [line for line in log.read_text().splitlines() if not line.startswith("INFO:")]
        if problems:
            print("\n".join(["  evroam server log:", *problems]))


async def wait_until_started(log: Path, workers: int) -> None:
    """Until every worker process has logged its start-up complete (30 s at most): the first one serving
    is not yet all of them."""
    for _ in range(300):
        if log.read_text().count("Application startup complete.") >= workers:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"not every one of {workers} evroam processes started:\n{log.read_text()}")


async def pull_all(client: httpx.AsyncClient, url: str) -> tuple[int, int]:
    count = size = 0
    while url:
        response = await client.get(url)
        response.raise_for_status()
        count += response.content.count(b'"country_code"')
        size += len(response.content)
        link = response.headers.get("link")
        url = link.split(";")[0].strip("<> ") if link else None
    return count, size


async def migrated(stack: AsyncExitStack, postgres: str | None) -> Settings:
    """Settings of an evroam on a free port whose fresh database (closed with `stack`) is migrated."""
    var_dir, port = Path(stack.enter_context(tempfile.TemporaryDirectory())), free_port()
    database_url = await stack.enter_async_context(bench_database(var_dir, postgres))
    settings = settings_for(var_dir, port, database_url)
    await asyncio.to_thread(migrate.upgrade, settings.resolved_database_url())
    return settings


@asynccontextmanager
async def bootstrapped(settings: Settings) -> AsyncIterator[tuple[Runtime, int]]:
    """A runtime on `settings`, bootstrapped, and the id of its default operator."""
    runtime = Runtime.from_settings(settings)
    try:
        await bootstrap(runtime)
        async with runtime.sessions() as session:
            operator_id = (await operator_service.default_operator(session, settings)).id
        yield runtime, operator_id
    finally:
        await runtime.close()


async def bench_pull(locations: int, postgres: str | None) -> None:
    async with AsyncExitStack() as stack:
        settings = await migrated(stack, postgres)
        var_dir, port, database_url = settings.var_dir, settings.port, settings.database_url
        async with bootstrapped(settings) as (runtime, operator_id):
            integration_id, token = await new_integration(runtime, operator_id, "Bench eMSP")
            started = time.perf_counter()
            site_ids, tariff_id = await load_network(runtime, operator_id, locations)
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            await publish(runtime, integration_id, site_ids, tariff_id)
            built = time.perf_counter() - started
            async with runtime.sessions() as session:
                page, _ = await published_page(session, integration_id, "locations", 0, locations)
            documents = [orjson.loads(text) for text in page]
        authorization = "Token " + base64.b64encode(token.encode()).decode()
        async with evroam_server(var_dir, port, worker=False, database_url=database_url) as (base_url, _):
            async with httpx.AsyncClient(headers={"Authorization": authorization}, timeout=60) as client:
                url = f"{base_url}/ocpi/2.2.1/locations?limit=1000"
                await pull_all(client, url)  # warm-up
                pulls, floors = [], []
                for _ in range(PULLS):  # pulls and floors alternate, so both see the same machine
                    started = time.perf_counter()
                    count, size = await pull_all(client, url)
                    pulls.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    orjson.dumps(documents)
                    floors.append(time.perf_counter() - started)
    floor = statistics.median(floors)
    pull = statistics.median(pulls)
    assert count == locations, f"pulled {count} locations, expected {locations}"
    print(f"Pull: {count} locations x 2 EVSEs over HTTP at limit 1000 ({count // 1000} pages, {size / 1e6:.1f} MB); "
          f"fixture inserted in {loaded:.1f} s, ledger built in {built:.1f} s")
    print(f"  pull  {pull:8.3f} s   median of {PULLS} full pulls (uvicorn subprocess, {engine_name(postgres)})")
    print(f"  floor {floor:8.3f} s   orjson.dumps of the same {len(documents)} documents from dicts (median of {PULLS})")
    ratio = pull / floor
    print(f"  pull / floor = {ratio:.1f}x   (target: within {PULL_TARGET:.0f}x) -> "
          f"{'met' if ratio <= PULL_TARGET else 'NOT met'}")


class Receiver:
    """An eMSP's locations Receiver: acknowledges every push and notes when each EVSE PATCH arrived."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.puts = 0
        self.app = FastAPI()
        self.app.add_api_route("/{path:path}", self.receive, methods=["PUT", "PATCH", "DELETE"])

    async def receive(self, path: str, request: Request) -> Response:
        arrived = time.time()
        await request.body()
        if request.method == "PATCH":
            self.arrivals[path.rsplit("/", 1)[1]].append(arrived)
        else:
            self.puts += 1
        return Response(b'{"status_code":1000,"timestamp":"2026-01-01T00:00:00Z"}', media_type="application/json")


@asynccontextmanager
async def receivers_running(count: int, kind: type = Receiver) -> AsyncIterator[list[tuple[Any, str]]]:
    """`count` receivers of `kind` (a class with a FastAPI `app`), each served on its own loopback port."""
    servers, running = [], []
    for _ in range(count):
        receiver, port = kind(), free_port()
        server = uvicorn.Server(uvicorn.Config(receiver.app, host="127.0.0.1", port=port, log_level="warning",
                                               lifespan="off"))
        servers.append((server, asyncio.create_task(server.serve())))
        running.append((receiver, f"http://127.0.0.1:{port}"))
    while not all(server.started for server, _ in servers):
        await asyncio.sleep(0.01)
    try:
        yield running
    finally:
        for server, task in servers:
            server.should_exit = True
            await task


async def bench_push(changes: int, partners: int, rate: float, postgres: str | None, sites: int = 100) -> None:
    async with AsyncExitStack() as stack:
        var_dir, port = Path(stack.enter_context(tempfile.TemporaryDirectory())), free_port()
        database_url = await stack.enter_async_context(bench_database(var_dir, postgres))
        settings = settings_for(var_dir, port, database_url)
        await asyncio.to_thread(migrate.upgrade, settings.resolved_database_url())
        async with receivers_running(partners) as receivers:
            runtime = Runtime.from_settings(settings)
            try:
                await bootstrap(runtime)
                async with runtime.sessions() as session:
                    operator_id = (await operator_service.default_operator(session, settings)).id
                site_ids, tariff_id = await load_network(runtime, operator_id, sites)
                for number, (_, url) in enumerate(receivers):
                    integration_id, _ = await new_integration(runtime, operator_id, f"eMSP {number}")
                    endpoints = [{"identifier": module, "role": "RECEIVER", "url": f"{url}/{module}"}
                                 for module in ("locations", "tariffs")]
                    async with runtime.sessions() as session:
                        row = await session.get(Integration, integration_id)
                        row.version_details = {"version": "2.2.1", "endpoints": endpoints}
                        row.partner_token_encrypted = runtime.secrets.encrypt(f"token-at-emsp-{number}")
                        await session.commit()
                    await publish(runtime, integration_id, site_ids, tariff_id)
            finally:
                await runtime.close()
            sent: dict[str, list[float]] = defaultdict(list)
            async with evroam_server(var_dir, port, worker=True, database_url=database_url) as (base_url, _):
                async with httpx.AsyncClient(base_url=base_url, headers={"x-api-key": API_KEY}, timeout=60) as api:
                    await settle(receivers, {}, timeout=120, puts=sites + 1)  # the first PUT of each location and the tariff
                    sockets = [(f"BENCH_{n:05d}", s) for n in range(sites) for s in (1, 2)]
                    status = {socket_key: "Available" for socket_key in sockets}
                    started = time.perf_counter()
                    for change in range(changes):
                        if rate:  # a steady stream of changes, as a network reports them
                            await asyncio.sleep(max(0.0, started + change / rate - time.perf_counter()))
                        charger_id, socket_id = sockets[change % len(sockets)]
                        new = "Charging" if status[(charger_id, socket_id)] == "Available" else "Available"
                        status[(charger_id, socket_id)] = new
                        sent[f"{charger_id}-{socket_id}"].append(time.time())
                        response = await api.patch(f"/api/v2/cpo/chargers/{charger_id}/sockets/{socket_id}",
                                                   json={"status": new})
                        response.raise_for_status()
                    made_in = time.perf_counter() - started
                    await settle(receivers, sent, timeout=120)
    latencies = [
        arrived - sent_at
        for receiver, _ in receivers
        for uid, times in sent.items()
        for sent_at, arrived in zip(times, receiver.arrivals[uid], strict=True)
    ]
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(f"Push on {engine_name(postgres)}: {changes} socket status changes through the API "
          f"({changes / made_in:.0f}/s), "
          f"{len(receivers)} partners, {len(latencies)} EVSE PATCHes delivered")
    print(f"  p50 {p50 * 1000:8.1f} ms   change sent -> PATCH at the partner")
    print(f"  p99 {p99 * 1000:8.1f} ms   max {latencies[-1] * 1000:.1f} ms")
    print(f"  p99 target under {PUSH_TARGET_S * 1000:.0f} ms -> {'met' if p99 < PUSH_TARGET_S else 'NOT met'}")


async def settle(
    receivers: list[tuple[Receiver, str]], sent: dict[str, list[float]], timeout: float, puts: int = 0
) -> None:
    """Until every partner got `puts` PUTs and a PATCH for every change sent."""
    deadline = time.monotonic() + timeout
    expected = {uid: len(times) for uid, times in sent.items()}
    while time.monotonic() < deadline:
        if all(
            receiver.puts >= puts and all(len(receiver.arrivals[uid]) >= count for uid, count in expected.items())
            for receiver, _ in receivers
        ):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("the partners did not receive every push in time")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=20_000)
    parser.add_argument("--changes", type=int, default=1000, help="status changes pushed (0: no push benchmark)")
    parser.add_argument("--partners", type=int, default=5)
    parser.add_argument("--rate", type=float, default=10.0, help="changes per second (0: as fast as the API answers)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (postgresql+asyncpg://...): each part runs in a "
                                           "fresh database there instead of SQLite")
    args = parser.parse_args()
    await bench_pull(args.locations, args.postgres)
    if args.changes:
        await bench_push(args.changes, args.partners, args.rate, args.postgres)


if __name__ == "__main__":
    asyncio.run(main())
