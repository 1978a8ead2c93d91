"""Rows of the network, tariffs and integration locations made straight in the database, a receiving eMSP
that records what evroam pushes, and the schemas of both versions as validators (the official 2.2.1
OpenAPI files; for 2.1.1, of which no OpenAPI description exists, `schemas/ocpi-2.1.1.yaml`)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import yaml
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.delivery.worker import DeliveryPolicy, run_worker
from evroam.publication import hook as publication
from evroam.publication.ledger import published_page
from evroam.integrations.models import Integration
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.tariff_links.models import TariffLink
from evroam.network.operators import service as operator_service
from evroam.network.chargers.models import Charger, Socket
from evroam.network.sites.models import Site
from evroam.runtime import Runtime
from evroam.tariffs.models import Tariff
from tests.conftest import SHARED_DIR
from tests.support.live_server import serve

OPENAPI_221 = SHARED_DIR / "ocpi-openapi" / "2.2.1"
SCHEMA_211 = Path(__file__).resolve().parent / "schemas" / "ocpi-2.1.1.yaml"
EXAMPLES = SHARED_DIR / "ocpi-examples"
# The 2.2.1 OpenAPI module that defines each schema name the tests validate against.
_MODULE_221 = {"Location": "locations", "EVSE": "locations", "Connector": "locations", "EVSEPatch": "locations",
               "Tariff": "tariffs", "Credentials": "credentials", "Version": "versions",
               "VersionDetails": "versions", "ClientInfo": "hubclientinfo", "Token": "tokens",
               "Session": "sessions", "CDR": "cdrs"}

IMAGE = {"url": "https://img.example.com/site.jpg", "category": "LOCATION", "type": "jpeg", "width": 800, "height": 600}
ENERGY_MIX = {
    "isGreenEnergy": True,
    "energySources": [{"source": "WIND", "percentage": 70}, {"source": "WATER", "percentage": 30}],
    "environImpact": [{"category": "CARBON_DIOXIDE", "amount": 0}],
    "supplierName": "Green Power Oy",
}
OPENING_TIMES = {
    "twentyfourseven": False,
    "regularHours": [{"weekday": day, "periodBegin": "06:00", "periodEnd": "23:00"} for day in range(1, 8)],
    "exceptionalClosings": [{"periodBegin": "2026-06-19T00:00:00+03:00", "periodEnd": "2026-06-20T00:00:00Z"}],
}
ENERGY = {"type": "ENERGY", "price": "0.2500", "vat": "25.5", "stepSize": 1}


async def operator_id_of(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return (await operator_service.default_operator(session, runtime.settings)).id


def site(operator_id: int, **fields: Any) -> Site:
    values: dict[str, Any] = dict(
        operator_id=operator_id, name="Harbour car park", public_name="Harbour P", timezone="Europe/Helsinki",
        country="FIN", city="Helsinki", street_address="Satamakatu 1", postal_code="00160",
        latitude=Decimal("60.167"), longitude=Decimal("24.952"), parking_type="PARKING_GARAGE",
        facilities=["CAFE", "WIFI"], opening_times=OPENING_TIMES, charging_when_closed=True,
        directions=[{"language": "en", "text": "Level 0"}], images=[IMAGE], energy_mix=ENERGY_MIX,
        owner={"name": "Harbour Parking Oy", "website": "https://harbour.example.com"}, suboperator=None,
        related_locations=[{"latitude": 60.1675, "longitude": 24.953, "name": {"language": "en", "text": "Exit"}}],
    )
    values.update(fields)
    return Site(**values)


def socket(socket_id: int, status: str = "Available", **fields: Any) -> Socket:
    values: dict[str, Any] = dict(
        socket_id=socket_id, type="IEC_62196_T2", format="SOCKET", power_type="AC_3_PHASE",
        max_power=Decimal("22"), max_voltage=230, max_amperage=32, status=status,
    )
    values.update(fields)
    return Socket(**values)


def charger(
    operator_id: int, site_id: int, charger_id: str | None = None, sockets: int | list[Socket] = 2, **fields: Any
) -> Charger:
    """A charger with `sockets` (a number of default sockets, or the sockets themselves)."""
    values: dict[str, Any] = dict(
        charger_id=charger_id or f"CH{uuid.uuid4().hex[:10].upper()}", operator_id=operator_id, site_id=site_id,
        name="Wallbox", evse_id=None, split_evse_by_socket=True, active_connection=True,
        capabilities=["REMOTE_START_STOP_CAPABLE", "RFID_READER"],
    )
    values.update(fields)
    values["sockets"] = [socket(number) for number in range(1, sockets + 1)] if isinstance(sockets, int) else sockets
    return Charger(**values)


def tariff(operator_id: int, elements: list[dict[str, Any]] | None = None, **fields: Any) -> Tariff:
    values: dict[str, Any] = dict(
        id=str(uuid.uuid4()), operator_id=operator_id, name="Public AC", currency="EUR", use_type="PRICE",
        type="REGULAR", elements=elements if elements is not None else [{"priceComponents": [ENERGY]}],
    )
    values.update(fields)
    return Tariff(**values)


@dataclass
class Network:
    """One site with chargers, published as one location of an integration, with a linked tariff."""

    operator_id: int
    site_id: int
    charger_ids: list[str]
    location_id: str
    tariff_id: str


async def publish_sites(
    runtime: Runtime, integration_id: str, count: int, chargers: int = 2, sockets: int = 2,
    operator_id: int | None = None,
) -> list[Network]:
    """`count` sites of `chargers` chargers each, added to the integration as locations with a
    location-level tariff link, and the ledger rebuilt: what adding them through the management API leaves."""
    operator_id = operator_id or await operator_id_of(runtime)
    networks = []
    async with runtime.sessions() as session:
        for _ in range(count):
            new_site = site(operator_id)
            session.add(new_site)
            await session.flush()
            new_chargers = [charger(operator_id, new_site.id, sockets=sockets) for _ in range(chargers)]
            new_tariff = tariff(operator_id)
            location = IntegrationLocation(id=str(uuid.uuid4()), integration_id=integration_id, site_id=new_site.id)
            session.add_all([*new_chargers, new_tariff, location])
            await session.flush()
            session.add(TariffLink(integration_id=integration_id, tariff_id=new_tariff.id, location_id=location.id))
            await session.flush()
            charger_ids = sorted(c.charger_id for c in new_chargers)
            networks.append(Network(operator_id, new_site.id, charger_ids, location.id, new_tariff.id))
        await publication.refresh_integration(session, integration_id)
        await session.commit()
    return networks


async def publish_site(runtime: Runtime, integration_id: str, **options: Any) -> Network:
    return (await publish_sites(runtime, integration_id, 1, **options))[0]


async def set_integration(runtime: Runtime, integration_id: str, **values: Any) -> None:
    async with runtime.sessions() as session:
        await session.execute(
            update(Integration).where(Integration.integration_id == integration_id).values(**values)
        )
        await session.commit()


async def documents(session: AsyncSession, integration_id: str, module: str) -> dict[str, dict[str, Any]]:
    """The ledger's current documents of an integration, parsed, by object id."""
    page, _ = await published_page(session, integration_id, module, 0, 100_000)
    return {doc["id"]: doc for doc in map(orjson.loads, page)}


def example(name: str) -> dict[str, Any]:
    """One of the specification's example objects (../shared/ocpi-examples), as it is."""
    return orjson.loads((EXAMPLES / name).read_bytes())


# -- the official schemas --------------------------------------------------------------------------


def _string_keys(value: Any) -> Any:
    # The YAML has integer keys (x-enumDescriptions of status codes); JSON Schema wants strings.
    if isinstance(value, dict):
        return {str(key): _string_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_string_keys(item) for item in value]
    return value


@cache
def _yaml(path: str) -> Any:
    return _string_keys(yaml.safe_load(Path(path).read_text()))


@cache
def _registry_221() -> jsonschema_rs.Registry:
    """Every schema file of the 2.2.1 OpenAPI files: a schema two files away (Session -> CdrToken -> TokenType)
    is found too, which a retriever alone is not asked for once the registry is built."""
    return jsonschema_rs.Registry([(path.as_uri(), _yaml(str(path))) for path in OPENAPI_221.rglob("schema.yaml")])


def schema_validator(module: str, name: str) -> jsonschema_rs.Validator:
    """A validator of one schema of the official 2.2.1 OpenAPI files, cross-file references resolved."""
    reference = (OPENAPI_221 / "modules" / module / "schema.yaml").as_uri() + f"#/components/schemas/{name}"
    return jsonschema_rs.validator_for({"$ref": reference}, registry=_registry_221(), validate_formats=True)


def schema_errors(module: str, name: str, document: Any) -> list[str]:
    return [f"{error.instance_path}: {error.message}" for error in schema_validator(module, name).iter_errors(document)]


@cache
def _validator_211(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(
        {"$ref": SCHEMA_211.as_uri() + f"#/$defs/{name}"},
        retriever=lambda uri: _yaml(uri.removeprefix("file://")),
        validate_formats=True,
    )


def version_schema_errors(version: str, name: str, document: Any) -> list[str]:
    """What is wrong with `document` as the schema `name` (Location, Tariff, ...) of OCPI `version`."""
    if version == "2.1.1":
        validator = _validator_211(name)
    else:
        validator = schema_validator(_MODULE_221[name], name)
    return [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(document)]


# -- a receiving eMSP ------------------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class RecordingEmsp:
    """An eMSP's Receiver interfaces on loopback: records every call; scripted answers come first."""

    received: list[Received] = field(default_factory=list)
    # (path fragment, HTTP status, OCPI status code, extra headers) answered, in order, to the next calls
    # whose path contains the fragment.
    script: list[tuple[str, int, int, dict[str, str]]] = field(default_factory=list)
    # Seconds each answer takes (a slow partner).
    delay: float = 0.0
    base_url: str = ""

    def __post_init__(self) -> None:
        self.app = FastAPI()
        self.app.add_api_route("/{path:path}", self._receive, methods=["GET", "PUT", "PATCH", "DELETE", "POST"])

    async def _receive(self, path: str, request: Request) -> Response:
        raw = await request.body()
        self.received.append(
            Received(request.method, "/" + path, dict(request.headers), orjson.loads(raw) if raw else None, time.time())
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        http_status, ocpi_status, headers = self._answer("/" + path)
        body = {"status_code": ocpi_status, "status_message": "scripted", "timestamp": "2026-01-01T00:00:00Z"}
        return Response(orjson.dumps(body), status_code=http_status, media_type="application/json", headers=headers)

    def _answer(self, path: str) -> tuple[int, int, dict[str, str]]:
        for index, (fragment, *answer) in enumerate(self.script):
            if fragment in path:
                del self.script[index]
                return tuple(answer)
        return 200, 1000, {}

    def fail(
        self, times: int, http_status: int = 500, ocpi_status: int = 3000, headers: dict | None = None, path: str = "/"
    ) -> None:
        """The next `times` calls to a path containing `path` answer this instead of success."""
        self.script.extend([(path, http_status, ocpi_status, headers or {})] * times)

    def version_details(self, version: str) -> dict[str, Any]:
        def endpoint(module: str) -> dict[str, str]:
            found = {"identifier": module, "url": f"{self.base_url}/emsp/{version}/{module}"}
            if version != "2.1.1":
                found["role"] = "RECEIVER"
            return found

        return {"version": version, "endpoints": [endpoint("locations"), endpoint("tariffs")]}

    def calls(self, method: str | None = None) -> list[Received]:
        return [seen for seen in self.received if method is None or seen.method == method]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[RecordingEmsp]:
        async with serve(self.app) as url:
            self.base_url = url
            yield self


async def connect_receiver(runtime: Runtime, integration_id: str, emsp: RecordingEmsp, version: str) -> str:
    """Makes the integration push to `emsp`: its version details and the token we use towards it."""
    token = f"emsp-token-{uuid.uuid4().hex}"
    await set_integration(
        runtime, integration_id, version_details=emsp.version_details(version),
        partner_token_encrypted=runtime.secrets.encrypt(token), integration_status="CONNECTED", ocpi_version=version,
    )
    return token


FAST = DeliveryPolicy(base_delay=0.05, max_delay=0.2, idle_poll=0.05, lease=5, shutdown_grace=2)


@asynccontextmanager
async def worker_running(runtime: Runtime, policy: DeliveryPolicy = FAST) -> AsyncIterator[asyncio.Task]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(runtime, stop, policy))
    try:
        yield task
    finally:
        stop.set()
        await task


async def eventually(check, timeout: float = 15.0, interval: float = 0.02) -> None:
    """Waits until `await check()` is truthy; fails with the last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout}s: {value!r}")
        await asyncio.sleep(interval)
