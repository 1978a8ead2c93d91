"""A full token pull from a loopback eMSP: time, tokens per second and the pulling side's peak memory.

For each count given (`--tokens`, default 100,000 and 1,000,000), an eMSP Tokens Sender runs in its own
process on loopback and serves that many generated tokens in pages of 1,000 (each page made on request
from the offset: the eMSP holds no list, so its memory does not grow with the count), with Link,
X-Total-Count and X-Limit. The pulling side, evroam's own pull (`flows.run_pull`, the code the scheduler
and the API run), runs in a second process against a fresh database; it reports the elapsed time of the
pull, tokens per second and its peak resident memory during the pull (VmHWM, reset just before the pull
starts, and its growth over the resident memory at that moment). The counts side by side show memory
flat in the count. Target (issue #11, 7): 1,000,000 tokens in under 3 minutes on PostgreSQL.

    .venv/bin/python bench/bench_token_pull.py [--tokens 100000 1000000]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Without `--postgres` it runs on SQLite. On the bench machine the default counts take about two and a
half minutes on PostgreSQL; `--tokens 100000` alone about fifteen seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

from common import bench_database, engine_name, free_port, wait_until_serving

SECRET_KEY = "bench-secret-key"
PARTNER_TOKEN = "bench-emsp-token"
PAGE = 1000
TARGET_S = 180.0
TOKEN = (b'{"country_code":"NL","party_id":"EMS","uid":"%08X","type":"RFID","contract_id":"NL-EMS-C%08d",'
         b'"visual_number":"NL-EMS-%08d","issuer":"Bench eMSP","valid":true,"whitelist":"ALLOWED",'
         b'"language":"en","last_updated":"2026-01-01T00:00:00Z"}')


def sender_app(count: int, base_url: str):
    """A bare ASGI Tokens Sender: page `offset` of `count` generated tokens."""

    async def app(scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        query = dict(part.split("=", 1) for part in scope["query_string"].decode().split("&") if "=" in part)
        offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", PAGE)), PAGE)
        end = min(offset + limit, count)
        body = b'{"data":[' + b",".join(TOKEN % (index, index, index) for index in range(offset, end)) + (
            b'],"status_code":1000,"timestamp":"2026-01-01T00:00:00Z"}')
        headers = [(b"content-type", b"application/json"), (b"x-total-count", str(count).encode()),
                   (b"x-limit", str(PAGE).encode())]
        if end < count:
            headers.append((b"link", f'<{base_url}/tokens?offset={end}&limit={limit}>; rel="next"'.encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def serve_tokens(count: int, port: int) -> None:
    import uvicorn

    uvicorn.run(sender_app(count, f"http://127.0.0.1:{port}"), host="127.0.0.1", port=port, log_level="warning",
                lifespan="off")


def _memory_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def pull(count: int, database_url: str, sender_url: str, var_dir: Path) -> dict:
    """The pulling side: evroam's full pull of the sender's list into a fresh database."""
    from sqlalchemy import func, select

    from evroam.charging.tokens.models import PartnerToken
    from evroam.charging.tokens.pulls import flows, service
    from evroam.charging.tokens.pulls.models import TokenPull
    from evroam.config import Settings
    from evroam.database import migrate
    from evroam.integrations.models import Integration
    from evroam.network.operators import service as operator_service
    from evroam.runtime import Runtime
    from evroam.startup import bootstrap

    settings = Settings(database_url=database_url, var_dir=var_dir, secret_key=SECRET_KEY,
                        partner_networks_allowed="127.0.0.0/8")
    await asyncio.to_thread(migrate.upgrade, settings.resolved_database_url())
    runtime = Runtime.from_settings(settings)
    try:
        await bootstrap(runtime)
        integration_id = str(uuid.uuid4())
        async with runtime.sessions() as session:
            operator_id = (await operator_service.default_operator(session, settings)).id
            session.add(Integration(
                integration_id=integration_id, operator_id=operator_id, integration_name="Bench eMSP",
                integration_status="CONNECTED", credentials_exchange_role="RECEIVER", ocpi_version="2.2.1",
                models={"pullTokensAll": True}, partner_token_encrypted=runtime.secrets.encrypt(PARTNER_TOKEN),
                partners_company_detail=[{"role": "EMSP", "partyId": "EMS", "countryCode": "NL", "name": "Bench"}],
                version_details={"version": "2.2.1", "endpoints": [
                    {"identifier": "tokens", "role": "SENDER", "url": f"{sender_url}/tokens"}]},
            ))
            await session.commit()
            pull_row, _ = await service.open_pull(session, integration_id, True, service.OPERATOR)
        # Peak resident memory from here on (writing 5 to clear_refs resets VmHWM to the current RSS).
        Path("/proc/self/clear_refs").write_text("5")
        before = _memory_kib("VmRSS")
        started = time.perf_counter()
        await flows.run_pull(runtime, pull_row.id)
        elapsed = time.perf_counter() - started
        peak = _memory_kib("VmHWM")
        async with runtime.sessions() as session:
            done = await session.get(TokenPull, pull_row.id)
            stored = await session.scalar(select(func.count()).select_from(PartnerToken))
        if done.status != "SUCCEEDED" or stored != count:
            raise RuntimeError(f"the pull ended {done.status} ({done.error}) with {stored} of {count} tokens stored")
        return {"count": count, "elapsed": elapsed, "pages": done.pages, "peak_kib": peak, "before_kib": before}
    finally:
        await runtime.close()


async def bench_count(count: int, postgres: str | None) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        var_dir = Path(directory)
        async with bench_database(var_dir, postgres) as database_url:
            port = free_port()
            sender = subprocess.Popen([sys.executable, __file__, "--serve", str(count), "--port", str(port)])
            try:
                # The sender answers any path with its list, the versions URL the common wait polls included.
                await wait_until_serving(f"http://127.0.0.1:{port}", "the token sender did not start")
                puller = await asyncio.create_subprocess_exec(
                    sys.executable, __file__, "--pull", str(count), "--database", database_url,
                    "--sender", f"http://127.0.0.1:{port}", "--var-dir", str(var_dir),
                    stdout=asyncio.subprocess.PIPE, env=os.environ.copy(),
                )
                output, _ = await puller.communicate()
                if puller.returncode != 0:
                    raise RuntimeError(f"the pulling side failed for {count} tokens")
            finally:
                sender.terminate()
                sender.wait()
    return orjson.loads(output.splitlines()[-1])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (postgresql+asyncpg://...): the pull runs in a "
                                           "fresh database there instead of SQLite")
    args = parser.parse_args()
    print(f"Full token pull from a loopback eMSP, pages of {PAGE}, on {engine_name(args.postgres)}")
    print(f"{'tokens':>10} {'pages':>6} {'elapsed s':>10} {'tokens/s':>9} {'peak RSS MiB':>13} {'growth MiB':>11}")
    results = []
    for count in args.tokens:
        result = await bench_count(count, args.postgres)
        results.append(result)
        print(f"{count:>10,} {result['pages']:>6} {result['elapsed']:>10.1f} {count / result['elapsed']:>9,.0f} "
              f"{result['peak_kib'] / 1024:>13.1f} {(result['peak_kib'] - result['before_kib']) / 1024:>11.1f}",
              flush=True)
    largest = max(results, key=lambda result: result["count"])
    projected = largest["elapsed"] * 1_000_000 / largest["count"]
    verdict = "meets" if projected < TARGET_S else "MISSES"
    print(f"1,000,000 tokens {'took' if largest['count'] == 1_000_000 else 'would take'} {projected:.0f} s: "
          f"{verdict} the target of {TARGET_S:.0f} s")


if __name__ == "__main__":
    if "--serve" in sys.argv:
        options = argparse.ArgumentParser()
        options.add_argument("--serve", type=int)
        options.add_argument("--port", type=int)
        served = options.parse_args()
        serve_tokens(served.serve, served.port)
    elif "--pull" in sys.argv:
        options = argparse.ArgumentParser()
        options.add_argument("--pull", type=int)
        options.add_argument("--database")
        options.add_argument("--sender")
        options.add_argument("--var-dir", type=Path)
        pulled = options.parse_args()
        print(orjson.dumps(asyncio.run(pull(pulled.pull, pulled.database, pulled.sender, pulled.var_dir))).decode())
    else:
        asyncio.run(main())
