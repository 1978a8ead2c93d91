"""A receiving eMSP on a fixed loopback port that fails the way real partners do, on a script.

Its Receiver interfaces take OBJECT pushes (PUT, PATCH, DELETE at `/{module}/{cc}/{party}/{id}[/...]`,
kept in arrival order per object) and CDR POSTs (`/cdrs`, kept by id, answered with a `Location`). Like
real eMSPs it refuses a second POST of a CDR id it holds: HTTP 200, OCPI 2001 "CDR already exists." (the
answer of a PHP eMSP library; see evroam/delivery/transport.py for what evroam accepts as "already held").

Faults, each answering the next request instead of the normal answer:
* `unavailable(n)`: 503, nothing taken;
* `throttled(n, retry_after)`: 429 with `Retry-After`, nothing taken;
* `hanging(n, seconds)`: the push is taken, the answer comes `seconds` later (past the caller's read
  timeout: the caller never learns it was taken);
* `broken_body(n)`: the push is taken, the answer is HTTP 200 with a body cut mid-JSON;
and `delay` slows every answer (a slow partner), `stop()` takes the server down (connections refused)
and `start()` brings it back on the same port.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response

from tests.support.live_server import free_port


@dataclass(frozen=True)
class Fault:
    http_status: int = 200
    ocpi_status: int = 1000
    headers: dict[str, str] = field(default_factory=dict)
    # Whether the push is taken before the answer (the partner stored it; only the answer fails).
    taken: bool = True
    delay: float = 0.0
    # A raw body instead of an OCPI envelope.
    body: bytes | None = None


@dataclass(frozen=True)
class Arrival:
    at: float
    method: str
    path: str
    # The HTTP status the partner answered (its answer may still not reach the caller).
    answered: int


@dataclass
class FaultyPartner:
    port: int = field(default_factory=free_port)
    # Every answer waits this long (a slow partner).
    delay: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)
    # CDRs taken, by id; every POST of each id (taken or refused); the POSTs answered "already exists".
    cdrs: dict[str, Any] = field(default_factory=dict)
    cdr_posts: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    # CDR ids whose POST was taken but whose answer came too late for the caller to read (hanging).
    answers_lost: set[str] = field(default_factory=set)
    # (module, object id) -> the (method, body) of every OBJECT push taken, in arrival order.
    objects: dict[tuple[str, str], list[tuple[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.app = FastAPI()
        self.app.add_api_route("/emsp/{version}/cdrs", self._post_cdr, methods=["POST"])
        self.app.add_api_route("/emsp/{version}/{module}/{country}/{party}/{object_id}/{rest:path}", self._push,
                               methods=["PUT", "PATCH", "DELETE"])
        self.app.add_api_route("/emsp/{version}/{module}/{country}/{party}/{object_id}", self._push,
                               methods=["PUT", "PATCH", "DELETE"])
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None

    # -- the script ---------------------------------------------------------------------------------

    def unavailable(self, times: int) -> None:
        self.faults.extend([Fault(503, 3000, taken=False)] * times)

    def throttled(self, times: int, retry_after: int) -> None:
        self.faults.extend([Fault(429, 2000, {"Retry-After": str(retry_after)}, taken=False)] * times)

    def hanging(self, times: int, seconds: float) -> None:
        self.faults.extend([Fault(delay=seconds)] * times)

    def broken_body(self, times: int) -> None:
        self.faults.extend([Fault(body=b'{"status_code": 1000, "status_mess')] * times)

    # -- the server ---------------------------------------------------------------------------------

    async def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Down: connections are refused until `start()`."""
        if self._server is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FaultyPartner]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()

    def version_details(self, version: str, modules: tuple[str, ...] = ("locations", "tariffs", "sessions", "cdrs")) -> dict:
        endpoints = [{"identifier": module, "role": "RECEIVER", "url": f"{self.base_url}/emsp/{version}/{module}"}
                     for module in modules]
        return {"version": version, "endpoints": endpoints}

    # -- the Receiver interfaces --------------------------------------------------------------------

    async def _post_cdr(self, version: str, request: Request) -> Response:
        cdr = orjson.loads(await request.body())
        cdr_id = cdr["id"]
        self.cdr_posts[cdr_id] += 1
        fault = self.faults.pop(0) if self.faults else Fault()
        if not fault.taken:
            return await self._answer(request, fault)
        if cdr_id in self.cdrs:
            self.duplicates[cdr_id] += 1
            return await self._answer(request, Fault(200, 2001), "CDR already exists.")
        self.cdrs[cdr_id] = cdr
        if fault.delay:
            self.answers_lost.add(cdr_id)
        location = {"Location": f"{self.base_url}/emsp/{version}/cdrs/{cdr_id}"}
        return await self._answer(request, Fault(fault.http_status, fault.ocpi_status, {**location, **fault.headers},
                                                 delay=fault.delay, body=fault.body))

    async def _push(self, module: str, object_id: str, request: Request) -> Response:
        raw = await request.body()
        fault = self.faults.pop(0) if self.faults else Fault()
        if fault.taken:
            self.objects.setdefault((module, object_id), []).append((request.method, orjson.loads(raw) if raw else None))
        return await self._answer(request, fault)

    async def _answer(self, request: Request, fault: Fault, message: str = "scripted") -> Response:
        self.arrivals.append(Arrival(time.monotonic(), request.method, request.url.path, fault.http_status))
        if self.delay or fault.delay:
            await asyncio.sleep(self.delay + fault.delay)
        body = fault.body
        if body is None:
            body = orjson.dumps({"status_code": fault.ocpi_status, "status_message": message,
                                 "timestamp": "2026-01-01T00:00:00Z"})
        return Response(body, status_code=fault.http_status, media_type="application/json", headers=fault.headers)
