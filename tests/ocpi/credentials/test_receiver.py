"""evroam as credentials RECEIVER: a real eMSP peer on loopback registers, rotates, unregisters (§5.3 A)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.ocpi.factories import eventually
from tests.ocpi.registration_support import load, pending_integration, token_kinds
from tests.peers.emsp_peer import EmspPeer
from tests.support.live_server import free_port


@pytest.fixture
async def peer() -> AsyncIterator[EmspPeer]:
    async with EmspPeer().running() as running:
        yield running


async def _versions_status(peer: EmspPeer, live: str, token: str, version: str = "2.2.1") -> int:
    return (await peer.call_evroam("GET", f"{live}/ocpi/versions", version, token=token)).status_code


@pytest.mark.parametrize(("version", "encoding"),
                         [("2.2.1", "base64"), ("2.2.1", "plain"), ("2.1.1", "plain"), ("2.1.1", "base64")])
async def test_partner_registers_and_evroam_stores_what_it_learned(live_evroam, runtime, peer, version, encoding):
    integration_id, token_a = await pending_integration(runtime)
    answer = await peer.register_with(f"{live_evroam}/ocpi/versions", token_a, version, encoding)

    assert answer["status_code"] == 1000, answer
    ours = answer["data"]
    assert ours["url"] == f"{live_evroam}/ocpi/versions"
    assert ours["token"] not in (token_a, "") and len(ours["token"]) <= 64
    party = {"party_id": "EVR", "country_code": "FI", "business_details": {"name": "Test CPO"}}
    if version == "2.2.1":
        assert ours["roles"] == [{"role": "CPO", **party}]
    else:
        assert {key: ours[key] for key in party} == party and "roles" not in ours

    row = await load(runtime, integration_id)
    assert row.integration_status == "CONNECTED" and row.credentials_exchange_role == "RECEIVER"
    assert row.ocpi_version == version
    assert row.partner_versions_url == peer.versions_url
    assert runtime.secrets.decrypt(row.partner_token_encrypted) in peer.tokens
    assert row.version_details["version"] == version
    endpoints = {(e["identifier"], e["role"]): e["url"] for e in row.version_details["endpoints"]}
    # 2.1.1 endpoints carry no role: an eMSP's locations endpoint is where the CPO pushes to.
    assert endpoints[("locations", "RECEIVER")] == f"{peer.base_url}/ocpi/{version}/locations"
    assert ("credentials", "SENDER") in endpoints and ("tokens", "SENDER") in endpoints
    assert row.partners_company_detail == [
        {"role": "EMSP", "partyId": "EMS", "countryCode": "NL", "name": "Peer eMSP",
         "website": "https://emsp.example.com"}
    ]
    assert row.platform_integration is False
    assert await token_kinds(runtime, integration_id) == ["C"]
    # evroam called back with the token B the peer gave it, encoded as the version asks.
    callbacks = peer.requests_to("/ocpi/versions")
    assert callbacks and callbacks[-1].token_kind == "B"
    assert callbacks[-1].encoding == ("plain" if version == "2.1.1" else "base64")

    assert await _versions_status(peer, live_evroam, token_a) == 401, "token A dies once used"
    assert await _versions_status(peer, live_evroam, ours["token"]) == 200


async def test_second_post_with_the_full_token_is_405(live_evroam, runtime, peer):
    _, token_a = await pending_integration(runtime)
    await peer.register_with(f"{live_evroam}/ocpi/versions", token_a)
    document = peer.credentials_document("2.2.1", "x" * 10)
    again = await peer.call_evroam("POST", peer.evroam_credentials_url, json=document)
    assert again.status_code == 405 and again.json()["status_code"] == 2000


async def test_reused_token_a_gets_401_not_405(live_evroam, runtime, peer):
    _, token_a = await pending_integration(runtime)
    await peer.register_with(f"{live_evroam}/ocpi/versions", token_a)
    again = await peer.call_evroam("POST", peer.evroam_credentials_url, token=token_a,
                                   json=peer.credentials_document("2.2.1", "x" * 10))
    assert again.status_code == 401


async def test_a_second_registration_while_one_runs_is_refused_before_any_call(live_evroam, runtime):
    """One exchange at a time per integration (the exchange lease): two partners racing with one token A
    do not both make evroam call out; the second is told at once, and only the first connects."""
    integration_id, token_a = await pending_integration(runtime)
    gate = asyncio.Event()
    async with EmspPeer(gates={"versions": gate}).running() as first, EmspPeer().running() as second:
        first_attempt = asyncio.create_task(first.register_with(f"{live_evroam}/ocpi/versions", token_a))
        try:
            async def first_inside_the_exchange() -> bool:
                # evroam reads the peer's versions after it accepted token A on the POST.
                return bool(first.requests_to("/ocpi/versions"))

            await eventually(first_inside_the_exchange)
            refused = await second.register_with(f"{live_evroam}/ocpi/versions", token_a)
        finally:
            gate.set()
        answer = await first_attempt
    assert refused["status_code"] == 2000 and "already under way" in refused["status_message"], refused
    assert second.requests_to("/ocpi/versions") == [], "the refused exchange made evroam call nobody"
    assert answer["status_code"] == 1000, answer
    row = await load(runtime, integration_id)
    assert runtime.secrets.decrypt(row.partner_token_encrypted) in first.tokens
    assert await token_kinds(runtime, integration_id) == ["C"], "only the first holds a token"


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_and_delete_with_token_a_are_405(live_evroam, runtime, peer, method):
    integration_id, token_a = await pending_integration(runtime)
    response = await peer.call_evroam(method, f"{live_evroam}/ocpi/2.2.1/credentials", token=token_a,
                                      json=peer.credentials_document("2.2.1", "x" * 10))
    assert response.status_code == 405 and response.json()["status_code"] == 2000
    assert (await load(runtime, integration_id)).integration_status == "PENDING"
    assert await token_kinds(runtime, integration_id) == ["A"]


async def test_put_rotates_the_tokens_and_fetches_the_endpoints_again(live_evroam, runtime, peer):
    integration_id, token_a = await pending_integration(runtime)
    first = (await peer.register_with(f"{live_evroam}/ocpi/versions", token_a))["data"]["token"]
    callbacks_before = len(peer.requests_to("/ocpi/versions"))

    response = await peer.update()
    body = response.json()
    assert response.status_code == 200 and body["status_code"] == 1000, body
    second = body["data"]["token"]
    assert second != first
    assert len(peer.requests_to("/ocpi/versions")) == callbacks_before + 1, "versions are fetched again"
    assert await _versions_status(peer, live_evroam, first) == 401, "the old token dies"
    assert await _versions_status(peer, live_evroam, second) == 200
    row = await load(runtime, integration_id)
    assert row.integration_status == "CONNECTED"
    assert runtime.secrets.decrypt(row.partner_token_encrypted) in peer.tokens
    assert await token_kinds(runtime, integration_id) == ["C"]


async def test_put_on_another_version_switches_to_it(live_evroam, runtime, peer):
    integration_id, token_a = await pending_integration(runtime)
    await peer.register_with(f"{live_evroam}/ocpi/versions", token_a, "2.2.1")
    response = await peer.call_evroam("PUT", f"{live_evroam}/ocpi/2.1.1/credentials",
                                      json=peer.credentials_document("2.1.1", next(iter(peer.tokens))))
    assert response.json()["status_code"] == 1000, response.json()
    assert "party_id" in response.json()["data"], "the 2.1.1 endpoint answers with the flat object"
    row = await load(runtime, integration_id)
    assert row.ocpi_version == "2.1.1" and row.version_details["version"] == "2.1.1"


async def test_failed_put_keeps_the_working_registration(live_evroam, runtime, peer):
    integration_id, token_a = await pending_integration(runtime)
    token = (await peer.register_with(f"{live_evroam}/ocpi/versions", token_a))["data"]["token"]
    dead = f"http://127.0.0.1:{free_port()}/ocpi/versions"
    response = await peer.call_evroam("PUT", peer.evroam_credentials_url,
                                      json={**peer.credentials_document("2.2.1", "new-token"), "url": dead})
    assert response.status_code == 200 and response.json()["status_code"] == 3001
    row = await load(runtime, integration_id)
    assert row.integration_status == "CONNECTED" and row.partner_versions_url == peer.versions_url
    assert await _versions_status(peer, live_evroam, token) == 200


async def test_delete_unregisters(live_evroam, runtime, peer):
    integration_id, token_a = await pending_integration(runtime)
    token = (await peer.register_with(f"{live_evroam}/ocpi/versions", token_a))["data"]["token"]
    response = await peer.call_evroam("DELETE", peer.evroam_credentials_url)
    assert response.status_code == 200 and response.json()["status_code"] == 1000
    assert "data" not in response.json()
    row = await load(runtime, integration_id)
    assert row.integration_status == "DISCONNECTED" and row.partner_token_encrypted is None
    assert row.status_description
    assert await token_kinds(runtime, integration_id) == []
    assert await _versions_status(peer, live_evroam, token) == 401


async def test_get_credentials_returns_the_callers_own_token(live_evroam, runtime, peer):
    _, token_a = await pending_integration(runtime)
    with_a = await peer.call_evroam("GET", f"{live_evroam}/ocpi/2.2.1/credentials", token=token_a)
    assert with_a.json()["data"]["token"] == token_a
    token = (await peer.register_with(f"{live_evroam}/ocpi/versions", token_a))["data"]["token"]
    for version in ("2.2.1", "2.1.1"):
        response = await peer.call_evroam("GET", f"{live_evroam}/ocpi/{version}/credentials", version)
        data = response.json()["data"]
        assert data["token"] == token and data["url"] == f"{live_evroam}/ocpi/versions"
        assert ("roles" in data) == (version == "2.2.1")


async def test_auto_mode_learns_a_211_partner_that_wants_base64(live_evroam, runtime):
    async with EmspPeer(accepts=("base64",)).running() as peer:
        integration_id, token_a = await pending_integration(runtime)
        answer = await peer.register_with(f"{live_evroam}/ocpi/versions", token_a, "2.1.1", "plain")
        assert answer["status_code"] == 1000, answer
    row = await load(runtime, integration_id)
    assert row.token_encoding == "base64", "what worked is remembered"
    # plain first (the 2.1.1 default) is refused, then Base64 for versions and for the details.
    assert [seen.encoding for seen in peer.requests_to("/ocpi/")] == [None, "base64", "base64"]


async def test_a_forced_encoding_is_used(live_evroam, runtime):
    async with EmspPeer(accepts=("plain",)).running() as peer:
        integration_id, token_a = await pending_integration(runtime, token_encoding="plain")
        answer = await peer.register_with(f"{live_evroam}/ocpi/versions", token_a, "2.2.1")
        assert answer["status_code"] == 1000, answer
    assert {seen.encoding for seen in peer.requests_to("/ocpi/")} == {"plain"}
    assert (await load(runtime, integration_id)).token_encoding == "plain"


async def test_platform_partner_lists_every_party(live_evroam, runtime):
    roles = [
        {"role": "EMSP", "party_id": "EXO", "country_code": "NL", "business_details": {"name": "Excellent"}},
        {"role": "EMSP", "party_id": "pfc", "country_code": "nl", "business_details": {"name": "Plug Flex"}},
        {"role": "CPO", "party_id": "CGP", "country_code": "DE", "business_details": {"name": "Green"}},
    ]
    async with EmspPeer(roles=roles).running() as peer:
        integration_id, token_a = await pending_integration(runtime, initial_role="EMSP")
        assert (await peer.register_with(f"{live_evroam}/ocpi/versions", token_a))["status_code"] == 1000
    row = await load(runtime, integration_id)
    assert row.platform_integration is True
    assert [(d["role"], d["countryCode"], d["partyId"], d["name"]) for d in row.partners_company_detail] == [
        ("EMSP", "NL", "EXO", "Excellent"), ("EMSP", "NL", "PFC", "Plug Flex"), ("CPO", "DE", "CGP", "Green"),
    ]


async def _post(peer: EmspPeer, live: str, token_a: str, version: str = "2.2.1", **changes) -> dict:
    document = {**peer.credentials_document(version, "peer-token-b-direct"), **changes}
    peer.tokens["peer-token-b-direct"] = "B"
    response = await peer.call_evroam("POST", f"{live}/ocpi/{version}/credentials", version, token=token_a,
                                      json=document)
    assert response.status_code == 200, response.text
    return response.json()


async def test_unreachable_partner_is_3001_and_token_a_survives(live_evroam, runtime, peer):
    integration_id, token_a = await pending_integration(runtime)
    dead = f"http://127.0.0.1:{free_port()}/ocpi/versions"
    body = await _post(peer, live_evroam, token_a, url=dead)
    assert body["status_code"] == 3001 and dead in body["status_message"]
    row = await load(runtime, integration_id)
    assert row.integration_status == "FAILED" and dead in row.status_description
    assert await token_kinds(runtime, integration_id) == ["A"], "the partner may retry"
    retried = await peer.register_with(f"{live_evroam}/ocpi/versions", token_a)
    assert retried["status_code"] == 1000
    assert (await load(runtime, integration_id)).integration_status == "CONNECTED"


async def test_partner_refusing_its_own_token_is_3001(live_evroam, runtime):
    async with EmspPeer(accepts=()).running() as peer:
        integration_id, token_a = await pending_integration(runtime)
        body = await _post(peer, live_evroam, token_a)
    assert body["status_code"] == 3001 and "401" in body["status_message"]
    assert (await load(runtime, integration_id)).integration_status == "FAILED"


async def test_no_common_version_is_3002(live_evroam, runtime):
    async with EmspPeer(versions=("2.1.1",)).running() as peer:
        integration_id, token_a = await pending_integration(runtime)
        body = await _post(peer, live_evroam, token_a, "2.2.1")
    assert body["status_code"] == 3002
    assert "2.1.1" in body["status_message"]
    assert (await load(runtime, integration_id)).integration_status == "FAILED"


async def test_partner_offering_22_is_served_by_221(live_evroam, runtime):
    async with EmspPeer(versions=("2.2",)).running() as peer:
        integration_id, token_a = await pending_integration(runtime)
        body = await _post(peer, live_evroam, token_a, "2.2.1")
    assert body["status_code"] == 1000
    row = await load(runtime, integration_id)
    assert row.ocpi_version == "2.2.1" and row.version_details["version"] == "2.2"


async def test_missing_credentials_endpoint_is_3003(live_evroam, runtime):
    async with EmspPeer(omit_credentials_endpoint=True).running() as peer:
        integration_id, token_a = await pending_integration(runtime)
        body = await _post(peer, live_evroam, token_a)
    assert body["status_code"] == 3003 and "credentials" in body["status_message"]
    assert (await load(runtime, integration_id)).integration_status == "FAILED"


async def test_partner_without_the_expected_role_fails_the_registration(live_evroam, runtime, peer):
    integration_id, token_a = await pending_integration(runtime, initial_role="CPO")
    body = await _post(peer, live_evroam, token_a)
    assert body["status_code"] == 2001
    assert "CPO" in body["status_message"] and "EMSP" in body["status_message"]
    row = await load(runtime, integration_id)
    assert row.integration_status == "FAILED" and "CPO" in row.status_description
    assert not peer.requests_to("/ocpi/versions"), "no callback for a partner we will not accept"
