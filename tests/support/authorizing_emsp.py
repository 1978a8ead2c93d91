"""A token partner of our own for the real-time authorization: a small OCPI Tokens Sender on loopback that
answers `POST .../tokens/{uid}/authorize` as each test scripts it per uid, and records what it received.

What the extrawest peer cannot be made to do lives here: slow answers, garbage, 404, BLOCKED, 2.1.1 shapes.
Also the publication a decision needs: a site with a charger, an integration whose location holds it, the
integration connected to this partner, and stored tokens (written through the ORM: the Tokens Receiver is
built elsewhere).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import update

from evroam.charging.tokens.models import PartnerToken, TokenPolicy
from evroam.integrations.models import Integration
from evroam.publication import hook
from evroam.runtime import Runtime
from tests.integrations.factories import add_location, make_charger, make_integration, make_site
from tests.support.live_server import serve

PARTNER_TOKEN = "emsp-token-for-evroam-0123456789"
NOW = "2026-12-01T10:00:00Z"


@dataclass(frozen=True)
class Scripted:
    status: int
    body: bytes
    delay: float = 0.0


def envelope(data: Any = None, status_code: int = 1000, http_status: int = 200, delay: float = 0.0) -> Scripted:
    body: dict[str, Any] = {"status_code": status_code, "timestamp": NOW}
    if data is not None:
        body["data"] = data
    return Scripted(http_status, orjson.dumps(body), delay)


def authorization_info(allowed: str, token: dict[str, Any] | None = None, reference: str | None = None,
                       **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"allowed": allowed, **more}
    if token is not None:
        data["token"] = token
    if reference is not None:
        data["authorization_reference"] = reference
    return data


def info(allowed: str, token: dict[str, Any] | None = None, reference: str | None = None, **more: Any) -> Scripted:
    return envelope(authorization_info(allowed, token, reference, **more))


def info_in_a_list(*infos: dict[str, Any]) -> Scripted:
    """`data` as a list of AuthorizationInfo, as py_ocpi eMSPs answer (a list of one)."""
    return envelope(list(infos))


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: httpx.Headers
    body: Any


@dataclass
class AuthorizingEmsp:
    base_url: str = ""
    script: dict[str, Scripted] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def tokens_url(self, version: str) -> str:
        return f"{self.base_url}/ocpi/{version}/tokens"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/ocpi/{version}/tokens/{uid}/authorize")
        async def authorize(version: str, uid: str, request: Request) -> Response:
            raw = await request.body()
            self.received.append(
                Received(request.url.path, dict(request.query_params), request.headers, orjson.loads(raw) if raw else None)
            )
            scripted = self.script.get(uid, envelope(status_code=2004, http_status=404))
            if scripted.delay:
                await asyncio.sleep(scripted.delay)
            return Response(scripted.body, status_code=scripted.status, media_type="application/json")

        return app


@asynccontextmanager
async def running_emsp() -> AsyncIterator[AuthorizingEmsp]:
    emsp = AuthorizingEmsp()
    async with serve(emsp.app()) as base_url:
        emsp.base_url = base_url
        yield emsp


def token_document(uid: str, *, whitelist: str = "ALWAYS", valid: bool = True, token_type: str = "RFID",
                   country_code: str = "NL", party_id: str = "EMS") -> dict[str, Any]:
    return {
        "country_code": country_code, "party_id": party_id, "uid": uid, "type": token_type,
        "contract_id": f"{country_code}-{party_id}-C{uid[:8]}", "issuer": "Test eMSP", "valid": valid,
        "whitelist": whitelist, "last_updated": NOW,
    }


async def store_token(runtime: Runtime, integration_id: str, uid: str, **shape: Any) -> dict[str, Any]:
    document = token_document(uid, **shape)
    async with runtime.sessions() as session:
        session.add(PartnerToken(
            integration_id=integration_id, country_code=document["country_code"], party_id=document["party_id"],
            uid=uid, uid_key=uid.upper(), type=document["type"], contract_id=document["contract_id"],
            valid=document["valid"], whitelist=document["whitelist"], document=document,
            last_updated=datetime(2026, 12, 1, 10, tzinfo=UTC),
        ))
        await session.commit()
    return document


async def set_policy(runtime: Runtime, integration_id: str, timeout_ms: int = 3000, fallback: str = "STORED_TOKEN") -> None:
    async with runtime.sessions() as session:
        session.add(TokenPolicy(integration_id=integration_id, realtime_timeout_ms=timeout_ms, realtime_fallback=fallback))
        await session.commit()


async def connect(runtime: Runtime, integration_id: str, emsp: AuthorizingEmsp, version: str = "2.2.1",
                  role: str = "EMSP") -> None:
    """The state a completed credentials exchange leaves, the partner's tokens Sender at `emsp`."""
    endpoint = {"identifier": "tokens", "url": emsp.tokens_url(version)}
    if version != "2.1.1":
        endpoint["role"] = "SENDER"
    async with runtime.sessions() as session:
        await session.execute(
            update(Integration).where(Integration.integration_id == integration_id).values(
                integration_status="CONNECTED",
                ocpi_version=version,
                version_details={"version": version, "endpoints": [endpoint]},
                partners_company_detail=[{"role": role, "partyId": "EMS", "countryCode": "NL", "name": "Test eMSP"}],
                partner_token_encrypted=runtime.secrets.encrypt(PARTNER_TOKEN),
            )
        )
        await hook.refresh_integration(session, integration_id)  # as the credentials exchange does
        await session.commit()


async def published_integration(client: httpx.AsyncClient, runtime: Runtime, emsp: AuthorizingEmsp, site_id: int,
                                version: str = "2.2.1", role: str = "EMSP", **location: Any) -> str:
    """A connected integration whose location is the site (every charger of it, unless `location` says)."""
    integration_id = (await make_integration(client, integrationName=f"{role} {version}"))["integrationId"]
    await add_location(client, integration_id, {"siteId": site_id, **location})
    await connect(runtime, integration_id, emsp, version, role)
    return integration_id


async def site_with_charger(client: httpx.AsyncClient, charger_id: str = "CH-1", sockets: int = 2) -> int:
    site_id = await make_site(client)
    await make_charger(client, site_id, charger_id, sockets)
    return site_id
