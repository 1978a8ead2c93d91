"""Charger events at rate: ingest -> session rebuild -> push to the partners, and CDRs at session stop.

Setup, before evroam serves (written as bench_ocpi.py writes it): `--chargers` chargers, each at its
own site with two sockets, published with one ENERGY + FLAT tariff to `--partners` eMSP integrations
left as a completed credentials exchange leaves them, whose sessions and cdrs Receivers are small HTTP
servers on 127.0.0.1 that record when each push arrives; each integration stores one whitelisted
token. Then `evroam serve` runs in a subprocess (its delivery worker in process) on SQLite, and on
PostgreSQL when `--postgres` names a server (a fresh database there, dropped after).

1. Start: every charger's driver is authorized (`POST /api/v2/cpo/authorize`) and its SessionStarted
   posted; the sessions go round-robin to the partners' tokens. Not timed.
2. Meter values, open loop: `--rate` MeterValues a second for `--seconds`, one event per
   `POST /chargers/{id}/events` (as a live charger sends them), round-robin over the chargers, each
   reading 100 Wh above the charger's last; at most `--in-flight` unanswered at once. Latency of an
   event: from the moment it was due to be sent (so a server that falls behind is charged for the
   queue) to the arrival, at its session's partner, of the first session PUT/PATCH whose `kwh` includes
   that reading (a push not there `--drain` seconds after the last answer counts as never: inf).
   Events/s is what was answered per second until the last answer: below `--rate`, evroam did not keep
   up, and the figure is its sustained rate. A server that falls that far behind is offered nothing new
   after 1.5 x `--seconds` ("sent" below "offered"), which keeps the run to a few minutes.
3. Stop: every session's SessionStopped, `--concurrency` at a time. The stop's transaction rebuilds the
   session and creates and prices its CDR, so stops answered per second are CDRs created and priced
   per second (checked against `GET /api/v2/cpo/cdrs`); and the latency from the stop to the CDR POST
   at the partner.

CPU/event is the CPU time evroam's process(es) used during step 2 (requests and pushes, until the pushes
are in or the drain time is over) per event: the figure that least depends on what else runs on the
machine. The bench client and the partners share its cores with evroam (one uvicorn process; `--workers`
of them on PostgreSQL) and with PostgreSQL; "machine" is what all its cores were busy for per event over
the same time (evroam, PostgreSQL, the client, the partners and whatever else ran): the cores divided by
it is the most events a second this machine could take, pushed to partners that run on it too; "bench"
is this script's own share of it (the client sending the events and the partners receiving the pushes).
Target (the issue): 500 events/s with p99 under 1 s on PostgreSQL.

    .venv/bin/python bench/bench_events.py [--chargers 300] [--partners 5] [--rate 500] [--seconds 20]
        [--in-flight 256] [--drain 120] [--concurrency 16] [--no-sqlite] [--workers 1] [--worker-process]
        [--profile FILE]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

`--profile FILE` runs evroam under py-spy (`pip install py-spy`, on PATH) and writes its sampled stacks,
collapsed (py-spy's raw format: for flamegraph.pl or speedscope), to FILE.<engine>.<n>.txt (n: 0 the
server, 1 the `--worker-process`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import update

from bench_ocpi import API_KEY, SECRET_KEY, bootstrapped, load_network, migrated, new_integration, publish
from bench_ocpi import receivers_running, settle, wait_until_started
from common import cpu_seconds, engine_name, machine_busy_seconds, wait_until_serving
from evroam.charging.tokens.models import PartnerToken
from evroam.integrations.models import Integration
from evroam.tariffs.models import Tariff

TARGET_RATE = 500
TARGET_P99_S = 1.0
API = "/api/v2/cpo"
METER_START_WH = 1_000_000
STEP_WH = 100
OK = b'{"status_code":1000,"timestamp":"2026-01-01T00:00:00Z"}'


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Arrivals:
    """One session as its partner saw it: (arrival, kwh so far) per push, and when its CDR came."""

    pushes: list[tuple[float, float]] = field(default_factory=list)
    completed_at: float | None = None
    cdr_at: float | None = None

    def reaching(self, kwh: float) -> float | None:
        """When the first push stating at least `kwh` arrived."""
        reached = [arrived for arrived, stated in self.pushes if stated >= kwh - 1e-9]
        return min(reached, default=None)


class PushReceiver:
    """An eMSP's sessions and cdrs Receivers: acknowledges every push and notes, per session, when each
    arrived and how much energy it stated. Location and tariff PUTs are counted (the initial publication)."""

    def __init__(self) -> None:
        self.puts = 0
        self.arrivals: dict[str, list[float]] = {}  # the `settle` of bench_ocpi waits on it: no EVSE pushes here
        self.sessions: dict[str, Arrivals] = defaultdict(Arrivals)
        # The same Arrivals by the session's authorization reference, which the bench knows it by.
        self.by_reference: dict[str, Arrivals] = {}
        self.app = FastAPI()
        self.app.add_api_route("/cdrs", self.cdr, methods=["POST"])
        self.app.add_api_route("/{path:path}", self.receive, methods=["PUT", "PATCH"])

    async def receive(self, path: str, request: Request) -> Response:
        arrived = time.time()
        body = orjson.loads(await request.body())
        if not path.startswith("sessions/"):
            self.puts += 1
            return Response(OK, media_type="application/json")
        session_id = path.rsplit("/", 1)[1]
        seen = self.sessions[session_id]
        if "authorization_reference" in body:
            self.by_reference[body["authorization_reference"]] = seen
        if "kwh" in body:
            seen.pushes.append((arrived, float(body["kwh"])))
        if body.get("status") == "COMPLETED" and seen.completed_at is None:
            seen.completed_at = arrived
        return Response(OK, media_type="application/json")

    async def cdr(self, request: Request) -> Response:
        arrived = time.time()
        body = orjson.loads(await request.body())
        self.sessions[body["session_id"]].cdr_at = arrived
        return Response(OK, media_type="application/json", headers={"Location": f"/cdrs/{body['id']}"})


async def prepare(settings, chargers: int, receivers: list[tuple[PushReceiver, str]]) -> list[str]:
    """The network published to every partner; returns each partner's whitelisted idTag, in order."""
    id_tags = []
    async with bootstrapped(settings) as (runtime, operator_id):
        site_ids, tariff_id = await load_network(runtime, operator_id, chargers)
        async with runtime.sessions() as session:  # a start fee besides the energy: CDRs price two components
            await session.execute(update(Tariff).where(Tariff.id == tariff_id).values(elements=[{"priceComponents": [
                {"type": "ENERGY", "price": "0.25", "vat": "25.5"}, {"type": "FLAT", "price": "0.5", "vat": "25.5"}]}]))
            await session.commit()
        for number, (_, url) in enumerate(receivers):
            integration_id, _ = await new_integration(runtime, operator_id, f"eMSP {number}")
            endpoints = [{"identifier": module, "role": "RECEIVER", "url": f"{url}/{module}"}
                         for module in ("locations", "tariffs", "sessions", "cdrs")]
            id_tag = f"BENCH{number:03d}"
            document = {"country_code": "NL", "party_id": "EMS", "uid": id_tag, "type": "RFID",
                        "contract_id": f"NL-EMS-C{number:08d}", "issuer": "Bench eMSP", "valid": True,
                        "whitelist": "ALWAYS", "last_updated": "2026-12-01T00:00:00Z"}
            async with runtime.sessions() as session:
                row = await session.get(Integration, integration_id)
                row.version_details = {"version": "2.2.1", "endpoints": endpoints}
                row.partner_token_encrypted = runtime.secrets.encrypt(f"token-at-emsp-{number}")
                session.add(PartnerToken(
                    integration_id=integration_id, country_code="NL", party_id="EMS", uid=id_tag, uid_key=id_tag,
                    type="RFID", contract_id=document["contract_id"], valid=True, whitelist="ALWAYS",
                    document=document, last_updated=datetime(2026, 12, 1, tzinfo=UTC),
                ))
                await session.commit()
            await publish(runtime, integration_id, site_ids, tariff_id)
            id_tags.append(id_tag)
    return id_tags


@asynccontextmanager
async def evroam_serve(
    settings, profile: Path | None, workers: int = 1, worker_process: bool = False
) -> AsyncIterator[tuple[str, list[int]]]:
    """`evroam serve [--workers N]` in its own process(es), allowed to call loopback, with the delivery worker
    in each of them, or in an `evroam worker` process of its own (`worker_process`, PostgreSQL). Yields the
    base URL and the processes' ids."""
    base_url = f"http://127.0.0.1:{settings.port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("EVROAM_")}
    env.update({
        "EVROAM_DATABASE_URL": settings.database_url, "EVROAM_VAR_DIR": str(settings.var_dir),
        "EVROAM_SECRET_KEY": SECRET_KEY, "EVROAM_BOOTSTRAP_API_KEY": API_KEY, "EVROAM_PORT": str(settings.port),
        "EVROAM_PUBLIC_URL": base_url, "EVROAM_RUN_WORKER_IN_PROCESS": str(not worker_process).lower(),
        "EVROAM_PARTNER_NETWORKS_ALLOWED": "127.0.0.0/8",
    })
    commands = [[sys.executable, "-m", "evroam.cli", "serve", "--port", str(settings.port), "--workers", str(workers)]]
    if worker_process:
        commands.append([sys.executable, "-m", "evroam.cli", "worker"])
    if profile is not None:
        commands = [["py-spy", "record", "--subprocesses", "--format", "raw", "-o", str(profile.with_suffix(f".{n}.txt")),
                     "--", *command] for n, command in enumerate(commands)]
    log_path = Path(settings.var_dir) / "serve.log"
    with open(log_path, "wb") as log:
        processes = [subprocess.Popen(command, env=env, cwd=settings.var_dir, stdout=log, stderr=subprocess.STDOUT)
                     for command in commands]
    try:
        await wait_until_serving(base_url, f"evroam did not start: {log_path.read_text()[-2000:]}")
        await wait_until_started(log_path, workers)
        yield base_url, [process.pid for process in processes]
    except BaseException:
        print(f"evroam's log ends:\n{log_path.read_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        for process in processes:
            process.send_signal(2)  # SIGINT: py-spy writes its profile, uvicorn shuts down
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Charger:
    charger_id: str
    id_tag: str
    partner: int
    reference: str = ""
    register_wh: int = METER_START_WH
    events: int = 0


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def post_event(api: httpx.AsyncClient, charger: Charger, event: dict) -> None:
    charger.events += 1
    event = {"eventId": f"{charger.charger_id}-{charger.events}", "time": now_text(), **event}
    url = f"{API}/chargers/{charger.charger_id}/events"
    try:
        response = await api.post(url, json={"events": [event]})
    except (httpx.ReadError, httpx.RemoteProtocolError):
        # The server closed an idle keep-alive connection as the request went out on it: sent again, as a
        # charger would (events are idempotent by eventId).
        response = await api.post(url, json={"events": [event]})
    response.raise_for_status()


async def start_sessions(api: httpx.AsyncClient, chargers: list[Charger], concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def start(charger: Charger) -> None:
        async with gate:
            decision = await api.post(f"{API}/authorize",
                                      json={"chargerId": charger.charger_id, "socketId": 1, "idTag": charger.id_tag})
            decided = decision.raise_for_status().json()
            assert decided["allowed"], decided
            charger.reference = decided["authorizationReference"]
            await post_event(api, charger, {"type": "SessionStarted", "socketId": 1, "transactionId": "tx-1",
                                            "idTag": charger.id_tag, "meterStartWh": METER_START_WH,
                                            "authorizationReference": charger.reference})

    await asyncio.gather(*(start(charger) for charger in chargers))


@dataclass
class Sent:
    charger: Charger
    due: float  # time.time() when it was due
    kwh: float
    answered_after: float | None = None


async def meter_values(
    api: httpx.AsyncClient, chargers: list[Charger], args: argparse.Namespace
) -> tuple[list[Sent], int, float]:
    """Open loop: event i is due at start + i / rate, whether or not the ones before it were answered; at
    most `--in-flight` unanswered (then the next waits, still timed from when it was due). A server that
    falls behind is offered no new event after 1.5 x `--seconds`: returns the events sent, how many were
    offered, and the seconds until the last answer."""
    offered = int(args.rate * args.seconds)
    sent: list[Sent] = []
    tasks = []
    slots = asyncio.Semaphore(args.in_flight)
    began, began_wall = time.perf_counter(), time.time()
    give_up = began + 1.5 * args.seconds

    async def one(record: Sent) -> None:
        try:
            await post_event(api, record.charger, {"type": "MeterValues", "transactionId": "tx-1",
                                                   "energyWh": record.charger.register_wh, "powerW": 11000})
            record.answered_after = time.time() - record.due
        finally:
            slots.release()

    for index in range(offered):
        await asyncio.sleep(max(0.0, began + index / args.rate - time.perf_counter()))
        await slots.acquire()
        if time.perf_counter() > give_up:
            slots.release()
            break
        charger = chargers[index % len(chargers)]
        charger.register_wh += STEP_WH
        record = Sent(charger, began_wall + index / args.rate, (charger.register_wh - METER_START_WH) / 1000)
        sent.append(record)
        tasks.append(asyncio.create_task(one(record)))
    await asyncio.gather(*tasks)
    return sent, offered, time.perf_counter() - began


async def stop_sessions(api: httpx.AsyncClient, chargers: list[Charger], concurrency: int) -> tuple[dict[str, float], float]:
    gate = asyncio.Semaphore(concurrency)
    stopped_at: dict[str, float] = {}

    async def stop(charger: Charger) -> None:
        async with gate:
            stopped_at[charger.reference] = time.time()
            await post_event(api, charger, {"type": "SessionStopped", "transactionId": "tx-1",
                                            "meterStopWh": charger.register_wh, "reason": "EVDisconnected"})

    began = time.perf_counter()
    await asyncio.gather(*(stop(charger) for charger in chargers))
    return stopped_at, time.perf_counter() - began


async def until(done, timeout: float, what: str, required: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            if not required:
                return
            raise RuntimeError(f"the partners did not receive {what} in {timeout:.0f} s")
        await asyncio.sleep(0.1)


@dataclass
class Figures:
    engine: str
    offered: int
    sent: int
    events_per_s: float
    answer_p50: float
    answer_p99: float
    push_p50: float
    push_p99: float
    push_max: float
    cpu_ms_per_event: float
    machine_ms_per_event: float
    bench_ms_per_event: float
    cdrs_per_s: float
    cdr_p50: float
    cdr_p99: float


async def run(postgres: str | None, args: argparse.Namespace) -> Figures:
    async with AsyncExitStack() as stack:
        settings = await migrated(stack, postgres)
        receivers = await stack.enter_async_context(receivers_running(args.partners, PushReceiver))
        id_tags = await prepare(settings, args.chargers, receivers)
        base_url, pids = await stack.enter_async_context(evroam_serve(
            settings, args.profile_of(postgres), args.workers if postgres else 1, args.worker_process and bool(postgres)))
        api = await stack.enter_async_context(httpx.AsyncClient(
            base_url=base_url, headers={"x-api-key": API_KEY}, timeout=120,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)))
        await settle(receivers, {}, timeout=300, puts=args.chargers + 1)  # every location and the tariff, once
        chargers = [Charger(f"BENCH_{n:05d}", id_tags[n % len(id_tags)], n % len(id_tags)) for n in range(args.chargers)]
        await start_sessions(api, chargers, args.concurrency)
        views = [receiver for receiver, _ in receivers]

        def arrivals(charger: Charger) -> Arrivals | None:
            return views[charger.partner].by_reference.get(charger.reference)

        await until(lambda: all(arrivals(charger) for charger in chargers), 300, "every session")

        cpu_before, machine_before, bench_before = cpu_seconds(pids), machine_busy_seconds(), time.process_time()
        sent, offered, took = await meter_values(api, chargers, args)
        await until(lambda: all(arrivals(c).reaching((c.register_wh - METER_START_WH) / 1000) for c in chargers),
                    args.drain, "every meter value", required=False)
        cpu_per_event = (cpu_seconds(pids) - cpu_before) / len(sent)
        machine_per_event = (machine_busy_seconds() - machine_before) / len(sent)
        bench_per_event = (time.process_time() - bench_before) / len(sent)
        # An event whose push never came within the drain time counts as infinitely late.
        push = sorted(arrived - s.due if (arrived := arrivals(s.charger).reaching(s.kwh)) else float("inf")
                      for s in sent)
        answers = sorted(s.answered_after for s in sent)

        stopped_at, stop_took = await stop_sessions(api, chargers, args.concurrency)
        cdrs = (await api.get(f"{API}/cdrs", params={"limit": 1})).raise_for_status().json()["totalRecords"]
        assert cdrs == len(chargers), f"{cdrs} CDRs for {len(chargers)} stopped sessions"
        await until(lambda: all(arrivals(c).cdr_at for c in chargers), 600, "every CDR")
        cdr_latency = sorted(arrivals(c).cdr_at - stopped_at[c.reference] for c in chargers)
    return Figures(
        engine_name(postgres), offered, len(sent), len(sent) / took, percentile(answers, 0.5), percentile(answers, 0.99),
        percentile(push, 0.5), percentile(push, 0.99), push[-1], cpu_per_event * 1000, machine_per_event * 1000,
        bench_per_event * 1000, len(chargers) / stop_took,
        percentile(cdr_latency, 0.5), percentile(cdr_latency, 0.99),
    )


def header(args: argparse.Namespace) -> None:
    print(f"Charger events: {args.chargers} chargers with an open session, MeterValues one per POST at "
          f"{args.rate:.0f}/s offered for {args.seconds:.0f} s, pushed to {args.partners} loopback partners; "
          f"then {args.chargers} stops, {args.concurrency} at a time; on PostgreSQL evroam serves in {args.workers} "
          f"process(es){' and delivers in one of its own' if args.worker_process else ''}")
    print(f"{'engine':10} {'sent/offered':>12} {'events/s':>9} {'answer p50':>11} {'p99':>8} {'-> partner p50':>15} "
          f"{'p99':>8} {'max':>8} {'CPU/event':>10} {'machine':>8} {'bench':>7} {'CDRs/s':>7} "
          f"{'stop -> CDR p50':>16} {'p99':>8}", flush=True)


def row_line(row: Figures) -> str:
    return (f"{row.engine:10} {row.sent:6d}/{row.offered:<5d} {row.events_per_s:9.0f} {row.answer_p50 * 1000:9.0f}ms "
            f"{row.answer_p99 * 1000:6.0f}ms {row.push_p50 * 1000:13.0f}ms {row.push_p99 * 1000:6.0f}ms "
            f"{row.push_max * 1000:6.0f}ms {row.cpu_ms_per_event:8.1f}ms {row.machine_ms_per_event:6.1f}ms "
            f"{row.bench_ms_per_event:5.1f}ms "
            f"{row.cdrs_per_s:7.1f} "
            f"{row.cdr_p50 * 1000:14.0f}ms {row.cdr_p99 * 1000:6.0f}ms")


def verdict(row: Figures, args: argparse.Namespace) -> str:
    met = (args.rate >= TARGET_RATE and row.sent == row.offered and row.events_per_s >= 0.98 * TARGET_RATE
           and row.push_p99 < TARGET_P99_S)
    return (f"  {row.engine}: target {TARGET_RATE} events/s with p99 (event -> partner) under "
            f"{TARGET_P99_S * 1000:.0f} ms -> {'met' if met else 'NOT met'}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=300)
    parser.add_argument("--partners", type=int, default=5)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="MeterValues offered per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16, help="starts and stops in flight")
    parser.add_argument("--in-flight", type=int, default=256, help="MeterValues posted and not yet answered, at most")
    parser.add_argument("--drain", type=float, default=120.0,
                        help="seconds to wait after the last answer for the pushes still on their way")
    parser.add_argument("--postgres", default=os.environ.get("EVROAM_BENCH_DATABASE_URL"),
                        help="a PostgreSQL server URL (postgresql+asyncpg://...): also run there, in a fresh database")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--workers", type=int, default=1,
                        help="evroam processes on PostgreSQL (`evroam serve --workers`; SQLite runs one)")
    parser.add_argument("--worker-process", action="store_true",
                        help="on PostgreSQL, the delivery worker in an `evroam worker` process of its own")
    parser.add_argument("--profile", type=Path,
                        help="py-spy stacks of evroam, collapsed, per engine and process (FILE.<engine>.<n>.txt)")
    args = parser.parse_args()
    if args.profile is not None and shutil.which("py-spy") is None:
        parser.error("--profile needs py-spy on PATH")
    args.profile_of = lambda postgres: (None if args.profile is None else
                                        args.profile.with_suffix(f".{engine_name(postgres).lower()}.txt"))
    engines = ([] if args.no_sqlite else [None]) + ([args.postgres] if args.postgres else [])
    header(args)
    rows = []
    for postgres in engines:
        rows.append(await run(postgres, args))
        print(row_line(rows[-1]), flush=True)
    for row in rows:
        print(verdict(row, args))


if __name__ == "__main__":
    asyncio.run(main())
