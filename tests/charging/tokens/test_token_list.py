"""GET /api/v2/cpo/integrations/{integrationId}/tokens: the operator's view of the tokens an integration's
eMSP gave evroam, pushed over OCPI here; paged, filtered by uid (without case), type and valid."""

from __future__ import annotations

import httpx
import pytest

from tests.ocpi.tokens.test_receiver import URL, token
from tests.support.ocpi_partner import register_partner

API = "/api/v2/cpo/integrations"


async def pushed_tokens(app, runtime) -> str:
    """Five tokens pushed by one partner, one by another; the first partner's integration id."""
    partner = await register_partner(runtime)
    neighbour = await register_partner(runtime)
    bodies = [
        token(uid="AA11", type="RFID", visual_number="card 1", group_id="G1", language="nl"),
        token(uid="aa11", type="APP_USER", whitelist="NEVER"),
        token(uid="BB22", type="RFID", valid=False),
        token(uid="CC33", type="OTHER", default_profile_type="GREEN"),
        token(uid="DD44", type="AD_HOC_USER", valid=False),
    ]
    for headers, pushes in ((partner.authorization, bodies), (neighbour.authorization, [token(uid="AA11")])):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                     headers={"Authorization": headers}) as ocpi:
            for body in pushes:
                answer = await ocpi.put(f"{URL}/NL/EMS/{body['uid']}?type={body['type']}", json=body)
                assert answer.status_code == 201, answer.text
    return partner.integration_id


async def test_the_list_shows_each_token_in_camel_case(app, runtime, client):
    integration_id = await pushed_tokens(app, runtime)
    listing = (await client.get(f"{API}/{integration_id}/tokens")).json()
    assert listing["totalRecords"] == 5 and listing["hasNextPage"] is False
    first = listing["items"][0]
    assert first.pop("seenAt").endswith("Z")
    assert first == {
        "uid": "AA11", "type": "RFID", "countryCode": "NL", "partyId": "EMS", "contractId": "NL8ACC12E46L89",
        "visualNumber": "card 1", "issuer": "TheNewMotion", "groupId": "G1", "valid": True, "whitelist": "ALWAYS",
        "language": "nl", "lastUpdated": "2015-06-29T22:39:09Z",
    }
    assert listing["items"][3]["defaultProfileType"] == "GREEN"
    assert "language" not in listing["items"][1], "absent fields are left out"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"uid": "aa11"}, [("AA11", "RFID"), ("aa11", "APP_USER")]),
        ({"uid": "AA1"}, []),
        ({"type": "RFID"}, [("AA11", "RFID"), ("BB22", "RFID")]),
        ({"valid": "false"}, [("BB22", "RFID"), ("DD44", "AD_HOC_USER")]),
        ({"valid": "true", "type": "APP_USER"}, [("aa11", "APP_USER")]),
        ({"uid": "Bb22", "valid": "true"}, []),
    ],
)
async def test_filters(app, runtime, client, params, expected):
    integration_id = await pushed_tokens(app, runtime)
    listing = (await client.get(f"{API}/{integration_id}/tokens", params=params)).json()
    assert [(item["uid"], item["type"]) for item in listing["items"]] == expected
    assert listing["totalRecords"] == len(expected)


async def test_pages(app, runtime, client):
    integration_id = await pushed_tokens(app, runtime)
    pages = [(await client.get(f"{API}/{integration_id}/tokens", params={"limit": 2, "page": page})).json()
             for page in (1, 2, 3)]
    assert [[item["uid"] for item in page["items"]] for page in pages] == [["AA11", "aa11"], ["BB22", "CC33"], ["DD44"]]
    assert [(page["hasNextPage"], page["hasPreviousPage"], page["totalRecords"]) for page in pages] == [
        (True, False, 5), (True, True, 5), (False, True, 5)]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"type": "CARD"}, "type"), ({"valid": "maybe"}, "valid"), ({"uid": "x" * 37}, "uid"),
     ({"uid": ""}, "uid"), ({"limit": 101}, "limit"), ({"colour": "red"}, "colour")],
)
async def test_a_bad_filter_is_400_naming_it(runtime, client, params, field):
    partner = await register_partner(runtime)
    response = await client.get(f"{API}/{partner.integration_id}/tokens", params=params)
    assert response.status_code == 400, response.text
    assert field in [detail["field"] for detail in response.json()["details"]], response.text


async def test_another_operators_or_an_unknown_integration_is_404(app, runtime, client, other_client):
    integration_id = await pushed_tokens(app, runtime)
    assert (await other_client.get(f"{API}/{integration_id}/tokens")).status_code == 404
    assert (await client.get(f"{API}/unknown/tokens")).status_code == 404
    assert (await client.get(f"{API}/{integration_id}/tokens", headers={"x-api-key": "wrong"})).status_code == 401
