"""An eMSP's Tokens Sender for tests: N generated tokens served in pages, as OCPI §2.6 says.

Token i has uid `TOK{i:05d}` and `last_updated` = BASE + i minutes (so `date_from`/`date_to` select a
known run of them). Each GET checks the Authorization header (the token evroam was given) and, on 2.2.1,
the routing headers; answers the page with `X-Total-Count`, `X-Limit` and a `Link: rel="next"` while
more follows. It records the offset and `date_from` of every request. It can be told to fail at page K
(`fail_at`, 1-based, `failure` = "500", "garbage" or "hang", `failures` times), to serve 2.1.1 shapes,
to put one invalid token in the list (`invalid_at`), and to leave tokens out (`absent`).
`sender_partner` serves one and registers the CONNECTED integration that pulls from it.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from evroam.integrations.models import Integration
from evroam.runtime import Runtime
from tests.support.live_server import serve
from tests.support.ocpi_partner import register_partner

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def uid(index: int) -> str:
    return f"TOK{index:05d}"


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SeenRequest:
    offset: int
    date_from: str | None


@dataclass
class TokenSender:
    count: int
    token: str
    version: str = "2.2.1"
    page_size: int = 10
    fail_at: int | None = None
    failure: str = "500"
    failures: int = 1
    hang_seconds: float = 3.0
    invalid_at: int | None = None
    absent: set[int] = field(default_factory=set)
    # Whose tokens these are (2.2.1), and who evroam must address (the routing headers).
    party: tuple[str, str] = ("NL", "EMS")
    caller: tuple[str, str] = ("FI", "EVR")
    requests: list[SeenRequest] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def last_updated(self, index: int) -> datetime:
        return BASE + timedelta(minutes=index)

    def document(self, index: int) -> dict:
        token = {
            "uid": uid(index),
            "type": "RFID",
            "issuer": "Test eMSP",
            "valid": True,
            "whitelist": "ALLOWED",
            "last_updated": timestamp(self.last_updated(index)),
        }
        if self.version == "2.1.1":
            token["auth_id"] = f"NL-EMS-C{index:08d}"
        else:
            token.update(country_code=self.party[0], party_id=self.party[1], contract_id=f"NL-EMS-C{index:08d}")
        if index == self.invalid_at:
            token["whitelist"] = "SOMETIMES"
        return token

    def _selected(self, date_from: str | None, date_to: str | None) -> list[int]:
        low = datetime.fromisoformat(date_from.replace("Z", "+00:00")) if date_from else None
        high = datetime.fromisoformat(date_to.replace("Z", "+00:00")) if date_to else None
        return [
            index for index in range(self.count)
            if index not in self.absent
            and (low is None or self.last_updated(index) >= low)
            and (high is None or self.last_updated(index) < high)
        ]

    def _authorised(self, request: Request) -> str | None:
        expected = (f"Token {self.token}" if self.version == "2.1.1"
                    else "Token " + base64.b64encode(self.token.encode()).decode())
        if request.headers.get("authorization") != expected:
            return "bad Authorization"
        if self.version != "2.1.1":
            routing = (request.headers.get("ocpi-from-country-code"), request.headers.get("ocpi-from-party-id"),
                       request.headers.get("ocpi-to-country-code"), request.headers.get("ocpi-to-party-id"))
            if routing != (*self.caller, *self.party):
                return f"bad routing headers {routing}"
        return None

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/tokens")
        async def tokens(request: Request) -> Response:
            problem = self._authorised(request)
            if problem:
                self.refused.append(problem)
                return JSONResponse({"status_code": 2001, "status_message": problem}, status_code=401)
            params = request.query_params
            offset, limit = int(params.get("offset", 0)), min(int(params.get("limit", self.page_size)), self.page_size)
            self.requests.append(SeenRequest(offset, params.get("date_from")))
            if self.fail_at is not None and self.failures > 0 and offset == (self.fail_at - 1) * self.page_size:
                self.failures -= 1
                if self.failure == "hang":
                    # Longer than the test's outbound timeout; bounded, as the server's shutdown waits for it.
                    await asyncio.sleep(self.hang_seconds)
                if self.failure == "garbage":
                    return PlainTextResponse("<html>oops</html>")
                return JSONResponse({"status_code": 3000, "status_message": "database down"}, status_code=500)
            selected = self._selected(params.get("date_from"), params.get("date_to"))
            page = selected[offset:offset + limit]
            headers = {"X-Total-Count": str(len(selected)), "X-Limit": str(self.page_size)}
            if offset + limit < len(selected):
                following = request.url.include_query_params(offset=offset + limit, limit=limit)
                headers["Link"] = f'<{following}>; rel="next"'
            body = {"data": [self.document(index) for index in page], "status_code": 1000,
                    "timestamp": timestamp(datetime.now(UTC))}
            return JSONResponse(body, headers=headers)

        return app


@asynccontextmanager
async def sender_partner(runtime: Runtime, sender: TokenSender, models: dict | None = None,
                         tokens_role: str | None = "SENDER") -> AsyncIterator[str]:
    """Serves `sender` and registers an integration whose version details list it as the tokens
    endpoint in `tokens_role` (None: not listed); yields the integration id."""
    async with serve(sender.app()) as base_url:
        registered = await register_partner(runtime, sender.version,
                                            {"pullTokensAll": True} if models is None else models)
        endpoints = [{"identifier": "tokens", "role": tokens_role, "url": f"{base_url}/tokens"}] if tokens_role else []
        async with runtime.sessions() as session:
            integration = await session.get(Integration, registered.integration_id)
            integration.partner_token_encrypted = runtime.secrets.encrypt(sender.token)
            integration.version_details = {"version": sender.version, "endpoints": endpoints}
            await session.commit()
        yield registered.integration_id
