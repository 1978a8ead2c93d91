"""A small eMSP written for the tests: a real OCPI peer on loopback, for both handshake directions.

* evroam registers with it (evroam is the credentials SENDER): it issues a token A, answers versions and
  details, and on POST/PUT credentials calls evroam back with the token evroam gave it, like a real
  Receiver; `credentials_answer` makes it answer something else (3001, HTTP 405, ...).
* it registers with evroam (evroam is the RECEIVER): `register_with`, `update`, `unregister`.
* functional calls evroam makes to it (pushes) are recorded in `received`, with their headers.

`accepts` says which token encodings it understands ("base64", "plain"), to test evroam's auto mode.
`gates` holds requests to "versions" or "credentials" (POST/PUT), once recorded, until the event is set:
to keep an exchange open at that step.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.support.live_server import serve


def envelope(data: Any = None, status_code: int = 1000, message: str = "Success") -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "status_message": message,
                            "timestamp": "2025-01-01T00:00:00Z"}
    if data is not None:
        body["data"] = data
    return body


def encode(token: str, encoding: str) -> str:
    return "Token " + (base64.b64encode(token.encode()).decode() if encoding == "base64" else token)


def default_encoding(version: str) -> str:
    return "plain" if version.startswith("2.1") else "base64"


@dataclass
class Seen:
    method: str
    path: str
    token_kind: str | None
    encoding: str | None
    headers: dict[str, str]
    body: Any = None


@dataclass
class EmspPeer:
    versions: tuple[str, ...] = ("2.2.1", "2.1.1")
    accepts: tuple[str, ...] = ("base64", "plain")
    roles: list[dict[str, Any]] = field(default_factory=lambda: [
        {"role": "EMSP", "party_id": "EMS", "country_code": "NL",
         "business_details": {"name": "Peer eMSP", "website": "https://emsp.example.com"}},
    ])
    # (HTTP status, envelope) to answer credentials POST/PUT with, instead of registering.
    credentials_answer: tuple[int, dict[str, Any]] | None = None
    omit_credentials_endpoint: bool = False
    # (HTTP status, envelope, headers) for functional calls; default: 1000.
    functional_answer: tuple[int, dict[str, Any], dict[str, str]] | None = None
    gates: dict[str, asyncio.Event] = field(default_factory=dict)

    base_url: str = ""
    # token -> what it is to the peer: "A" (it issued, unused), "C" (it issued after registration),
    # "B" (it gave evroam when registering with it).
    tokens: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    # What evroam told the peer: its credentials and endpoints.
    evroam: dict[str, Any] | None = None
    # The token the peer uses towards evroam, and evroam's credentials endpoint.
    token_at_evroam: str | None = None
    evroam_credentials_url: str | None = None

    def __post_init__(self) -> None:
        self.app = self._build()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[EmspPeer]:
        async with serve(self.app) as url:
            self.base_url = url
            yield self

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    def issue_token_a(self) -> str:
        token = f"peer-token-a-{uuid.uuid4().hex}"
        self.tokens[token] = "A"
        return token

    def credentials_document(self, version: str, token: str) -> dict[str, Any]:
        if version.startswith("2.1"):
            first = self.roles[0]
            return {"token": token, "url": self.versions_url, "business_details": first["business_details"],
                    "party_id": first["party_id"], "country_code": first["country_code"]}
        return {"token": token, "url": self.versions_url, "roles": self.roles}

    def requests_to(self, fragment: str) -> list[Seen]:
        return [seen for seen in self.seen if fragment in seen.path]

    # -- the peer registers with evroam ---------------------------------------------------------------

    async def register_with(self, versions_url: str, token_a: str, version: str = "2.2.1",
                            encoding: str | None = None) -> dict[str, Any]:
        encoding = encoding or default_encoding(version)
        async with httpx.AsyncClient(timeout=30) as http:
            headers = {"Authorization": encode(token_a, encoding)}
            offered = (await http.get(versions_url, headers=headers)).json()["data"]
            details_url = next(item["url"] for item in offered if item["version"] == version)
            details = (await http.get(details_url, headers=headers)).json()["data"]
            self.evroam_credentials_url = next(
                endpoint["url"] for endpoint in details["endpoints"] if endpoint["identifier"] == "credentials"
            )
            token_b = f"peer-token-b-{uuid.uuid4().hex}"
            self.tokens[token_b] = "B"
            answer = (await http.post(self.evroam_credentials_url, headers=headers,
                                      json=self.credentials_document(version, token_b))).json()
        if answer["status_code"] == 1000:
            self.token_at_evroam = answer["data"]["token"]
            self.evroam = answer["data"]
        return answer

    async def update(self, version: str = "2.2.1", encoding: str | None = None) -> httpx.Response:
        """PUT: a new token for evroam to use with the peer, and a new one from evroam."""
        new_b = f"peer-token-b-{uuid.uuid4().hex}"
        self.tokens[new_b] = "B"
        response = await self.call_evroam("PUT", self.evroam_credentials_url, version, encoding,
                                          json=self.credentials_document(version, new_b))
        if response.json()["status_code"] == 1000:
            for token, kind in list(self.tokens.items()):
                if kind == "B" and token != new_b:
                    del self.tokens[token]
            self.token_at_evroam = response.json()["data"]["token"]
        return response

    async def call_evroam(self, method: str, url: str, version: str = "2.2.1", encoding: str | None = None,
                          token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": encode(token or self.token_at_evroam, encoding or default_encoding(version))}
        async with httpx.AsyncClient(timeout=30) as http:
            return await http.request(method, url, headers=headers, **kwargs)

    # -- the peer's own OCPI server --------------------------------------------------------------------

    def _identify(self, request: Request) -> tuple[str | None, str | None]:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme != "Token" or not value:
            return None, None
        if "plain" in self.accepts and value in self.tokens:
            return self.tokens[value], "plain"
        if "base64" in self.accepts:
            try:
                decoded = base64.b64decode(value, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None, None
            if decoded in self.tokens:
                return self.tokens[decoded], "base64"
        return None, None

    async def _record(self, request: Request) -> Seen:
        kind, encoding = self._identify(request)
        body = None
        raw = await request.body()
        if raw:
            body = await request.json()
        seen = Seen(request.method, request.url.path, kind, encoding, dict(request.headers), body)
        self.seen.append(seen)
        return seen

    def _build(self) -> FastAPI:
        app = FastAPI()
        unauthorized = JSONResponse(envelope(None, 2000, "Unauthorized"), status_code=401)

        @app.get("/ocpi/versions")
        async def versions(request: Request):
            if (await self._record(request)).token_kind is None:
                return unauthorized
            await self._pass_gate("versions")
            return envelope([{"version": v, "url": f"{self.base_url}/ocpi/{v}"} for v in self.versions])

        @app.get("/ocpi/{version}")
        async def details(version: str, request: Request):
            if (await self._record(request)).token_kind is None:
                return unauthorized
            modules = [("locations", "RECEIVER"), ("tariffs", "RECEIVER"), ("tokens", "SENDER")]
            if not self.omit_credentials_endpoint:
                modules.insert(0, ("credentials", "SENDER"))
            endpoints = []
            for identifier, role in modules:
                endpoint = {"identifier": identifier, "url": f"{self.base_url}/ocpi/{version}/{identifier}"}
                if not version.startswith("2.1"):
                    endpoint["role"] = role
                endpoints.append(endpoint)
            return envelope({"version": version, "endpoints": endpoints})

        @app.api_route("/ocpi/{version}/credentials", methods=["GET", "POST", "PUT", "DELETE"])
        async def credentials(version: str, request: Request):
            seen = await self._record(request)
            if seen.token_kind is None:
                return unauthorized
            registered = seen.token_kind == "C"
            if request.method == "GET":
                return envelope(self.credentials_document(version, self._token_of(request)))
            if request.method == "DELETE":
                if not registered:
                    return JSONResponse(envelope(None, 2000, "Not registered"), status_code=405)
                self.evroam = None
                self._drop("C")
                return envelope()
            if (request.method == "POST") == registered:
                return JSONResponse(envelope(None, 2000, "Wrong method for this state"), status_code=405)
            await self._pass_gate("credentials")
            if self.credentials_answer is not None:
                status, body = self.credentials_answer
                return JSONResponse(body, status_code=status)
            return await self._accept_registration(version, seen.body)

        @app.api_route("/ocpi/{version}/{module}/{rest:path}", methods=["GET", "PUT", "PATCH", "POST", "DELETE"])
        async def functional(version: str, module: str, rest: str, request: Request):
            seen = await self._record(request)
            if seen.token_kind != "C":
                return unauthorized
            if self.functional_answer is not None:
                status, body, headers = self.functional_answer
                return JSONResponse(body, status_code=status, headers=headers)
            return envelope()

        return app

    async def _accept_registration(self, version: str, body: dict[str, Any]) -> Any:
        """Call evroam back with the token it gave (as a real Receiver does), then issue token C."""
        headers = {"Authorization": encode(body["token"], default_encoding(version))}
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                offered = (await http.get(body["url"], headers=headers)).json()["data"]
                details_url = next(item["url"] for item in offered if item["version"] == version)
                details = (await http.get(details_url, headers=headers)).json()["data"]
        except (httpx.HTTPError, KeyError, StopIteration, TypeError):
            return envelope(None, 3001, "Unable to use the client's API")
        self._drop("A")
        self._drop("C")
        token_c = f"peer-token-c-{uuid.uuid4().hex}"
        self.tokens[token_c] = "C"
        self.evroam = {"credentials": body, "endpoints": details["endpoints"], "version": version}
        return envelope(self.credentials_document(version, token_c))

    async def _pass_gate(self, endpoint: str) -> None:
        if endpoint in self.gates:
            await self.gates[endpoint].wait()

    def _token_of(self, request: Request) -> str:
        value = request.headers["authorization"].partition(" ")[2]
        return value if value in self.tokens else base64.b64decode(value).decode()

    def _drop(self, kind: str) -> None:
        for token, token_kind in list(self.tokens.items()):
            if token_kind == kind:
                del self.tokens[token]
