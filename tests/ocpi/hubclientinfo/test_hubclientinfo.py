"""HubClientInfo Receiver (2.2.1): a Hub pushes ClientInfo objects; we keep one per country_code/party_id."""

from __future__ import annotations

import httpx
import pytest

from tests.support.ocpi_partner import register_partner
from tests.ocpi.registration_support import load, pending_integration

URL = "/ocpi/2.2.1/hubclientinfo"
INFO = {"party_id": "EXA", "country_code": "NL", "role": "EMSP", "status": "CONNECTED",
        "last_updated": "2025-03-01T10:00:00Z"}


async def test_put_then_get(ocpi_client, partner, runtime):
    created = await ocpi_client.put(f"{URL}/NL/EXA", json=INFO)
    assert created.status_code == 201 and created.json()["status_code"] == 1000
    fetched = await ocpi_client.get(f"{URL}/nl/exa")
    assert fetched.status_code == 200
    assert fetched.json()["data"] == {**INFO, "last_updated": "2025-03-01T10:00:00.000Z"}
    row = await load(runtime, partner.integration_id)
    assert row.hub_client_info == [fetched.json()["data"]]


async def test_put_replaces_the_same_party_and_keeps_others(ocpi_client, partner, runtime):
    await ocpi_client.put(f"{URL}/NL/EXA", json=INFO)
    await ocpi_client.put(f"{URL}/DE/OTH", json={**INFO, "country_code": "DE", "party_id": "OTH", "role": "CPO"})
    updated = await ocpi_client.put(f"{URL}/NL/EXA", json={**INFO, "party_id": "exa", "status": "SUSPENDED",
                                                            "last_updated": "2025-03-02T12:00:00+02:00"})
    assert updated.status_code == 200
    stored = (await load(runtime, partner.integration_id)).hub_client_info
    assert sorted((i["country_code"], i["party_id"], i["status"], i["last_updated"]) for i in stored) == [
        ("DE", "OTH", "CONNECTED", "2025-03-01T10:00:00.000Z"),
        ("NL", "EXA", "SUSPENDED", "2025-03-02T10:00:00.000Z"),
    ]


async def test_datetime_without_designator_is_utc(ocpi_client):
    await ocpi_client.put(f"{URL}/NL/EXA", json={**INFO, "last_updated": "2025-03-01T10:00:00.5"})
    assert (await ocpi_client.get(f"{URL}/NL/EXA")).json()["data"]["last_updated"] == "2025-03-01T10:00:00.500Z"


async def test_unknown_party_is_404_with_2003(ocpi_client):
    response = await ocpi_client.get(f"{URL}/NL/NOP")
    assert response.status_code == 404 and response.json()["status_code"] == 2003


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "DRIVER"}, "role"),
        ({"status": "ONLINE"}, "status"),
        ({"last_updated": "yesterday"}, "last_updated"),
        ({"last_updated": None}, "last_updated"),
        ({"party_id": "EXAM"}, "party_id"),
    ],
)
async def test_invalid_client_info_is_2001(ocpi_client, partner, runtime, change, field):
    response = await ocpi_client.put(f"{URL}/NL/EXA", json={**INFO, **change})
    assert response.status_code == 200
    assert response.json()["status_code"] == 2001 and field in response.json()["status_message"]
    assert (await load(runtime, partner.integration_id)).hub_client_info == []


async def test_missing_field_is_2001(ocpi_client):
    body = {key: value for key, value in INFO.items() if key != "status"}
    response = await ocpi_client.put(f"{URL}/NL/EXA", json=body)
    assert response.json()["status_code"] == 2001 and "status: is required" in response.json()["status_message"]


async def test_url_and_body_party_must_agree(ocpi_client):
    response = await ocpi_client.put(f"{URL}/DE/EXA", json=INFO)
    assert response.json()["status_code"] == 2001


@pytest.mark.parametrize("path", [f"{URL}/NLD/EXA", f"{URL}/NL/EX"])
async def test_bad_url_segments_are_2001(ocpi_client, path):
    assert (await ocpi_client.get(path)).json()["status_code"] == 2001
    assert (await ocpi_client.put(path, json=INFO)).json()["status_code"] == 2001


async def test_each_hub_sees_only_its_own_client_info(app, ocpi_client, runtime):
    await ocpi_client.put(f"{URL}/NL/EXA", json=INFO)
    other = await register_partner(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": other.authorization}) as client:
        assert (await client.get(f"{URL}/NL/EXA")).status_code == 404


async def test_token_a_is_refused(app, runtime):
    _, token_a = await pending_integration(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.put(f"{URL}/NL/EXA", json=INFO, headers={"Authorization": f"Token {token_a}"})
    assert response.status_code == 401


async def test_no_delete(ocpi_client):
    response = await ocpi_client.delete(f"{URL}/NL/EXA")
    assert response.status_code == 405 and response.json()["status_code"] == 2000
