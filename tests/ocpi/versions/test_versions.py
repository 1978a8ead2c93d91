"""GET /ocpi/versions and the version details: our endpoints under the public URL, per partner's models."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.support.ocpi_partner import register_partner
from tests.ocpi.registration_support import pending_integration


def _auth(token: str, encoding: str = "base64") -> dict[str, str]:
    value = base64.b64encode(token.encode()).decode() if encoding == "base64" else token
    return {"Authorization": f"Token {value}"}


async def test_versions_lists_what_we_speak_under_the_public_url(ocpi_client):
    response = await ocpi_client.get("/ocpi/versions")
    assert response.status_code == 200
    body = response.json()
    assert body["status_code"] == 1000
    assert body["data"] == [
        {"version": "2.2.1", "url": "http://testserver/ocpi/2.2.1"},
        {"version": "2.2", "url": "http://testserver/ocpi/2.2"},
        {"version": "2.1.1", "url": "http://testserver/ocpi/2.1.1"},
    ]


async def test_details_221_lists_credentials_senders_and_receivers(ocpi_client):
    body = (await ocpi_client.get("/ocpi/2.2.1")).json()
    assert body["data"] == {
        "version": "2.2.1",
        "endpoints": [
            {"identifier": "credentials", "url": "http://testserver/ocpi/2.2.1/credentials", "role": "SENDER"},
            {"identifier": "locations", "url": "http://testserver/ocpi/2.2.1/locations", "role": "SENDER"},
            {"identifier": "tariffs", "url": "http://testserver/ocpi/2.2.1/tariffs", "role": "SENDER"},
            {"identifier": "sessions", "url": "http://testserver/ocpi/2.2.1/sessions", "role": "SENDER"},
            {"identifier": "cdrs", "url": "http://testserver/ocpi/2.2.1/cdrs", "role": "SENDER"},
            {"identifier": "tokens", "url": "http://testserver/ocpi/2.2.1/tokens", "role": "RECEIVER"},
            {"identifier": "commands", "url": "http://testserver/ocpi/2.2.1/commands", "role": "RECEIVER"},
            {"identifier": "chargingprofiles", "url": "http://testserver/ocpi/2.2.1/chargingprofiles", "role": "RECEIVER"},
            {"identifier": "hubclientinfo", "url": "http://testserver/ocpi/2.2.1/hubclientinfo", "role": "RECEIVER"},
        ],
    }


async def test_details_22_is_served_by_the_221_endpoints(ocpi_client):
    body = (await ocpi_client.get("/ocpi/2.2")).json()
    assert body["data"]["version"] == "2.2"
    assert {e["url"] for e in body["data"]["endpoints"]} >= {"http://testserver/ocpi/2.2.1/credentials"}


async def test_details_211_have_no_roles_and_no_hubclientinfo(ocpi_client):
    body = (await ocpi_client.get("/ocpi/2.1.1")).json()
    assert body["data"] == {
        "version": "2.1.1",
        "endpoints": [
            {"identifier": "credentials", "url": "http://testserver/ocpi/2.1.1/credentials"},
            {"identifier": "locations", "url": "http://testserver/ocpi/2.1.1/locations"},
            {"identifier": "tariffs", "url": "http://testserver/ocpi/2.1.1/tariffs"},
            {"identifier": "sessions", "url": "http://testserver/ocpi/2.1.1/sessions"},
            {"identifier": "cdrs", "url": "http://testserver/ocpi/2.1.1/cdrs"},
            {"identifier": "tokens", "url": "http://testserver/ocpi/2.1.1/tokens"},
            {"identifier": "commands", "url": "http://testserver/ocpi/2.1.1/commands"},
        ],
    }


@pytest.mark.parametrize(
    ("models", "expected"),
    [
        ({"pullLocation": False}, ["credentials", "tariffs", "sessions", "cdrs", "tokens", "commands", "chargingprofiles", "hubclientinfo"]),
        ({"pullTariff": False, "pullLocation": None}, ["credentials", "locations", "sessions", "cdrs", "tokens", "commands",
                                                        "chargingprofiles", "hubclientinfo"]),
        ({"pullTariff": False, "pullLocation": False, "pullSession": False, "pullCdr": False},
         ["credentials", "tokens", "commands", "chargingprofiles", "hubclientinfo"]),
        ({"pullSession": False}, ["credentials", "locations", "tariffs", "cdrs", "tokens", "commands", "chargingprofiles", "hubclientinfo"]),
        ({"pullCdr": False}, ["credentials", "locations", "tariffs", "sessions", "tokens", "commands", "chargingprofiles", "hubclientinfo"]),
        ({"pullTariff": True, "pullLocation": True}, ["credentials", "locations", "tariffs", "sessions", "cdrs", "tokens",
                                                      "commands", "chargingprofiles", "hubclientinfo"]),
    ],
)
async def test_modules_follow_the_integrations_models(app, runtime, models, expected):
    partner = await register_partner(runtime, models=models)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        body = (await client.get("/ocpi/2.2.1", headers={"Authorization": partner.authorization})).json()
    assert [e["identifier"] for e in body["data"]["endpoints"]] == expected


async def test_urls_follow_the_public_url(ocpi_client, runtime):
    runtime.settings.public_url = "https://cpo.example.com/"
    body = (await ocpi_client.get("/ocpi/versions")).json()
    assert body["data"][0]["url"] == "https://cpo.example.com/ocpi/2.2.1"
    details = (await ocpi_client.get("/ocpi/2.2.1")).json()
    assert details["data"]["endpoints"][0]["url"] == "https://cpo.example.com/ocpi/2.2.1/credentials"


@pytest.mark.parametrize("encoding", ["base64", "plain"])
async def test_token_a_opens_versions_and_details_in_either_encoding(ocpi_client, runtime, encoding):
    _, token_a = await pending_integration(runtime)
    for path in ("/ocpi/versions", "/ocpi/2.2.1", "/ocpi/2.1.1"):
        response = await ocpi_client.get(path, headers=_auth(token_a, encoding))
        assert response.status_code == 200 and response.json()["status_code"] == 1000, path


@pytest.mark.parametrize("path", ["/ocpi/versions/", "/ocpi/2.2.1/", "/ocpi/2.1.1/"])
async def test_trailing_slash_is_accepted(ocpi_client, path):
    response = await ocpi_client.get(path)
    assert response.status_code == 200 and response.json()["status_code"] == 1000


@pytest.mark.parametrize("path", ["/ocpi/versions", "/ocpi/2.2.1", "/ocpi/2.1.1"])
@pytest.mark.parametrize("header", [None, "Token nope", "Bearer x", "Token " + base64.b64encode(b"nope").decode()])
async def test_unknown_or_missing_token_is_401(app, path, header):
    headers = {"Authorization": header} if header else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.json()["status_code"] == 2000


async def test_unknown_version_is_404_naming_the_path(ocpi_client):
    response = await ocpi_client.get("/ocpi/2.0")
    assert response.status_code == 404
    # 2000, not 2003: OCPI clients read 2003 as "Unknown Location".
    assert response.json()["status_code"] == 2000
    assert response.json()["status_message"] == "No OCPI endpoint at GET /ocpi/2.0"
