"""An eMSP of our own for the commands module (issue 13), on loopback: it sends evroam every command in
the shapes of both versions, and takes the results at the `response_url` it gave, recording every POST.

Results arrive at `POST /results/{name}`, one name per command sent, kept with their headers, body,
arrival time and the HTTP status answered; `fail(n, ...)` makes the next n result POSTs fail (HTTP 500,
or 503 with `Retry-After`), an outage. Its sessions Receiver takes the Sessions evroam pushes (a
START_SESSION that became a session carries its authorization_reference there); in 2.2.1 its
chargingprofiles Sender takes the ActiveChargingProfiles evroam PUTs when a session's profile changes.

The two token shapes (evroam/ocpi/tokens/mapping.py): 2.2.1's Token names its party and `contract_id`;
2.1.1's names no party and calls the contract `auth_id`. 2.1.1 has no CANCEL_RESERVATION, no
`connector_id` or `authorization_reference`, and its `reservation_id` is an int.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

from tests.support.authorizing_emsp import token_document
from tests.support.live_server import serve
from tests.support.ocpi_partner import RegisteredPartner

V221, V211 = "2.2.1", "2.1.1"
START_SESSION, STOP_SESSION = "START_SESSION", "STOP_SESSION"
RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR = "RESERVE_NOW", "CANCEL_RESERVATION", "UNLOCK_CONNECTOR"
# The chargingprofiles requests, as evroam's command list names them.
SET_CHARGING_PROFILE, GET_ACTIVE_CHARGING_PROFILE = "SET_CHARGING_PROFILE", "GET_ACTIVE_CHARGING_PROFILE"
CLEAR_PROFILE = "CLEAR_PROFILE"
COMMANDS = {V221: (START_SESSION, STOP_SESSION, RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR),
            V211: (START_SESSION, STOP_SESSION, RESERVE_NOW, UNLOCK_CONNECTOR)}
# What 2.1.1's bodies of a command do not have.
LACKING_211 = {START_SESSION: {"connector_id", "authorization_reference"}, RESERVE_NOW: {"authorization_reference"}}
# The party the eMSP speaks for (register_partner and connect register it so).
PARTY = ("NL", "EMS")
ACCEPTED_ANSWER = b'{"status_code": 1000, "status_message": "Success", "timestamp": "2026-12-01T10:00:00Z"}'


@dataclass(frozen=True)
class ResultPost:
    """One POST to a response_url, as it arrived."""

    name: str
    headers: dict[str, str]
    body: Any
    at: float  # time.time() on arrival
    answered: int  # the HTTP status the eMSP answered

    @property
    def taken(self) -> bool:
        return self.answered == 200


@dataclass(frozen=True)
class Failure:
    http_status: int
    retry_after: int | None = None


@dataclass(frozen=True)
class SessionPush:
    method: str
    path: str  # below the sessions endpoint: {country_code}/{party_id}/{session_id}
    body: Any

    @property
    def session_id(self) -> str:
        return self.path.split("/")[2]


@dataclass
class CommandEmsp:
    base_url: str = ""
    posts: list[ResultPost] = field(default_factory=list)
    # Answered, in order, to the next result POSTs instead of success.
    failures: list[Failure] = field(default_factory=list)
    session_pushes: list[SessionPush] = field(default_factory=list)
    # ActiveChargingProfiles PUT to its chargingprofiles Sender: (session_id, headers, body), in arrival order.
    profile_pushes: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/results/{name}"

    def tokens_url(self, version: str) -> str:
        """Its tokens Sender (tests.support.authorizing_emsp.connect lists it); it knows no token."""
        return f"{self.base_url}/ocpi/{version}/tokens"

    def version_details(self, version: str) -> dict[str, Any]:
        """Its endpoints: tokens (Sender), sessions (Receiver, where evroam pushes Sessions) and, in 2.2.1,
        chargingprofiles (Sender, where evroam PUTs a session's ActiveChargingProfile)."""
        endpoints = [{"identifier": "tokens", "url": self.tokens_url(version), "role": "SENDER"},
                     {"identifier": "sessions", "url": f"{self.base_url}/ocpi/{version}/sessions", "role": "RECEIVER"}]
        if version == V221:
            endpoints.append({"identifier": "chargingprofiles", "role": "SENDER",
                              "url": f"{self.base_url}/ocpi/{version}/chargingprofiles"})
        if version == V211:
            endpoints = [{key: value for key, value in endpoint.items() if key != "role"} for endpoint in endpoints]
        return {"version": version, "endpoints": endpoints}

    def fail(self, times: int, http_status: int = 500, retry_after: int | None = None) -> None:
        """The next `times` result POSTs are answered `http_status` (with `Retry-After` when given)."""
        self.failures.extend([Failure(http_status, retry_after)] * times)

    def results(self, name: str) -> list[ResultPost]:
        """Every POST to the response_url of `name`, failed ones too, in arrival order."""
        return [post for post in self.posts if post.name == name]

    def taken(self, name: str) -> list[ResultPost]:
        """The POSTs of `name` the eMSP took (answered 200)."""
        return [post for post in self.results(name) if post.taken]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/results/{name}")
        async def result(name: str, request: Request) -> Response:
            raw = await request.body()
            failure = self.failures.pop(0) if self.failures else None
            answered = failure.http_status if failure else 200
            self.posts.append(ResultPost(name, dict(request.headers), orjson.loads(raw) if raw else None,
                                         time.time(), answered))
            if failure is None:
                return Response(ACCEPTED_ANSWER, media_type="application/json")
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            body = orjson.dumps({"status_code": 3000, "status_message": "scripted outage",
                                 "timestamp": "2026-12-01T10:00:00Z"})
            return Response(body, status_code=failure.http_status, media_type="application/json", headers=headers)

        @app.api_route("/ocpi/{version}/sessions/{path:path}", methods=["PUT", "PATCH"])
        async def session(version: str, path: str, request: Request) -> Response:
            raw = await request.body()
            self.session_pushes.append(SessionPush(request.method, path, orjson.loads(raw) if raw else None))
            return Response(ACCEPTED_ANSWER, media_type="application/json")

        @app.put("/ocpi/{version}/chargingprofiles/{session_id}")
        async def active_profile(version: str, session_id: str, request: Request) -> Response:
            raw = await request.body()
            self.profile_pushes.append((session_id, dict(request.headers), orjson.loads(raw) if raw else None))
            return Response(ACCEPTED_ANSWER, media_type="application/json")

        return app


@asynccontextmanager
async def running_command_emsp() -> AsyncIterator[CommandEmsp]:
    emsp = CommandEmsp()
    async with serve(emsp.app()) as base_url:
        emsp.base_url = base_url
        yield emsp


# -- the commands it sends ---------------------------------------------------------------------------


def token_211(document: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 Token document in 2.1.1's shape: no party, the contract as `auth_id`."""
    return {"uid": document["uid"], "type": document["type"], "auth_id": document["contract_id"],
            "issuer": document["issuer"], "valid": document["valid"], "whitelist": document["whitelist"],
            "last_updated": document["last_updated"]}


def ocpi_headers(partner: RegisteredPartner) -> dict[str, str]:
    """What the eMSP's requests carry: its token C, and in 2.2.1 the party it speaks for."""
    headers = {"Authorization": partner.authorization}
    if partner.version != V211:
        headers.update({"OCPI-from-country-code": PARTY[0], "OCPI-from-party-id": PARTY[1]})
    return headers


@dataclass(frozen=True)
class Sent:
    """A command sent, the name its result is expected under, and evroam's answer."""

    command: str
    name: str
    response: httpx.Response

    @property
    def envelope(self) -> dict[str, Any]:
        return self.response.json()

    @property
    def data(self) -> Any:
        """The CommandResponse."""
        return self.envelope.get("data")

    @property
    def result(self) -> str:
        return self.data["result"]


@dataclass
class CommandSender:
    """Sends commands to evroam's `/ocpi/{version}/commands/{COMMAND}` as the eMSP of `partner` (its token C),
    in the shapes of the partner's version; every command gets a response_url of its own at `emsp`.

    Fields the version lacks (2.1.1: connector_id, authorization_reference) are left out of its bodies."""

    ocpi: httpx.AsyncClient  # to evroam, with `ocpi_headers(partner)`
    partner: RegisteredPartner
    emsp: CommandEmsp
    token: dict[str, Any] = field(default_factory=lambda: token_document("APPDRIVER1"))

    @property
    def version(self) -> str:
        return self.partner.version

    def body(self, command: str, name: str, **fields: Any) -> dict[str, Any]:
        """The body of `command` with its response_url; None values are left out, as are fields the
        version does not have; a `token` given in 2.2.1's shape goes in the version's shape."""
        body: dict[str, Any] = {"response_url": self.emsp.response_url(name)}
        for key, value in fields.items():
            if value is None or (self.version == V211 and key in LACKING_211.get(command, ())):
                continue
            body[key] = token_211(value) if key == "token" and self.version == V211 else value
        return body

    async def send(self, command: str, body: dict[str, Any] | bytes, name: str | None = None) -> Sent:
        """POSTs `body` as it is (a malformed one too)."""
        url = f"/ocpi/{self.version}/commands/{command}"
        if isinstance(body, bytes):
            response = await self.ocpi.post(url, content=body, headers={"Content-Type": "application/json"})
        else:
            response = await self.ocpi.post(url, json=body)
        return Sent(command, name or "", response)

    async def command(self, command: str, **fields: Any) -> Sent:
        name = _result_name(command)
        return await self.send(command, self.body(command, name, **fields), name)

    async def start_session(self, location_id: str, evse_uid: str | None, connector_id: str | None = None,
                            authorization_reference: str | None = None, **more: Any) -> Sent:
        return await self.command(START_SESSION, token=more.pop("token", self.token), location_id=location_id,
                                  evse_uid=evse_uid, connector_id=connector_id,
                                  authorization_reference=authorization_reference, **more)

    async def stop_session(self, session_id: str, **more: Any) -> Sent:
        return await self.command(STOP_SESSION, session_id=session_id, **more)

    async def reserve_now(self, reservation_id: str | int, location_id: str, evse_uid: str | None,
                          expiry_date: str, **more: Any) -> Sent:
        """`reservation_id`: a string in 2.2.1, an int in 2.1.1 (the caller gives the version's type)."""
        return await self.command(RESERVE_NOW, token=more.pop("token", self.token), expiry_date=expiry_date,
                                  reservation_id=reservation_id, location_id=location_id, evse_uid=evse_uid, **more)

    async def cancel_reservation(self, reservation_id: str, **more: Any) -> Sent:
        return await self.command(CANCEL_RESERVATION, reservation_id=reservation_id, **more)

    async def unlock_connector(self, location_id: str, evse_uid: str, connector_id: str, **more: Any) -> Sent:
        return await self.command(UNLOCK_CONNECTOR, location_id=location_id, evse_uid=evse_uid,
                                  connector_id=connector_id, **more)

    # -- chargingprofiles (2.2.1): each request's result comes to a response_url of its own, like a command's

    async def set_charging_profile(self, session_id: str, profile: dict[str, Any],
                                   headers: dict[str, str] | None = None) -> Sent:
        """`headers`: more, such as the OCPI-from headers of a hub's eMSP."""
        name = _result_name(SET_CHARGING_PROFILE)
        body = {"charging_profile": profile, "response_url": self.emsp.response_url(name)}
        response = await self.ocpi.put(self._profiles_url(session_id), json=body, headers=headers)
        return Sent(SET_CHARGING_PROFILE, name, response)

    async def get_active_profile(self, session_id: str, duration: int = 900) -> Sent:
        name = _result_name(GET_ACTIVE_CHARGING_PROFILE)
        response = await self.ocpi.get(self._profiles_url(session_id),
                                       params={"duration": duration, "response_url": self.emsp.response_url(name)})
        return Sent(GET_ACTIVE_CHARGING_PROFILE, name, response)

    async def clear_profile(self, session_id: str) -> Sent:
        name = _result_name(CLEAR_PROFILE)
        response = await self.ocpi.delete(self._profiles_url(session_id),
                                          params={"response_url": self.emsp.response_url(name)})
        return Sent(CLEAR_PROFILE, name, response)

    def _profiles_url(self, session_id: str) -> str:
        return f"/ocpi/{self.version}/chargingprofiles/{session_id}"


def _result_name(request_type: str) -> str:
    """The name a request's response_url goes by: one of its own per request."""
    return f"{request_type.lower()}-{uuid.uuid4().hex[:12]}"
