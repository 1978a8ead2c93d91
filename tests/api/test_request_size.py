"""Bounded requests: a body over EVROAM_MAX_REQUEST_BYTES is answered 413 before it is read, on the
management API and on OCPI, announced or chunked; a body under the cap with a million mistakes gets a
small error body (a 5 MB site with a million facilities once gave a 319 MB answer after 10 s)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson

from evroam.api.errors import MAX_DETAILS
from evroam.app import create_app
from evroam.tariffs.spot.routes import MAX_FILE_BYTES
from tests.conftest import API_KEY
from tests.integrations.factories import FULL_SITE

SITES = "/api/v2/cpo/sites"
SPOT_IMPORT = "/api/v2/cpo/spot-prices/import"
MIB = 1024 * 1024


def million_facilities() -> bytes:
    return orjson.dumps({**FULL_SITE, "facilities": ["NOT_A_FACILITY"] * 1_000_000})


async def in_chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_large_body_is_413_before_it_is_read(client):
    body = million_facilities()
    assert len(body) > 5 * MIB
    response = await client.post(SITES, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {
        "error": "The request body is larger than 1 MiB, the most this request takes", "details": []}  # fmt: skip


async def test_a_chunked_body_is_counted_as_it_arrives(client):
    response = await client.post(SITES, content=in_chunks(million_facilities()), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and response.json()["error"].startswith("The request body is larger")


async def test_ocpi_answers_in_its_envelope(ocpi_client):
    body = orjson.dumps({"party_id": "EXA", "country_code": "NL", "role": "EMSP", "status": "CONNECTED",
                         "last_updated": "2025-03-01T10:00:00Z", "padding": "x" * (2 * MIB)})  # fmt: skip
    for content in (body, in_chunks(body)):
        response = await ocpi_client.put("/ocpi/2.2.1/hubclientinfo/NL/EXA", content=content)
        assert response.status_code == 413
        assert response.json()["status_code"] == 2000 and "larger than 1 MiB" in response.json()["status_message"]


async def test_many_mistakes_under_the_cap_give_a_small_error(client):
    body = orjson.dumps({**FULL_SITE, "facilities": ["NOT_A_FACILITY"] * 60_000, "name": "n" * 5000})
    assert len(body) < MIB
    response = await client.post(SITES, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    details = response.json()["details"]
    assert len(details) == MAX_DETAILS + 1 and details[-1]["problem"].endswith("more problems not listed")
    assert len(response.content) < 10_000
    assert all(len(detail["problem"]) <= 200 for detail in details)


async def test_the_spot_file_import_keeps_its_own_larger_cap(client):
    over_the_general_cap = b"bidding_zone,start,end,currency,price_per_mwh\n" + b"#" * (2 * MIB)
    response = await client.post(SPOT_IMPORT, content=over_the_general_cap, headers={"content-type": "text/csv"})
    assert response.status_code == 400, "read and parsed: the file cap is 20 MB"
    assert response.json()["details"][0]["field"] == "body", "a CSV field over 128 KiB is refused, not a 500"
    too_large = b"x" * (MAX_FILE_BYTES + 1)
    response = await client.post(SPOT_IMPORT, content=in_chunks(too_large, MIB), headers={"content-type": "text/csv"})
    assert response.status_code == 413 and "larger than 20 MiB" in response.json()["error"]


async def test_the_cap_is_a_setting(runtime, tmp_path):
    runtime.settings.max_request_bytes = 4096
    app = create_app(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"x-api-key": API_KEY}) as client:  # fmt: skip
        small = await client.post(SITES, json={**FULL_SITE, "facilities": []})
        assert small.status_code == 201, small.text
        large = await client.post(SITES, json={**FULL_SITE, "facilities": ["PARKING_LOT"] * 500})
        assert large.status_code == 413 and "larger than 4096 bytes" in large.json()["error"]
