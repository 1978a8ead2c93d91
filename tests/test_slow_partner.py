"""A slow partner stalls nobody (issue #9, finding 3).

20 partners, each with its own token A, start credentials exchanges at once, all naming a versions URL
that accepts connections and never answers. While all 20 wait on it, a burst of management requests
must be served: no 5xx, every one answered while the 20 still wait, and no database connection held on
the exchanges' behalf. And 20 exchanges at once with one token A: one runs, the others are told 409 at
once, none reaches the partner. How fast they are served is measured by bench/bench_slow_partner.py, not here.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest

from tests.conftest import API_KEY, LOOPBACK
from tests.integrations.factories import API, make_site
from tests.ocpi.registration_support import pending_integration
from tests.support.internal_server import silent_partner

EXCHANGES = 20
MANAGEMENT_REQUESTS = 100
MANAGEMENT_CONCURRENCY = 10


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Timeouts far beyond the test, so the exchanges wait until the partner hangs up; a cap that lets
    # all 20 run (the default, 16, would answer 4 of them 503 at once).
    return {"partner_networks_allowed": LOOPBACK, "outbound_read_timeout": 60.0,
            "outbound_total_timeout": 60.0, "credentials_exchanges_max": EXCHANGES}


async def _exchange(http: httpx.AsyncClient, live: str, token_a: str, url: str) -> httpx.Response:
    document = {"token": f"slow-{token_a}", "url": url,
                "roles": [{"role": "EMSP", "party_id": "SLO", "country_code": "NL",
                           "business_details": {"name": "Slow eMSP"}}]}
    authorization = "Token " + base64.b64encode(token_a.encode()).decode()
    return await http.post(f"{live}/ocpi/2.2.1/credentials", headers={"Authorization": authorization},
                           json=document)


async def _management_burst(live: str) -> list[int]:
    gate = asyncio.Semaphore(MANAGEMENT_CONCURRENCY)
    async with httpx.AsyncClient(base_url=live, headers={"x-api-key": API_KEY}, timeout=120) as http:
        async def one() -> int:
            async with gate:
                return (await http.get(f"{API}/sites")).status_code

        return await asyncio.gather(*(one() for _ in range(MANAGEMENT_REQUESTS)))


async def test_management_is_served_while_twenty_exchanges_wait_on_a_silent_partner(client, runtime, live_evroam):
    for number in range(3):
        await make_site(client, name=f"Site {number}", externalId=f"SLOW-{number}")
    tokens = [(await pending_integration(runtime))[1] for _ in range(EXCHANGES)]
    limits = httpx.Limits(max_connections=EXCHANGES)
    async with httpx.AsyncClient(timeout=120, limits=limits) as partners:
        async with silent_partner() as partner:
            url = f"{partner.url}/ocpi/versions"
            exchanges = [asyncio.create_task(_exchange(partners, live_evroam, token, url)) for token in tokens]
            all_waiting = asyncio.create_task(partner.wait_for_requests(EXCHANGES))
            done, _ = await asyncio.wait({all_waiting, *exchanges}, return_when=asyncio.FIRST_COMPLETED)
            ended = [task.result() for task in exchanges if task in done]
            assert all_waiting in done and not ended, (
                f"{len(ended)} exchanges ended before the partner answered, {partner.requests} reached it: "
                + "; ".join(f"HTTP {answer.status_code} {answer.text[:200]}" for answer in ended))
            # Sampled before the burst: a management request may still be handing its connection back
            # after its answer went out.
            assert runtime.engine.pool.checkedout() == 0, "the waiting exchanges hold database connections"

            statuses = await _management_burst(live_evroam)

            assert [status for status in statuses if status != 200] == []
            still_waiting = sum(not task.done() for task in exchanges)
            assert still_waiting == EXCHANGES, "the management burst outlasted the exchanges"
        # The partner hung up: every exchange ends with a 3001 its partner can act on.
        answers = await asyncio.gather(*exchanges)
    assert {(answer.status_code, answer.json()["status_code"]) for answer in answers} == {(200, 3001)}


async def test_twenty_exchanges_with_one_token_a_run_one_at_a_time(runtime, live_evroam):
    _, token_a = await pending_integration(runtime)
    limits = httpx.Limits(max_connections=EXCHANGES)
    async with httpx.AsyncClient(timeout=120, limits=limits) as partners:
        async with silent_partner() as partner:
            url = f"{partner.url}/ocpi/versions"
            exchanges = {asyncio.create_task(_exchange(partners, live_evroam, token_a, url)) for _ in range(EXCHANGES)}
            a_second_reached_it = asyncio.create_task(partner.wait_for_requests(2))
            waiting = set(exchanges)
            while len(waiting) > 1 and not a_second_reached_it.done():
                _, waiting = await asyncio.wait({a_second_reached_it, *waiting}, return_when=asyncio.FIRST_COMPLETED)
                waiting.discard(a_second_reached_it)
            a_second_reached_it.cancel()
            refused = [task.result() for task in exchanges - waiting]
            assert partner.requests <= 1, f"{partner.requests} exchanges with one token A reached the partner"
            assert [(answer.status_code, answer.json()["status_code"]) for answer in refused] == [(409, 2000)] * 19
            assert "already under way" in refused[0].json()["status_message"]
        [running] = waiting
        answer = await running
    assert (answer.status_code, answer.json()["status_code"]) == (200, 3001), answer.text
