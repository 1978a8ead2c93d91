"""Command round trip: an eMSP's START_SESSION in, visible to the charger side as pending, answered, and the
CommandResult at the eMSP's response_url.

Setup (written as bench_ocpi.py writes it): `--chargers` chargers of two sockets, each at its own site,
published to one eMSP integration holding our token C, whose results receiver is a small HTTP server on
127.0.0.1 recording when each result arrives. evroam runs under uvicorn in a subprocess with its
delivery worker in process (EVROAM_RUN_WORKER_IN_PROCESS), on SQLite, or on PostgreSQL when `--postgres`
names a server (a fresh database there, dropped after).

`--commands` START_SESSION commands are sent at `--rate` a second (open loop, each at its own EVSE while
EVSEs last, each with its own token uid: the idTag the charger side sees names the command's result).
A "charger side" task polls `GET /api/v2/cpo/commands?status=PENDING` every `--poll` ms and, for each
command it has not seen, waits `--hold` ms (the charger's own time: 0 by default) and posts ACCEPTED to
`POST /api/v2/cpo/commands/{id}/result`. Per command:

* in -> pending: from the eMSP sending the command to the answer of the first listing that showed it (so
  it includes up to one polling interval);
* round trip: from the eMSP sending the command to the CommandResult's arrival at the eMSP, minus the
  time the charger side held it (from that listing's answer to posting its result).

Target (the issue): round trip p99 under 500 ms, the charger's own time excluded. The eMSP, the charger
side and the receiver share one event loop in this process, and the machine's cores with evroam.

    .venv/bin/python bench/bench_commands.py [--commands 1000] [--rate 50] [--chargers 500] [--poll 20]
        [--hold 0] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

from bench_ocpi import API_KEY, bootstrapped, evroam_server, load_network, migrated, new_integration, publish
from bench_ocpi import receivers_running
from common import engine_name
from evroam.integrations.models import Integration
from evroam.publication.ledger import published_page

TARGET_P99_S = 0.5
OK = b'{"status_code":1000,"timestamp":"2026-12-01T10:00:00Z"}'
PARTNER_TOKEN = "bench-token-at-the-emsp-0123456789"
PAGE = 100  # the management API's largest page


@dataclass
class Timing:
    """One command's moments (time.time()), None until they happen."""

    sent: float
    answered: float | None = None  # the CommandResponse came back
    seen: float | None = None  # the charger side's listing showed it
    posted: float | None = None  # the charger side posted its result
    result: float | None = None  # the CommandResult arrived at the eMSP
    results: int = 0


class ResultReceiver:
    """The eMSP's response_urls: `/results/{uid}`, noting when each result arrives and what it said."""

    def __init__(self) -> None:
        self.timings: dict[str, Timing] = {}
        self.refused: list[str] = []
        self.app = FastAPI()
        self.app.add_api_route("/results/{uid}", self.receive, methods=["POST"])

    async def receive(self, uid: str, request: Request) -> Response:
        arrived = time.time()
        body = orjson.loads(await request.body())
        timing = self.timings[uid]
        timing.results += 1
        timing.result = timing.result or arrived
        if body.get("result") != "ACCEPTED":
            self.refused.append(f"{uid}: {body}")
        return Response(OK, media_type="application/json")


def token(uid: str) -> dict:
    return {"country_code": "NL", "party_id": "EMS", "uid": uid, "type": "APP_USER", "contract_id": f"NL-EMS-{uid}",
            "issuer": "Bench eMSP", "valid": True, "whitelist": "ALLOWED", "last_updated": "2026-12-01T00:00:00Z"}


async def prepare(settings, chargers: int) -> tuple[str, list[tuple[str, str]]]:
    """The network published to one eMSP integration; its token C and every (location id, EVSE uid)."""
    async with bootstrapped(settings) as (runtime, operator_id):
        site_ids, tariff_id = await load_network(runtime, operator_id, chargers)
        integration_id, token_c = await new_integration(runtime, operator_id, "Bench eMSP")
        async with runtime.sessions() as session:
            row = await session.get(Integration, integration_id)
            row.partner_token_encrypted = runtime.secrets.encrypt(PARTNER_TOKEN)
            await session.commit()
        await publish(runtime, integration_id, site_ids, tariff_id)
        async with runtime.sessions() as session:
            page, _ = await published_page(session, integration_id, "locations", 0, chargers)
    places = [(location["id"], evse["uid"]) for location in map(orjson.loads, page) for evse in location["evses"]]
    return token_c, places


async def send_commands(ocpi: httpx.AsyncClient, receiver: ResultReceiver, receiver_url: str,
                        places: list[tuple[str, str]], count: int, rate: float) -> None:
    started = time.perf_counter()

    async def one(number: int) -> None:
        uid = f"BENCH{number:07d}"
        location_id, evse_uid = places[number % len(places)]
        body = {"response_url": f"{receiver_url}/results/{uid}", "token": token(uid), "location_id": location_id,
                "evse_uid": evse_uid, "connector_id": "1"}
        timing = receiver.timings[uid] = Timing(time.time())
        response = await ocpi.post("/ocpi/2.2.1/commands/START_SESSION", json=body)
        timing.answered = time.time()
        response.raise_for_status()
        answer = response.json()
        if answer.get("data", {}).get("result") != "ACCEPTED":
            raise RuntimeError(f"command {uid} not accepted: {answer}")

    tasks = []
    for number in range(count):
        await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(number)))
    await asyncio.gather(*tasks)


async def charger_side(api: httpx.AsyncClient, receiver: ResultReceiver, poll: float, hold: float,
                       stop: asyncio.Event) -> None:
    """Polls the pending commands and answers each it has not seen yet with ACCEPTED."""
    handled: set[str] = set()
    answers: set[asyncio.Task] = set()

    async def answer(command_id: str, timing: Timing) -> None:
        if hold:
            await asyncio.sleep(hold)
        timing.posted = time.time()
        response = await api.post(f"/api/v2/cpo/commands/{command_id}/result", json={"result": "ACCEPTED"})
        response.raise_for_status()

    while not stop.is_set():
        for listed, item in await pending(api):
            if item["commandId"] in handled:
                continue
            handled.add(item["commandId"])
            timing = receiver.timings[item["idTag"]]
            timing.seen = listed
            task = asyncio.create_task(answer(item["commandId"], timing))
            answers.add(task)
            task.add_done_callback(answers.discard)
        await asyncio.sleep(poll)
    await asyncio.gather(*answers)


async def pending(api: httpx.AsyncClient) -> list[tuple[float, dict]]:
    """Every pending command, page after page (100 a page), each with when its page's answer arrived."""
    found: list[tuple[float, dict]] = []
    page = 1
    while True:
        response = await api.get("/api/v2/cpo/commands", params={"status": "PENDING", "limit": PAGE, "page": page})
        listed = time.time()
        response.raise_for_status()
        items = response.json()["items"]
        found.extend((listed, item) for item in items)
        if len(items) < PAGE:
            return found
        page += 1


async def until_all_results(receiver: ResultReceiver, count: int, charger: asyncio.Task, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while sum(1 for timing in receiver.timings.values() if timing.result) < count:
        if charger.done():
            charger.result()  # the charger side failed: say why
        if time.monotonic() > deadline:
            timings = receiver.timings.values()
            raise RuntimeError(f"not every CommandResult reached the eMSP in time: of {len(timings)} commands, "
                               f"{sum(1 for t in timings if t.seen)} seen by the charger side, "
                               f"{sum(1 for t in timings if t.posted)} answered, "
                               f"{sum(1 for t in timings if t.result)} results at the eMSP")
        await asyncio.sleep(0.05)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(label: str, values: list[float], note: str = "") -> str:
    ordered = sorted(values)
    return (f"  {label:26s} p50 {percentile(ordered, 0.5) * 1000:7.1f} ms   p99 {percentile(ordered, 0.99) * 1000:7.1f} ms"
            f"   max {ordered[-1] * 1000:7.1f} ms{note}")


async def bench(args: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:
        settings = await migrated(stack, args.postgres)
        token_c, places = await prepare(settings, args.chargers)
        receivers = await stack.enter_async_context(receivers_running(1, kind=ResultReceiver))
        receiver, receiver_url = receivers[0]
        # evroam_server passes this process's environment on: the eMSP's response_urls are on loopback.
        os.environ["EVROAM_PARTNER_NETWORKS_ALLOWED"] = "127.0.0.0/8"
        base_url, _ = await stack.enter_async_context(
            evroam_server(settings.var_dir, settings.port, worker=True, database_url=settings.database_url))
        ocpi = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=60, headers={
            "Authorization": "Token " + base64.b64encode(token_c.encode()).decode(),
            "OCPI-from-country-code": "NL", "OCPI-from-party-id": "EMS"}))
        api = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=60,
                                                                headers={"x-api-key": API_KEY}))
        stop = asyncio.Event()
        charger = asyncio.create_task(charger_side(api, receiver, args.poll / 1000, args.hold / 1000, stop))
        started = time.perf_counter()
        await send_commands(ocpi, receiver, receiver_url, places, args.commands, args.rate)
        sent_in = time.perf_counter() - started
        try:
            await until_all_results(receiver, args.commands, charger, timeout=args.timeout)
        except RuntimeError:
            failures = [text for text in (settings.var_dir / "evroam-server.log").read_text().splitlines()
                        if "delivery" in text and "failed" in text]
            print("\n".join(["  the server's last delivery failures:", *failures[-5:]]))
            raise
        stop.set()
        await charger

    timings = list(receiver.timings.values())
    assert not receiver.refused, receiver.refused[:5]
    repeated = [timing for timing in timings if timing.results != 1]
    assert not repeated, f"{len(repeated)} commands got other than exactly one CommandResult"
    round_trips = [(t.result - t.sent) - (t.posted - t.seen) for t in timings]
    p99 = percentile(sorted(round_trips), 0.99)
    print(f"Commands on {engine_name(args.postgres)}: {args.commands} START_SESSION over OCPI 2.2.1 at "
          f"{args.commands / sent_in:.0f}/s, {len(places)} EVSEs; the charger side polls every {args.poll:g} ms "
          f"and holds each command {args.hold:g} ms; exactly one CommandResult at the eMSP for each")
    print(line("CommandResponse", [t.answered - t.sent for t in timings], "   (the immediate answer)"))
    print(line("in -> pending", [t.seen - t.sent for t in timings], "   (to the listing that showed it)"))
    print(line("charger side's own time", [t.posted - t.seen for t in timings]))
    print(line("answer -> result at eMSP", [t.result - t.posted for t in timings], "   (settling and the outbox)"))
    print(line("round trip - charger", round_trips,
               f"   (target p99 < {TARGET_P99_S * 1000:.0f} ms) -> {'met' if p99 < TARGET_P99_S else 'NOT met'}"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="commands sent per second")
    parser.add_argument("--chargers", type=int, default=500, help="chargers of two sockets (EVSEs: twice as many)")
    parser.add_argument("--poll", type=float, default=20.0, help="ms between the charger side's listings")
    parser.add_argument("--hold", type=float, default=0.0, help="ms the charger side holds a command before answering")
    parser.add_argument("--timeout", type=float, default=120.0, help="s to wait for the last CommandResult")
    parser.add_argument("--postgres", default=os.environ.get("EVROAM_BENCH_DATABASE_URL"),
                        help="a PostgreSQL server URL (postgresql+asyncpg://...): run in a fresh database there")
    await bench(parser.parse_args())


if __name__ == "__main__":
    asyncio.run(main())
