"""Transport rules on every OCPI response (ocpi-notes §2), checked on the versions and credentials endpoints."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from evroam.network.operators import service as operator_service
from tests.ocpi.registration_support import pending_integration

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path or "<root>"]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _nulls(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _nulls(item, f"{path}[{index}]")]
    return []


def _assert_envelope(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["status_code"], int) and 1000 <= body["status_code"] < 5000
    assert TIMESTAMP.match(body["timestamp"]), body["timestamp"]
    assert set(body) <= {"data", "status_code", "status_message", "timestamp"}
    assert _nulls(body) == [], "optional fields are omitted, never null"
    return body


@pytest.fixture
async def anonymous(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_every_answer_is_an_envelope_without_nulls(ocpi_client, anonymous, runtime):
    answers = [
        await ocpi_client.get("/ocpi/versions"),
        await ocpi_client.get("/ocpi/2.2.1"),
        await ocpi_client.get("/ocpi/2.1.1/credentials"),
        await ocpi_client.post("/ocpi/2.2.1/credentials", json={}),  # registered: 405
        await ocpi_client.put("/ocpi/2.2.1/credentials", json={"token": "x"}),  # 2001
        await ocpi_client.get("/ocpi/9.9"),  # 404
        await ocpi_client.patch("/ocpi/2.2.1/credentials", json={}),  # 405 method
        await anonymous.get("/ocpi/versions"),  # 401
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 405, 200, 404, 405, 401]
    for answer in answers:
        _assert_envelope(answer)


async def test_optional_business_details_are_omitted(ocpi_client):
    data = (await ocpi_client.get("/ocpi/2.2.1/credentials")).json()["data"]
    assert data["roles"][0]["business_details"] == {"name": "Test CPO"}


async def test_operator_website_and_logo_are_sent_when_known(ocpi_client, runtime):
    async with runtime.sessions() as session:
        operator = await operator_service.default_operator(session, runtime.settings)
        operator.website = "https://cpo.example.com"
        operator.logo = {"url": "https://cpo.example.com/logo.png", "category": "OPERATOR", "type": "png",
                         "width": None}
        await session.commit()
    details = (await ocpi_client.get("/ocpi/2.2.1/credentials")).json()["data"]["roles"][0]["business_details"]
    assert details == {"name": "Test CPO", "website": "https://cpo.example.com",
                       "logo": {"url": "https://cpo.example.com/logo.png", "category": "OPERATOR", "type": "png"}}


async def test_message_ids_are_echoed(ocpi_client):
    request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    response = await ocpi_client.get("/ocpi/versions",
                                     headers={"X-Request-ID": request_id, "X-Correlation-ID": correlation_id})
    assert response.headers["x-request-id"] == request_id
    assert response.headers["x-correlation-id"] == correlation_id


async def test_message_ids_are_echoed_on_errors_too(anonymous):
    response = await anonymous.get("/ocpi/versions", headers={"x-request-id": "r-1", "x-correlation-id": "c-1"})
    assert response.status_code == 401
    assert (response.headers["x-request-id"], response.headers["x-correlation-id"]) == ("r-1", "c-1")


async def test_missing_message_ids_are_generated(ocpi_client):
    response = await ocpi_client.get("/ocpi/versions")
    for header in ("x-request-id", "x-correlation-id"):
        assert uuid.UUID(response.headers[header])


@pytest.mark.parametrize("header", [None, "Token", "Token ", "Basic abc", "Token does-not-exist"])
async def test_unknown_token_is_401(anonymous, header):
    response = await anonymous.get("/ocpi/2.2.1/credentials", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert _assert_envelope(response)["status_code"] == 2000


async def test_token_a_only_opens_versions_and_credentials(anonymous, runtime):
    _, token_a = await pending_integration(runtime)
    headers = {"Authorization": f"Token {token_a}"}
    assert (await anonymous.get("/ocpi/versions", headers=headers)).status_code == 200
    assert (await anonymous.get("/ocpi/2.2.1/credentials", headers=headers)).status_code == 200
    assert (await anonymous.get("/ocpi/2.2.1/hubclientinfo/NL/EXA", headers=headers)).status_code == 401


async def test_bad_parameters_and_bodies_are_2001_never_422(ocpi_client):
    bad_body = await ocpi_client.put("/ocpi/2.2.1/credentials", json={"token": "t", "url": "https://x.io"})
    assert bad_body.status_code == 200 and bad_body.json()["status_code"] == 2001
    bad_segment = await ocpi_client.get("/ocpi/2.2.1/hubclientinfo/NLD/EXA")
    assert bad_segment.status_code == 200 and bad_segment.json()["status_code"] == 2001
    not_json = await ocpi_client.put("/ocpi/2.2.1/credentials", content=b"{",
                                     headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["status_code"] == 2001


async def test_unknown_object_is_2003(ocpi_client):
    # A path with no endpoint is no unknown object: tests/ocpi/protocol/test_http_errors.py.
    response = await ocpi_client.get("/ocpi/2.2.1/hubclientinfo/NL/NOP")
    assert response.status_code == 404 and _assert_envelope(response)["status_code"] == 2003


async def test_timestamps_are_utc_with_z(ocpi_client):
    for path in ("/ocpi/versions", "/ocpi/9.9"):
        assert (await ocpi_client.get(path)).json()["timestamp"].endswith("Z")


async def test_trailing_slash_is_served_without_redirect(ocpi_client):
    with_slash = await ocpi_client.get("/ocpi/versions/")
    without = await ocpi_client.get("/ocpi/versions")
    assert with_slash.status_code == 200, with_slash.text
    assert with_slash.json()["data"] == without.json()["data"]
