"""The OCPP gateway under load: `--chargers` simulated chargers (evroam's own simulator, on the `ocpp`
library's charge point side) connected at once to `evroam serve`, each charging with MeterValues every
`--meter-every` seconds and changing the status of its second socket every `--status-every` seconds
(Available and Unavailable in turn), for `--seconds`.

Setup, before evroam serves (as bench_ocpi.py writes it): the chargers, two sockets each, each at its own
site and with its OCPP password, published to one eMSP integration whose locations, tariffs, sessions and
cdrs Receivers are a small HTTP server on 127.0.0.1 noting when each EVSE PATCH arrives and with which
status; the eMSP's whitelisted token is the simulated drivers' card. evroam runs in a subprocess (its
delivery worker in process) on SQLite, or on PostgreSQL when `--postgres` names a server (a fresh
database there, dropped after).

Then: every charger connects (`--connect-concurrency` handshakes at a time), boots, reports both sockets
Available, authorizes its driver and starts a transaction on socket 1 (not timed); the measured window
follows, each charger's readings and status changes spread evenly over their periods.

Figures:
* messages handled per second: OCPP calls the gateway answered in the window, per second (offered: what
  the chargers sent); and the call's round trip as the charger sees it (sent to CALLRESULT);
* StatusNotification -> partner PATCH: from the charger sending a status of socket 2 to the arrival of
  the eMSP's PATCH of that EVSE with that status (a PATCH not there `--drain` s after the window: never);
* memory per connection: evroam's resident memory with every charger connected and booted, less before
  the first connected, per charger; CPU per message: evroam's CPU time in the window per answered call.

Target (the issue): 1,000 chargers, meter values every 10 s, a status change every minute. The chargers,
the eMSP and evroam share the machine's cores (and PostgreSQL's).

    .venv/bin/python bench/bench_ocpp.py [--chargers 1000] [--seconds 60] [--meter-every 10] [--status-every 60]
        [--drain 60] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres] [--worker-process]
        [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import time
from collections import defaultdict
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import select, update

from bench_events import cpu_seconds, evroam_serve, percentile
from bench_ocpi import bootstrapped, load_network, migrated, new_integration, publish, receivers_running
from common import engine_name
from evroam.charging.tokens.models import PartnerToken
from evroam.integrations.models import Integration
from evroam.network.chargers.models import Charger
from evroam.ocpi.locations.mapping import SOCKET_STATUS, socket_evse
from evroam.security import hash_secret
from evroam.simulate.charger import SimulatedCharger
from evroam.simulate.run import connected

PASSWORD = "bench-ocpp-password"
ID_TAG = "BENCHOCPP1"
STATUS_SOCKET = 2
OK = b'{"status_code":1000,"timestamp":"2026-01-01T00:00:00Z"}'


class StatusReceiver:
    """The eMSP's Receivers: acknowledges every push and notes, per EVSE, when each PATCH came and the
    status it gave."""

    def __init__(self) -> None:
        self.patches: dict[str, list[tuple[float, str]]] = defaultdict(list)
        self.app = FastAPI()
        self.app.add_api_route("/cdrs", self.receive_cdr, methods=["POST"])
        self.app.add_api_route("/{path:path}", self.receive, methods=["PUT", "PATCH"])

    async def receive(self, path: str, request: Request) -> Response:
        arrived = time.time()
        body = orjson.loads(await request.body())
        if request.method == "PATCH" and path.startswith("locations/") and "status" in body:
            self.patches[path.rsplit("/", 1)[1]].append((arrived, body["status"]))
        return Response(OK, media_type="application/json")

    async def receive_cdr(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        return Response(OK, media_type="application/json", headers={"Location": f"/cdrs/{body['id']}"})

    def arrival(self, evse_uid: str, status: str, after: float) -> float | None:
        return next((arrived for arrived, said in self.patches[evse_uid] if arrived >= after and said == status),
                    None)


async def prepare(settings, chargers: int, receiver_url: str) -> list[str]:
    """The chargers published to one eMSP whose token is the drivers' card; their ids."""
    async with bootstrapped(settings) as (runtime, operator_id):
        site_ids, tariff_id = await load_network(runtime, operator_id, chargers)
        integration_id, _ = await new_integration(runtime, operator_id, "Bench eMSP")
        endpoints = [{"identifier": module, "role": "RECEIVER", "url": f"{receiver_url}/{module}"}
                     for module in ("locations", "tariffs", "sessions", "cdrs")]
        token = {"country_code": "NL", "party_id": "EMS", "uid": ID_TAG, "type": "RFID",
                 "contract_id": "NL-EMS-C00000001", "issuer": "Bench eMSP", "valid": True, "whitelist": "ALWAYS",
                 "last_updated": "2026-12-01T00:00:00Z"}
        async with runtime.sessions() as session:
            await session.execute(update(Charger).values(ocpp_password_hash=hash_secret(PASSWORD)))
            row = await session.get(Integration, integration_id)
            row.version_details = {"version": "2.2.1", "endpoints": endpoints}
            row.partner_token_encrypted = runtime.secrets.encrypt("token-at-emsp")
            session.add(PartnerToken(
                integration_id=integration_id, country_code="NL", party_id="EMS", uid=ID_TAG, uid_key=ID_TAG,
                type="RFID", contract_id=token["contract_id"], valid=True, whitelist="ALWAYS", document=token,
                last_updated=datetime(2026, 12, 1, tzinfo=UTC),
            ))
            await session.commit()
        await publish(runtime, integration_id, site_ids, tariff_id)
        async with runtime.sessions() as session:
            return list(await session.scalars(select(Charger.charger_id).order_by(Charger.charger_id)))


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Calls:
    """Every OCPP call the chargers made in the window: its round trip, or why it had none."""

    round_trips: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # (sent, EVSE uid, the OCPI status the partner should see)
    statuses: list[tuple[float, str, str]] = field(default_factory=list)

    async def timed(self, call) -> None:
        started = time.perf_counter()
        try:
            await call
        except Exception as error:  # noqa: BLE001 - a timed-out or refused call is a figure, not a crash
            self.failed.append(type(error).__name__)
            return
        self.round_trips.append(time.perf_counter() - started)


async def charge(charger: SimulatedCharger, calls: Calls, args: argparse.Namespace, until: float) -> None:
    """The charger's window: readings every `meter_every` s and socket 2's status every `status_every` s,
    starting at random offsets so that the chargers' messages spread evenly."""
    evse_uid, _ = socket_evse(charger.id, STATUS_SOCKET, True)
    next_sample = time.monotonic() + random.uniform(0, args.meter_every)
    next_status = time.monotonic() + random.uniform(0, args.status_every)
    available = True
    while True:
        wake = min(next_sample, next_status)
        if wake >= until:
            return
        await asyncio.sleep(max(0.0, wake - time.monotonic()))
        if wake == next_sample:
            next_sample += args.meter_every
            await calls.timed(charger.sample(args.meter_every))
        else:
            next_status += args.status_every
            available = not available
            status = "Available" if available else "Unavailable"
            calls.statuses.append((time.time(), evse_uid, SOCKET_STATUS[status]))
            await calls.timed(charger.report_status(status, STATUS_SOCKET))


async def connect_all(stack: AsyncExitStack, url: str, charger_ids: list[str], concurrency: int) -> list[SimulatedCharger]:
    """Every charger connected, booted, both sockets Available and charging on socket 1."""
    gate = asyncio.Semaphore(concurrency)

    async def one(charger_id: str) -> SimulatedCharger:
        async with gate:
            charger = await stack.enter_async_context(connected(url, charger_id, PASSWORD))
            if await charger.boot() != "Accepted":
                raise RuntimeError(f"{charger_id} was not accepted at boot")
            await charger.report_status("Available", STATUS_SOCKET)
            await charger.report_status("Available")
            if await charger.authorize(ID_TAG) != "Accepted":
                raise RuntimeError(f"{charger_id}: the driver's card was not accepted")
            await charger.start_transaction(ID_TAG)
            return charger

    return list(await asyncio.gather(*(one(charger_id) for charger_id in charger_ids)))


async def bench(args: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:
        settings = await migrated(stack, args.postgres)
        (receiver, receiver_url), = await stack.enter_async_context(receivers_running(1, kind=StatusReceiver))
        charger_ids = await prepare(settings, args.chargers, receiver_url)
        base_url, pids = await stack.enter_async_context(
            evroam_serve(settings, args.profile, worker_process=args.worker_process and bool(args.postgres)))
        memory_before = resident_bytes(pids[0])
        started = time.perf_counter()
        chargers = await connect_all(stack, base_url.replace("http://", "ws://") + "/ocpp", charger_ids,
                                     args.connect_concurrency)
        connected_in = time.perf_counter() - started
        memory_per_charger = (resident_bytes(pids[0]) - memory_before) / len(chargers)

        calls = Calls()
        cpu_before, window_start = cpu_seconds(pids), time.monotonic()
        until = window_start + args.seconds
        await asyncio.gather(*(charge(charger, calls, args, until) for charger in chargers))
        window = time.monotonic() - window_start
        cpu_per_call = (cpu_seconds(pids) - cpu_before) / max(1, len(calls.round_trips))

        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline and any(
            receiver.arrival(evse_uid, status, sent) is None for sent, evse_uid, status in calls.statuses
        ):
            await asyncio.sleep(0.5)

    to_patch = [receiver.arrival(evse_uid, status, sent) for sent, evse_uid, status in calls.statuses]
    latencies = sorted(arrived - sent for (sent, _, _), arrived in zip(calls.statuses, to_patch, strict=True)
                       if arrived is not None)
    never = sum(1 for arrived in to_patch if arrived is None)
    offered = len(calls.round_trips) + len(calls.failed)
    trips = sorted(calls.round_trips)
    print(f"OCPP gateway on {engine_name(args.postgres)}: {len(chargers)} chargers connected and charging "
          f"(handshake, boot, status, authorize, start: all in {connected_in:.1f} s); MeterValues every "
          f"{args.meter_every:g} s, a status change every {args.status_every:g} s, for {window:.0f} s")
    print(f"  messages handled           {len(trips) / window:7.1f}/s of {offered / window:.1f}/s offered"
          f"   ({len(calls.failed)} calls failed{': ' + ', '.join(sorted(set(calls.failed))) if calls.failed else ''})")
    if trips:
        print(f"  call round trip            p50 {percentile(trips, 0.5) * 1000:7.1f} ms   "
              f"p99 {percentile(trips, 0.99) * 1000:7.1f} ms   max {trips[-1] * 1000:7.1f} ms")
    if latencies:
        print(f"  StatusNotification -> PATCH p50 {percentile(latencies, 0.5) * 1000:7.1f} ms   "
              f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms   max {latencies[-1] * 1000:7.1f} ms   "
              f"({len(latencies)} of {len(calls.statuses)} status changes reached the eMSP, {never} never)")
    print(f"  memory per connection      {memory_per_charger / 1024:7.1f} KiB   (evroam's RSS with every charger "
          f"connected, less before, per charger)")
    print(f"  evroam CPU per message     {cpu_per_call * 1000:7.2f} ms")


async def main() -> None:
    # A call the charger gave up on (timed out) is answered later all the same; the library logs each such answer.
    logging.getLogger("ocpp").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured window")
    parser.add_argument("--meter-every", type=float, default=10.0, help="s between a charger's MeterValues")
    parser.add_argument("--status-every", type=float, default=60.0, help="s between a charger's status changes")
    parser.add_argument("--connect-concurrency", type=int, default=50, help="handshakes and boots at once")
    parser.add_argument("--drain", type=float, default=60.0, help="s to wait for the last PATCH after the window")
    parser.add_argument("--postgres", default=os.environ.get("EVROAM_BENCH_DATABASE_URL"),
                        help="a PostgreSQL server URL (postgresql+asyncpg://...): run in a fresh database there")
    parser.add_argument("--worker-process", action="store_true",
                        help="on PostgreSQL, the delivery worker in an `evroam worker` process of its own")
    parser.add_argument("--profile", type=Path,
                        help="run evroam under py-spy (on PATH) and write its sampled stacks, collapsed, per "
                             "process (FILE.<n>.txt, n: 0 the server, 1 the worker process)")
    await bench(parser.parse_args())


if __name__ == "__main__":
    asyncio.run(main())
