"""Tokens Receiver (ocpi-notes §12.2): the eMSP pushes its tokens with PUT and PATCH and reads our copy with
GET; per integration, only for the parties the connection stands for, every refusal changing nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from evroam.charging.tokens.models import PartnerToken
from tests.ocpi.factories import example, schema_errors, set_integration, version_schema_errors
from tests.support.ocpi_partner import RegisteredPartner, register_partner

URL = "/ocpi/2.2.1/tokens"
URL_211 = "/ocpi/2.1.1/tokens"


def token(**changes: Any) -> dict[str, Any]:
    """A token of the party tests/support/ocpi_partner.py registers (NL/EMS)."""
    return {**example("token_put.json"), "country_code": "NL", "party_id": "EMS", **changes}


def token_211(**changes: Any) -> dict[str, Any]:
    return {"uid": "012345678", "type": "RFID", "auth_id": "NL-EMS-C12345678-X", "visual_number": "DF000-2001-8999-1",
            "issuer": "TheNewMotion", "valid": True, "whitelist": "ALWAYS", "language": "nl",
            "last_updated": "2015-06-29T22:39:09Z", **changes}


async def stored(runtime, integration_id: str | None = None) -> list[PartnerToken]:
    async with runtime.sessions() as session:
        query = select(PartnerToken).order_by(PartnerToken.id)
        if integration_id is not None:
            query = query.where(PartnerToken.integration_id == integration_id)
        return list((await session.scalars(query)).all())


def ocpi_status(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["status_code"]


@pytest.fixture
async def client_211(app, runtime):
    partner = await register_partner(runtime, "2.1.1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": partner.authorization}) as client:
        client.partner = partner
        yield client


def as_client(app, partner: RegisteredPartner) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                             headers={"Authorization": partner.authorization})


# The specification's examples.


async def test_the_spec_put_example_is_created_then_updated_and_read_back(app, runtime):
    partner = await register_partner(runtime)
    await set_integration(runtime, partner.integration_id, partners_company_detail=[
        {"role": "EMSP", "partyId": "TNM", "countryCode": "NL", "name": "TheNewMotion"}])
    body = example("token_put.json")
    async with as_client(app, partner) as client:
        created = await client.put(f"{URL}/NL/TNM/012345678", json=body)
        assert ocpi_status(created) == (201, 1000), created.text
        assert "data" not in created.json()
        updated = await client.put(f"{URL}/NL/TNM/012345678?type=RFID", json={**body, "whitelist": "ALLOWED"})
        assert ocpi_status(updated) == (200, 1000), updated.text
        read = await client.get(f"{URL}/nl/tnm/012345678")
    assert ocpi_status(read) == (200, 1000)
    assert read.json()["data"] == {**body, "whitelist": "ALLOWED", "last_updated": "2015-06-29T22:39:09.000Z"}
    assert schema_errors("tokens", "Token", read.json()["data"]) == []
    [row] = await stored(runtime, partner.integration_id)
    assert (row.country_code, row.party_id, row.uid, row.type, row.whitelist) == ("NL", "TNM", "012345678", "RFID",
                                                                                  "ALLOWED")


async def test_the_spec_patch_example_invalidates_the_token(app, runtime):
    partner = await register_partner(runtime)
    await set_integration(runtime, partner.integration_id, partners_company_detail=[
        {"role": "EMSP", "partyId": "TNM", "countryCode": "NL", "name": "TheNewMotion"}])
    async with as_client(app, partner) as client:
        await client.put(f"{URL}/NL/TNM/012345678", json=example("token_put.json"))
        patched = await client.patch(f"{URL}/NL/TNM/012345678", json=example("patch_token_invalidate.json"))
        assert ocpi_status(patched) == (200, 1000), patched.text
        data = (await client.get(f"{URL}/NL/TNM/012345678")).json()["data"]
    assert data["valid"] is False and data["last_updated"] == "2019-06-19T02:11:11.000Z"
    assert data["contract_id"] == "NL8ACC12E46L89", "the fields the PATCH leaves out are kept"
    [row] = await stored(runtime, partner.integration_id)
    assert row.valid is False and row.document["valid"] is False


@pytest.mark.parametrize(("name", "query"), [("token.json", ""), ("token_app_user.json", "?type=APP_USER")])
async def test_the_full_rfid_and_app_user_examples_are_kept_whole(app, runtime, name, query):
    partner = await register_partner(runtime)
    await set_integration(runtime, partner.integration_id, partners_company_detail=[
        {"role": "EMSP", "partyId": "TNM", "countryCode": "DE", "name": "TheNewMotion"}])
    body = example(name)
    async with as_client(app, partner) as client:
        assert ocpi_status(await client.put(f"{URL}/DE/TNM/{body['uid']}{query}", json=body)) == (201, 1000)
        data = (await client.get(f"{URL}/DE/TNM/{body['uid']}{query}")).json()["data"]
    assert data == {**body, "last_updated": body["last_updated"].replace("Z", ".000Z")}


# Validation: 2001 naming what is wrong, nothing stored.


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        (f"{URL}/NL/EMS/012345678?type=CARD", token(), "type"),
        (f"{URL}/NL/EMS/012345678?type=rfid", token(), "type"),
        (f"{URL}/NLD/EMS/012345678", token(), "country_code"),
        (f"{URL}/NL/EM/012345678", token(), "party_id"),
        (f"{URL}/NL/EMS/{'1' * 37}", token(), "uid"),
        (f"{URL}/NL/EMS/012345678", token(type="CARD"), "type"),
        (f"{URL}/NL/EMS/012345678", token(whitelist="SOMETIMES"), "whitelist"),
        (f"{URL}/NL/EMS/012345678", token(contract_id=None), "contract_id"),
        (f"{URL}/NL/EMS/012345678", token(last_updated="yesterday"), "last_updated"),
        (f"{URL}/NL/EMS/012345678", token(issuer="x" * 65), "issuer"),
        (f"{URL}/NL/EMS/012345678", {k: v for k, v in token().items() if k != "valid"}, "valid"),
        (f"{URL}/NL/EMS/012345678", token(uid="87654321"), "uid"),
        (f"{URL}/NL/EMS/012345678", token(party_id="OTH"), "party_id"),
        (f"{URL}/NL/EMS/012345678", token(country_code="DE"), "country_code"),
        (f"{URL}/NL/EMS/012345678?type=OTHER", token(), "type"),
        (f"{URL}/DE/EMS/012345678", token(country_code="DE"), "country_code/party_id"),
        # 2.1.1: two types only, the registered party, auth_id.
        (f"{URL_211}/NL/EMS/012345678?type=APP_USER", token_211(), "type"),
        (f"{URL_211}/NL/EMS/012345678", token_211(type="APP_USER"), "type"),
        (f"{URL_211}/DE/XYZ/012345678", token_211(), "country_code/party_id"),
        (f"{URL_211}/NL/EMS/012345678", {k: v for k, v in token_211().items() if k != "auth_id"}, "auth_id"),
        (f"{URL_211}/NL/EMS/012345678", token_211(uid="other"), "uid"),
    ],
)
async def test_a_refused_put_is_2001_naming_the_field_and_stores_nothing(ocpi_client, client_211, runtime, path,
                                                                         body, named):
    response = await (client_211 if path.startswith(URL_211) else ocpi_client).put(path, json=body)
    assert ocpi_status(response) == (200, 2001), response.text
    assert response.json()["status_message"].startswith(f"{named}:"), response.text
    assert await stored(runtime) == []


async def test_a_body_that_is_not_json_is_http_400(ocpi_client, runtime):
    response = await ocpi_client.put(f"{URL}/NL/EMS/012345678", content=b"{not json")
    assert ocpi_status(response) == (400, 2001)
    assert await stored(runtime) == []


async def test_the_uid_and_party_compare_without_case(ocpi_client, runtime):
    response = await ocpi_client.put(f"{URL}/nl/ems/abc123", json=token(uid="ABC123", party_id="ems"))
    assert ocpi_status(response) == (201, 1000), response.text
    assert (await ocpi_client.get(f"{URL}/NL/EMS/Abc123")).json()["data"]["uid"] == "ABC123"


async def test_a_refused_put_leaves_the_stored_token_as_it_was(ocpi_client, runtime):
    await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token())
    before = [(row.document, row.last_updated) for row in await stored(runtime)]
    refused = await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token(valid=False, whitelist="SOMETIMES"))
    assert refused.json()["status_code"] == 2001
    assert [(row.document, row.last_updated) for row in await stored(runtime)] == before


async def test_an_older_put_does_not_undo_a_newer_one(ocpi_client, runtime):
    await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token(valid=False, last_updated="2020-01-02T00:00:00Z"))
    older = await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token(valid=True, last_updated="2020-01-01T00:00:00Z"))
    assert ocpi_status(older) == (200, 1000)
    assert (await ocpi_client.get(f"{URL}/NL/EMS/012345678")).json()["data"]["valid"] is False


# PATCH.


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"valid": False}, "last_updated"),
        ({"valid": False, "last_updated": None}, "last_updated"),
        ({"uid": "OTHER-UID", "last_updated": "2020-01-01T00:00:00Z"}, "uid"),
        ({"type": "APP_USER", "last_updated": "2020-01-01T00:00:00Z"}, "type"),
        ({"country_code": "DE", "last_updated": "2020-01-01T00:00:00Z"}, "country_code"),
        ({"party_id": "XYZ", "last_updated": "2020-01-01T00:00:00Z"}, "party_id"),
        ({"whitelist": "SOMETIMES", "last_updated": "2020-01-01T00:00:00Z"}, "whitelist"),
        ({"contract_id": None, "last_updated": "2020-01-01T00:00:00Z"}, None),
    ],
)
async def test_a_refused_patch_is_2001_and_changes_nothing(ocpi_client, runtime, body, named):
    await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token())
    before = [row.document for row in await stored(runtime)]
    response = await ocpi_client.patch(f"{URL}/NL/EMS/012345678", json=body)
    if named is None:
        # null is "not given" in a PATCH: nothing to change but last_updated, and the token stays whole.
        assert ocpi_status(response) == (200, 1000), response.text
        assert (await stored(runtime))[0].document["contract_id"] == before[0]["contract_id"]
        return
    assert ocpi_status(response) == (200, 2001), response.text
    assert response.json()["status_message"].startswith(f"{named}:"), response.text
    assert [row.document for row in await stored(runtime)] == before


async def test_a_patch_repeating_the_key_fields_is_accepted(ocpi_client):
    await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token())
    response = await ocpi_client.patch(f"{URL}/NL/EMS/012345678", json={
        "country_code": "nl", "party_id": "EMS", "uid": "012345678", "type": "RFID", "whitelist": "NEVER",
        "last_updated": "2020-01-01T00:00:00Z"})
    assert ocpi_status(response) == (200, 1000), response.text
    assert (await ocpi_client.get(f"{URL}/NL/EMS/012345678")).json()["data"]["whitelist"] == "NEVER"


async def test_patch_and_get_of_an_unknown_token_are_404_with_2004(ocpi_client, runtime):
    await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token())
    patch = {"valid": False, "last_updated": "2020-01-01T00:00:00Z"}
    for method, path in (("PATCH", f"{URL}/NL/EMS/999"), ("PATCH", f"{URL}/NL/EMS/012345678?type=APP_USER"),
                         ("GET", f"{URL}/NL/EMS/999"), ("GET", f"{URL}/NL/EMS/012345678?type=OTHER")):
        response = await ocpi_client.request(method, path, json=patch if method == "PATCH" else None)
        assert ocpi_status(response) == (404, 2004), (method, path, response.text)
        assert "data" not in response.json()
    assert len(await stored(runtime)) == 1 and (await stored(runtime))[0].valid is True


# Whose tokens a connection may write.


async def test_a_platform_writes_the_tokens_of_each_of_its_emsps_only(app, runtime):
    partner = await register_partner(runtime)
    await set_integration(runtime, partner.integration_id, partners_company_detail=[
        {"role": "EMSP", "partyId": "EMS", "countryCode": "NL", "name": "One"},
        {"role": "EMSP", "partyId": "TWO", "countryCode": "DE", "name": "Two"},
        {"role": "CPO", "partyId": "CPO", "countryCode": "DE", "name": "Their CPO"}])
    async with as_client(app, partner) as client:
        assert (await client.put(f"{URL}/DE/TWO/1", json=token(uid="1", country_code="DE", party_id="TWO"))).status_code == 201
        assert (await client.put(f"{URL}/NL/EMS/1", json=token(uid="1"))).status_code == 201
        refused = await client.put(f"{URL}/DE/CPO/1", json=token(uid="1", country_code="DE", party_id="CPO"))
    assert refused.json()["status_code"] == 2001 and "DE/CPO" in refused.json()["status_message"]
    assert {(row.country_code, row.party_id) for row in await stored(runtime)} == {("DE", "TWO"), ("NL", "EMS")}


async def test_a_hub_relays_the_tokens_of_the_emsps_behind_it(app, runtime):
    partner = await register_partner(runtime)
    await set_integration(runtime, partner.integration_id,
                          partners_company_detail=[{"role": "HUB", "partyId": "HUB", "countryCode": "DE", "name": "Hub"}],
                          hub_client_info=[
                              {"country_code": "NL", "party_id": "ABC", "role": "EMSP", "status": "CONNECTED",
                               "last_updated": "2025-01-01T00:00:00.000Z"},
                              {"country_code": "BE", "party_id": "CPX", "role": "CPO", "status": "CONNECTED",
                               "last_updated": "2025-01-01T00:00:00.000Z"}])
    hub_from = {"OCPI-from-country-code": "DE", "OCPI-from-party-id": "HUB"}
    async with as_client(app, partner) as client:
        relayed = await client.put(f"{URL}/NL/ABC/1", json=token(uid="1", party_id="ABC"), headers=hub_from)
        assert ocpi_status(relayed) == (201, 1000), relayed.text
        for party in ("BE/CPX", "DE/HUB"):
            country_code, party_id = party.split("/")
            refused = await client.put(f"{URL}/{party}/1", json=token(uid="1", country_code=country_code,
                                                                       party_id=party_id))
            assert refused.json()["status_code"] == 2001, party
    assert [(row.country_code, row.party_id) for row in await stored(runtime)] == [("NL", "ABC")]


async def test_two_integrations_never_see_or_change_each_others_tokens(app, runtime, client, other_client):
    first = await register_partner(runtime)
    second = await register_partner(runtime)
    other_operators = await register_partner(runtime, operator_id=await _other_operator_id(runtime))
    async with as_client(app, first) as one, as_client(app, second) as two, as_client(app, other_operators) as three:
        assert (await one.put(f"{URL}/NL/EMS/012345678", json=token())).status_code == 201
        for stranger in (two, three):
            read = await stranger.get(f"{URL}/NL/EMS/012345678")
            assert ocpi_status(read) == (404, 2004)
            patch = await stranger.patch(f"{URL}/NL/EMS/012345678", json={"valid": False,
                                                                         "last_updated": "2030-01-01T00:00:00Z"})
            assert ocpi_status(patch) == (404, 2004)
        # The same key pushed by the second partner is a token of its own: the first one's is untouched.
        assert (await two.put(f"{URL}/NL/EMS/012345678", json=token(valid=False))).status_code == 201
        assert (await one.get(f"{URL}/NL/EMS/012345678")).json()["data"]["valid"] is True
    rows = await stored(runtime)
    assert sorted((row.integration_id, row.valid) for row in rows) == sorted(
        [(first.integration_id, True), (second.integration_id, False)])
    listed = await other_client.get(f"/api/v2/cpo/integrations/{first.integration_id}/tokens")
    assert listed.status_code == 404


async def _other_operator_id(runtime) -> int:
    from evroam.network.operators.models import Operator

    async with runtime.sessions() as session:
        return await session.scalar(select(Operator.id).where(Operator.party_id == "OTH"))


async def test_a_connection_of_another_version_is_told_where_to_go(ocpi_client):
    response = await ocpi_client.put(f"{URL_211}/NL/EMS/012345678", json=token_211())
    assert response.status_code == 404 and "2.2.1" in response.json()["status_message"]


# 2.1.1 shapes.


async def test_a_211_token_takes_the_registered_party_and_reads_back_in_211_shape(client_211, runtime):
    created = await client_211.put(f"{URL_211}/NL/EMS/012345678", json=token_211())
    assert ocpi_status(created) == (201, 1000), created.text
    [row] = await stored(runtime)
    assert (row.country_code, row.party_id, row.contract_id) == ("NL", "EMS", "NL-EMS-C12345678-X")
    assert row.document["contract_id"] == "NL-EMS-C12345678-X" and "auth_id" not in row.document
    data = (await client_211.get(f"{URL_211}/NL/EMS/012345678")).json()["data"]
    assert data == {**token_211(), "last_updated": "2015-06-29T22:39:09.000Z"}
    assert version_schema_errors("2.1.1", "Token", data) == []
    assert "ocpi-from-country-code" not in created.headers, "2.1.1 has no routing headers"


async def test_a_211_patch_of_auth_id_changes_the_contract(client_211, runtime):
    await client_211.put(f"{URL_211}/NL/EMS/012345678", json=token_211())
    response = await client_211.patch(f"{URL_211}/NL/EMS/012345678",
                                      json={"auth_id": "NL-EMS-C87654321-Y", "last_updated": "2016-01-01T00:00:00Z"})
    assert ocpi_status(response) == (200, 1000), response.text
    [row] = await stored(runtime)
    assert row.contract_id == "NL-EMS-C87654321-Y" and row.document["contract_id"] == "NL-EMS-C87654321-Y"


async def test_an_unknown_211_token_is_404_with_the_generic_client_error(client_211):
    response = await client_211.get(f"{URL_211}/NL/EMS/missing")
    assert ocpi_status(response) == (404, 2000)


async def test_a_221_app_user_token_reads_as_other_for_a_211_partner(client_211, runtime):
    """A 2.1.1 partner cannot push APP_USER; its GET maps whatever the document holds to 2.1.1's types."""
    await client_211.put(f"{URL_211}/NL/EMS/app-1?type=OTHER", json=token_211(uid="app-1", type="OTHER"))
    data = (await client_211.get(f"{URL_211}/NL/EMS/app-1?type=OTHER")).json()["data"]
    assert data["type"] == "OTHER" and version_schema_errors("2.1.1", "Token", data) == []


# Routing headers (2.2.1).


async def test_answers_are_addressed_from_us_to_the_pushing_party(ocpi_client):
    headers = {"OCPI-from-country-code": "NL", "OCPI-from-party-id": "EMS",
               "OCPI-to-country-code": "FI", "OCPI-to-party-id": "EVR"}
    for response in (await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token(), headers=headers),
                     await ocpi_client.get(f"{URL}/NL/EMS/012345678", headers=headers),
                     await ocpi_client.get(f"{URL}/NL/EMS/missing", headers=headers)):
        assert [response.headers.get(f"ocpi-{name}") for name in
                ("from-country-code", "from-party-id", "to-country-code", "to-party-id")] == ["FI", "EVR", "NL", "EMS"]


async def test_a_push_addressed_to_another_party_is_4001_and_stores_nothing(ocpi_client, runtime):
    elsewhere = {"OCPI-to-country-code": "DE", "OCPI-to-party-id": "XYZ"}
    response = await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token(), headers=elsewhere)
    assert ocpi_status(response) == (200, 4001)
    assert await stored(runtime) == []
