"""Loopback servers that stand for what an attacker would aim evroam at.

* `internal_server`: an internal service that must not be reached unless allowed. It records every
  request and answers a secret page, or a redirect, or an OCPI versions list pointing somewhere else.
* `silent_partner`: a partner that accepts connections, reads each request and never answers, until the
  test ends (then it hangs up).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, StreamingResponse

from tests.support.live_server import serve

SECRET = "TOP-SECRET internal page"


@dataclass
class Internal:
    url: str = ""
    hits: list[str] = field(default_factory=list)


def internal_app(seen: Internal, redirect_to: str | None = None, body_bytes: int = 0,
                 details_at: str | None = None) -> FastAPI:
    """`/redirect` redirects to `redirect_to`; `/versions` lists version 2.2.1 at `details_at` (an OCPI
    answer); `/large` and `/trickle` answer `body_bytes` bytes at once or a byte every 0.2 s; anything
    else answers the secret."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
    async def anything(request: Request, path: str):
        seen.hits.append(f"{request.method} /{path}")
        if path == "redirect" and redirect_to:
            return RedirectResponse(redirect_to, status_code=302)
        if path == "versions" and details_at:
            return {"status_code": 1000, "status_message": "Success", "timestamp": "2026-01-01T00:00:00Z",
                    "data": [{"version": "2.2.1", "url": details_at}]}
        if path == "large":
            return PlainTextResponse("x" * body_bytes)
        if path == "trickle":
            async def slowly() -> AsyncIterator[bytes]:
                for _ in range(100):
                    yield b"."
                    await asyncio.sleep(0.2)
            return StreamingResponse(slowly())
        return PlainTextResponse(SECRET)

    return app


@asynccontextmanager
async def internal_server(host: str = "127.0.0.1", **options) -> AsyncIterator[Internal]:
    seen = Internal()
    async with serve(internal_app(seen, **options), host=host) as url:
        seen.url = url
        yield seen


@dataclass
class SilentPartner:
    url: str = ""
    requests: int = 0
    arrival: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def wait_for_requests(self, count: int) -> None:
        async with self.arrival:
            await self.arrival.wait_for(lambda: self.requests >= count)


@asynccontextmanager
async def silent_partner() -> AsyncIterator[SilentPartner]:
    partner = SilentPartner()
    hang_up = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            async with partner.arrival:
                partner.requests += 1
                partner.arrival.notify_all()
            await hang_up.wait()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    partner.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield partner
    finally:
        hang_up.set()
        server.close()
        await server.wait_closed()
