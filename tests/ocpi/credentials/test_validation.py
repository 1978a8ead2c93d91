"""Credentials bodies that break the specification: OCPI 2001 naming the field, never a 422, nothing stored."""

from __future__ import annotations

import base64
import copy

import httpx
import pytest

from tests.ocpi.registration_support import load, pending_integration, token_kinds

VALID_221 = {
    "token": "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2",
    "url": "https://example.com/ocpi/versions",
    "roles": [{"role": "EMSP", "party_id": "EXA", "country_code": "NL", "business_details": {"name": "Example"}}],
}
VALID_211 = {
    "token": "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2",
    "url": "https://example.com/ocpi/versions",
    "party_id": "EXA",
    "country_code": "NL",
    "business_details": {"name": "Example"},
}

# Marks a field to remove from the valid document.
_DROP = object()


def _change(document: dict, path: str, value) -> dict:
    changed = copy.deepcopy(document)
    *parents, last = path.split(".")
    target = changed
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DROP:
        del target[last]
    else:
        target[last] = value
    return changed


@pytest.fixture
async def registering(app, runtime):
    integration_id, token_a = await pending_integration(runtime)
    header = "Token " + base64.b64encode(token_a.encode()).decode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": header}) as client:
        client.integration_id = integration_id
        yield client


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("token", _DROP, "token"),
        ("token", "x" * 65, "token"),
        ("token", "has space", "token"),
        ("token", "tökén", "token"),
        ("token", "", "token"),
        ("token", 12345, "token"),
        ("url", _DROP, "url"),
        ("url", "not a url", "url"),
        ("url", "https://example.com/" + "v" * 250, "url"),
        ("roles", _DROP, "roles"),
        ("roles", [], "roles"),
        ("roles.0.role", "DRIVER", "roles.0.role"),
        ("roles.0.party_id", "EX", "roles.0.party_id"),
        ("roles.0.party_id", "EXAM", "roles.0.party_id"),
        ("roles.0.country_code", "NLD", "roles.0.country_code"),
        ("roles.0.business_details", _DROP, "roles.0.business_details"),
        ("roles.0.business_details.name", _DROP, "roles.0.business_details.name"),
        ("roles.0.business_details.logo", {"url": "https://x.io/l.png", "category": "CAR", "type": "png"},
         "roles.0.business_details.logo.category"),
    ],
)
async def test_invalid_221_body_is_2001_naming_the_field(registering, runtime, path, value, field):
    response = await registering.post("/ocpi/2.2.1/credentials", json=_change(VALID_221, path, value))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status_code"] == 2001 and field in body["status_message"], body
    assert "data" not in body
    assert (await load(runtime, registering.integration_id)).integration_status == "PENDING"
    assert await token_kinds(runtime, registering.integration_id) == ["A"]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("party_id", _DROP, "party_id"),
        ("country_code", "N", "country_code"),
        ("business_details", _DROP, "business_details"),
        ("token", "a\tb", "token"),
    ],
)
async def test_invalid_211_body_is_2001_naming_the_field(registering, path, value, field):
    response = await registering.post("/ocpi/2.1.1/credentials", json=_change(VALID_211, path, value))
    body = response.json()
    assert response.status_code == 200 and body["status_code"] == 2001 and field in body["status_message"], body


async def test_the_same_party_twice_is_2001(registering):
    document = copy.deepcopy(VALID_221)
    document["roles"].append({**document["roles"][0], "party_id": "exa"})
    body = (await registering.post("/ocpi/2.2.1/credentials", json=document)).json()
    assert body["status_code"] == 2001 and "unique" in body["status_message"]


# An empty body is no JSON either: it fails at transport like one that does not parse (ocpi-notes §2.3).
@pytest.mark.parametrize("content", [b"{not json", b"[1, 2", b""])
async def test_body_that_is_not_json_is_400_with_2001(registering, content):
    response = await registering.post("/ocpi/2.2.1/credentials", content=content,
                                      headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["status_code"] == 2001


@pytest.mark.parametrize("content", [b"[]", b'"text"', b"null"])
async def test_non_object_body_is_2001(registering, content):
    response = await registering.post("/ocpi/2.2.1/credentials", content=content,
                                      headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["status_code"] == 2001


async def test_a_wrong_token_is_401_even_with_a_broken_body(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.post("/ocpi/2.2.1/credentials", content=b"{not json",
                                     headers={"Authorization": "Token unknown", "content-type": "application/json"})
    assert response.status_code == 401 and response.json()["status_code"] == 2000
