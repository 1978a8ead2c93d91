"""An eMSP of our own, over real HTTP: it registers with evroam (evroam is the credentials RECEIVER), then
pulls every page of locations and tariffs by following the Link headers, as a real crawler does."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from evroam.network.operators.models import Operator

from tests.conftest import API_KEY, OTHER_API_KEY
from tests.ocpi.factories import publish_sites
from tests.support.live_server import serve


def _envelope(data: Any) -> dict[str, Any]:
    return {"data": data, "status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}


@dataclass
class PullingEmsp:
    """Serves the versions evroam calls back during registration; pulls with the token evroam issues."""

    party_id: str
    base_url: str = ""
    token_b: str = field(default_factory=lambda: f"emsp-b-{uuid.uuid4().hex}")
    token_c: str | None = None

    def app(self) -> FastAPI:
        app = FastAPI()

        def authorised(request: Request) -> bool:
            expected = "Token " + base64.b64encode(self.token_b.encode()).decode()
            return request.headers.get("authorization") == expected

        @app.get("/versions")
        async def versions(request: Request):
            if not authorised(request):
                return JSONResponse({"status_code": 2000, "timestamp": "2026-01-01T00:00:00Z"}, status_code=401)
            return _envelope([{"version": "2.2.1", "url": f"{self.base_url}/2.2.1"}])

        @app.get("/2.2.1")
        async def details(request: Request):
            if not authorised(request):
                return JSONResponse({"status_code": 2000, "timestamp": "2026-01-01T00:00:00Z"}, status_code=401)
            endpoints = [{"identifier": "credentials", "role": "SENDER", "url": f"{self.base_url}/2.2.1/credentials"}]
            return _envelope({"version": "2.2.1", "endpoints": endpoints})

        return app

    @asynccontextmanager
    async def running(self) -> AsyncIterator[PullingEmsp]:
        async with serve(self.app()) as url:
            self.base_url = url
            yield self

    def authorization(self, token: str) -> dict[str, str]:
        return {"Authorization": "Token " + base64.b64encode(token.encode()).decode()}

    async def register(self, http: httpx.AsyncClient, versions_url: str, token_a: str) -> None:
        versions = (await http.get(versions_url, headers=self.authorization(token_a))).json()["data"]
        details_url = next(item["url"] for item in versions if item["version"] == "2.2.1")
        endpoints = (await http.get(details_url, headers=self.authorization(token_a))).json()["data"]["endpoints"]
        self.endpoints = {endpoint["identifier"]: endpoint["url"] for endpoint in endpoints}
        credentials = {
            "token": self.token_b,
            "url": f"{self.base_url}/versions",
            "roles": [{"role": "EMSP", "party_id": self.party_id, "country_code": "NL",
                       "business_details": {"name": f"eMSP {self.party_id}"}}],
        }
        answer = await http.post(self.endpoints["credentials"], json=credentials, headers=self.authorization(token_a))
        assert answer.json()["status_code"] == 1000, answer.text
        self.token_c = answer.json()["data"]["token"]

    async def pull(self, http: httpx.AsyncClient, module: str, **params: Any) -> list[dict[str, Any]]:
        """Every object of `module` matching `params`, page by page; checks the headers on the way."""
        objects: list[dict[str, Any]] = []
        response = await http.get(self.endpoints[module], params=params, headers=self.authorization(self.token_c))
        totals = set()
        while True:
            assert response.status_code == 200 and response.json()["status_code"] == 1000, response.text
            assert response.headers["x-limit"] == "1000"
            totals.add(int(response.headers["x-total-count"]))
            objects += response.json()["data"]
            link = response.headers.get("link")
            if link is None:
                break
            url = link.split(";")[0].strip("<> ")
            response = await http.get(url, headers=self.authorization(self.token_c))
        assert totals == {len(objects)}, "X-Total-Count is the number of objects crawled"
        return objects


async def create_receiving_integration(http: httpx.AsyncClient, base_url: str, api_key: str) -> tuple[str, str]:
    response = await http.post(f"{base_url}/api/v2/cpo/integrations", json={"integrationName": "Pull client"},
                               headers={"x-api-key": api_key})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["integrationId"], body["initialToken"]


async def test_emsps_register_and_pull_everything_they_may_see(runtime, live_evroam):
    versions_url = f"{live_evroam}/ocpi/versions"
    async with httpx.AsyncClient(timeout=30) as http:
        main_id, main_token = await create_receiving_integration(http, live_evroam, API_KEY)
        second_id, second_token = await create_receiving_integration(http, live_evroam, API_KEY)
        foreign_id, foreign_token = await create_receiving_integration(http, live_evroam, OTHER_API_KEY)
        mine = []
        for batch in (10, 8, 5):  # three publication moments, so the date filters have something to split
            mine += await publish_sites(runtime, main_id, batch, chargers=1)
            await asyncio.sleep(0.005)
        (second,) = await publish_sites(runtime, second_id, 1, chargers=1)
        async with runtime.sessions() as session:
            other_operator = await session.scalar(select(Operator.id).where(Operator.party_id == "OTH"))
        (foreign,) = await publish_sites(runtime, foreign_id, 1, chargers=1, operator_id=other_operator)

        emsps = {}
        for integration_id, token_a, party in ((main_id, main_token, "ONE"), (second_id, second_token, "TWO"),
                                               (foreign_id, foreign_token, "FOR")):
            emsp = PullingEmsp(party)
            async with emsp.running():
                await emsp.register(http, versions_url, token_a)
            emsps[integration_id] = emsp
        main = emsps[main_id]

        locations = await main.pull(http, "locations", limit=5)
        assert [location["id"] for location in locations] == [n.location_id for n in mine]
        tariffs = await main.pull(http, "tariffs", limit=4)
        assert sorted(tariff["id"] for tariff in tariffs) == sorted(n.tariff_id for n in mine)

        assert [loc["id"] for loc in await emsps[second_id].pull(http, "locations")] == [second.location_id]
        foreign_seen = await emsps[foreign_id].pull(http, "locations")
        assert [loc["id"] for loc in foreign_seen] == [foreign.location_id]
        assert foreign_seen[0]["party_id"] == "OTH", "each operator publishes as its own party"
        for stranger in (second.location_id, foreign.location_id):
            response = await http.get(f"{main.endpoints['locations']}/{stranger}", headers=main.authorization(main.token_c))
            assert response.status_code == 404 and response.json()["status_code"] == 2003

        stamps = sorted({location["last_updated"] for location in locations})
        assert len(stamps) == 3
        since = await main.pull(http, "locations", date_from=stamps[1], limit=3)
        before = await main.pull(http, "locations", date_to=stamps[1], limit=3)
        assert [loc["id"] for loc in since] == [n.location_id for n in mine[10:]], "date_from is inclusive"
        assert [loc["id"] for loc in before] == [n.location_id for n in mine[:10]], "date_to is exclusive"
        between = await main.pull(http, "locations", date_from=stamps[0], date_to=stamps[2], limit=7)
        assert [loc["id"] for loc in between] == [n.location_id for n in mine[:18]]
