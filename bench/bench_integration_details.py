"""GET integration details at size: 1,000 published locations x 4 chargers x 2 sockets, 20 tariffs.

Prints p50/p99 of the request through the ASGI app (httpx ASGITransport, so HTTP parsing, the API key
lookup, the queries and the serialisation all count), the floor (orjson.dumps of the same response
already parsed into plain dicts: the least any server must spend on it), and p50 / floor.
Target: p50 within 10x of the floor.

    .venv/bin/python bench/bench_integration_details.py [--database-url URL] [--requests 200]

Without --database-url it uses SQLite in a temporary directory. A given database must be empty and
is migrated to the current schema first.

The network is bulk-inserted, then the details read model (details_read_model.py) is built as at
start-up; its build time is printed. A change clears the stored texts it alters and the next read
builds them again, so the run also times socket status changes through the API and the GET that
follows each one (which rebuilds that location).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import insert

from evroam.database import migrate
from evroam.app import create_app
from evroam.config import Settings
from evroam.integrations.details import read_model as details_read_model
from evroam.integrations import service as integration_service
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.tariff_links.models import TariffLink
from evroam.integrations.schemas import IntegrationCreate
from evroam.network.operators import service as operator_service
from evroam.network.chargers.models import Charger, Socket
from evroam.network.sites.models import Site
from evroam.runtime import Runtime
from evroam.startup import bootstrap
from evroam.tariffs import service as tariff_service
from evroam.tariffs.schemas import TariffCreate
from evroam.wiring import wired_runtime

API_KEY = "bench-key-0123456789-0123456789-0"
TARGET_RATIO = 10

IMAGE = {"url": "https://img.example.com/site.jpg", "thumbnail": "https://img.example.com/site-t.jpg",
         "category": "LOCATION", "type": "jpeg", "width": 1200, "height": 800}
BUSINESS = {
    "name": "Harbour Parking Oy", "website": "https://harbour.example.com", "logo": {**IMAGE, "category": "OWNER"}
}
SITE_JSON = {
    "facilities": ["CAFE", "WIFI"],
    "opening_times": {
        "twentyfourseven": False,
        "regularHours": [{"weekday": day, "periodBegin": "06:00", "periodEnd": "23:00"} for day in range(1, 8)],
    },
    "charging_when_closed": True,
    "directions": [{"language": "en", "text": "Enter from the main street, level 0"}],
    "images": [IMAGE],
    "energy_mix": {"isGreenEnergy": True, "energySources": [{"source": "WIND", "percentage": 70.0},
                   {"source": "WATER", "percentage": 30.0}], "supplierName": "Green Power Oy"},
    "owner": BUSINESS,
    "suboperator": {**BUSINESS, "name": "Satama Charging Oy"},
    "related_locations": [{"latitude": "60.167500", "longitude": "24.953000",
                           "name": {"language": "en", "text": "Pedestrian exit"}}],
}


def tariff_body(number: int) -> TariffCreate:
    return TariffCreate.model_validate({
        "name": f"Tariff {number:02d}",
        "currency": "EUR",
        "tariffAltText": [{"language": "en", "text": f"Tariff {number}"}],
        "minPrice": {"exclVat": 0.5, "inclVat": 0.63},
        "elements": [
            {"priceComponents": [{"type": "ENERGY", "price": f"0.{20 + number}", "vat": 25.5}]},
            {"priceComponents": [{"type": "PARKING_TIME", "price": 2, "vat": 25.5, "stepSize": 60}],
             "restrictions": {"startTime": "08:00", "endTime": "20:00", "dayOfWeek": ["MONDAY", "TUESDAY"]}},
        ],
    })


async def load(runtime: Runtime, locations: int, chargers_per_location: int, sockets_per_charger: int,
               tariffs: int) -> str:
    async with runtime.sessions() as session:
        operator_id = (await operator_service.default_operator(session, runtime.settings)).id
        tariff_ids = [(await tariff_service.create_tariff(session, operator_id, tariff_body(n))).id
                      for n in range(tariffs)]
        integration, _token_a, _exchange = await integration_service.create_integration(
            session, runtime, operator_id, IntegrationCreate(integration_name="Bench eMSP")
        )
        integration_id = integration.integration_id

        await session.execute(insert(Site), [
            {"id": n + 1, "operator_id": operator_id, "name": f"Site {n}", "timezone": "Europe/Helsinki",
             "country": "FIN", "city": "Helsinki", "street_address": f"Street {n}", "postal_code": "00100",
             "latitude": Decimal("60.1") + Decimal(n) / 10000, "longitude": Decimal("24.9"),
             "parking_type": "PARKING_LOT", **SITE_JSON}
            for n in range(locations)
        ])
        charger_rows, socket_rows = [], []
        for n in range(locations):
            for c in range(chargers_per_location):
                charger_id = f"BENCH_{n:05d}_{c}"
                charger_rows.append({"charger_id": charger_id, "operator_id": operator_id, "site_id": n + 1,
                                     "name": f"Charger {n}-{c}", "charger_group_id": n,
                                     "charger_group_name": f"Group {n}"})
                socket_rows += [{"charger_id": charger_id, "socket_id": s + 1, "type": "IEC_62196_T2",
                                 "format": "SOCKET", "power_type": "AC_3_PHASE"} for s in range(sockets_per_charger)]
        await session.execute(insert(Charger), charger_rows)
        await session.execute(insert(Socket), socket_rows)
        location_ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(locations)]
        await session.execute(insert(IntegrationLocation), [
            {"id": location_id, "integration_id": integration_id, "site_id": n + 1, "exclude_chargers": False,
             "publish": True, "publish_allowed_to": []}
            for n, location_id in enumerate(location_ids)
        ])
        # A link at every level: the location, its first charger, a socket of its second charger.
        links = []
        for n, location_id in enumerate(location_ids):
            links.append({"location_id": location_id, "charger_id": None, "socket_id": None})
            links.append({"location_id": location_id, "charger_id": f"BENCH_{n:05d}_0", "socket_id": None})
            links.append({"location_id": location_id, "charger_id": f"BENCH_{n:05d}_1", "socket_id": 2})
        await session.execute(insert(TariffLink), [
            {**link, "integration_id": integration_id, "tariff_id": tariff_ids[i % tariffs]}
            for i, link in enumerate(links)
        ])
        await session.commit()
    return integration_id


async def build_read_model(runtime: Runtime) -> float:
    """What start-up does: every missing location text built and stored."""
    started = time.perf_counter()
    async with runtime.sessions() as session:
        await details_read_model.build_missing(session)
    return time.perf_counter() - started


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(runtime: Runtime, integration_id: str, requests: int) -> dict[str, Any]:
    """Requests and floor samples alternate, so both see the same machine (other processes, caches)."""
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    headers = {"x-api-key": API_KEY}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
        url = f"/api/v2/cpo/integrations/{integration_id}"
        for _ in range(5):
            response = await client.get(url)
            response.raise_for_status()
        document = response.json()
        assert all(location["chargers"] for location in document["locations"]), "the read model is not built"
        timings, cpu_timings, floor_samples, cpu_floor_samples = [], [], [], []
        for _ in range(requests):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = await client.get(url)
            timings.append(time.perf_counter() - started)
            cpu_timings.append(time.process_time() - cpu_started)
            assert response.status_code == 200
            started, cpu_started = time.perf_counter(), time.process_time()
            orjson.dumps(document)
            floor_samples.append(time.perf_counter() - started)
            cpu_floor_samples.append(time.process_time() - cpu_started)
        status_changes, reads_after = [], []
        for number in range(40):
            status = "Charging" if number % 2 == 0 else "Available"
            started = time.perf_counter()
            changed = await client.patch(f"/api/v2/cpo/chargers/BENCH_{number:05d}_0/sockets/1", json={"status": status})
            status_changes.append(time.perf_counter() - started)
            assert changed.status_code == 200, changed.text
            started = time.perf_counter()
            assert (await client.get(url)).status_code == 200
            reads_after.append(time.perf_counter() - started)
    return {
        "status_change_p50": statistics.median(status_changes),
        "read_after_change_p50": statistics.median(reads_after),
        "bytes": len(response.content),
        "locations": len(document["locations"]),
        "sockets": sum(len(c["sockets"]) for loc in document["locations"] for c in loc["chargers"]),
        "p50": percentile(timings, 0.5),
        "p99": percentile(timings, 0.99),
        "floor": statistics.median(floor_samples),
        # CPU time of this process (every thread): what the request costs whatever else the machine runs.
        "cpu_p50": percentile(cpu_timings, 0.5),
        "cpu_floor": statistics.median(cpu_floor_samples),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temporary directory)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--locations", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(var_dir) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        settings = Settings(database_url=url, var_dir=Path(var_dir), secret_key="bench-secret",
                            bootstrap_api_key=API_KEY, run_worker_in_process=False)
        runtime = wired_runtime(settings)
        try:
            await bootstrap(runtime)
            started = time.perf_counter()
            integration_id = await load(runtime, args.locations, 4, 2, 20)
            loaded_in = time.perf_counter() - started
            built_in = await build_read_model(runtime)
            figures = await measure(runtime, integration_id, args.requests)
        finally:
            await runtime.close()
    ratio = figures["p50"] / figures["floor"]
    engine = url.split(":", 1)[0]
    print(f"GET integration details on {engine}: {figures['locations']} locations, {figures['sockets']} sockets, "
          f"20 tariffs, {figures['bytes'] / 1e6:.2f} MB (fixture loaded in {loaded_in:.1f} s, "
          f"read model built in {built_in:.2f} s)")
    print(f"  p50   {figures['p50'] * 1000:8.2f} ms   over {args.requests} requests")
    print(f"  p99   {figures['p99'] * 1000:8.2f} ms")
    print(f"  floor {figures['floor'] * 1000:8.2f} ms   orjson.dumps of the parsed response (median, one per request)")
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"  p50 / floor = {ratio:.1f}x   (target: within {TARGET_RATIO}x): {verdict}")
    cpu_ratio = figures["cpu_p50"] / figures["cpu_floor"]
    print(f"  CPU time: p50 {figures['cpu_p50'] * 1000:.2f} ms, floor {figures['cpu_floor'] * 1000:.2f} ms, "
          f"{cpu_ratio:.1f}x (the same figures without waiting on a busy machine)")
    print(f"  a socket status change through the API (clears its location's text): "
          f"p50 {figures['status_change_p50'] * 1000:.1f} ms over 40; the GET after each "
          f"(rebuilds that location): p50 {figures['read_after_change_p50'] * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
