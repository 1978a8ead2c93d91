"""evroam as credentials SENDER: register_with_partner against a real peer on loopback (§5.3 B, §5.4)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from evroam.integrations.models import Integration
from evroam.ocpi.credentials.registration import register_with_partner, unregister_at_partner
from tests.ocpi.registration_support import load, sender_integration, token_kinds
from tests.peers.emsp_peer import EmspPeer, envelope
from tests.support.live_server import free_port


@pytest.fixture
async def peer() -> AsyncIterator[EmspPeer]:
    async with EmspPeer().running() as running:
        yield running


async def _registered(runtime, peer: EmspPeer, **fields) -> str:
    integration_id = await sender_integration(runtime, peer.versions_url, peer.issue_token_a(), **fields)
    await register_with_partner(runtime, integration_id)
    return integration_id


async def _evroam_accepts(peer: EmspPeer, live: str, token: str) -> bool:
    return (await peer.call_evroam("GET", f"{live}/ocpi/versions", token=token)).status_code == 200


@pytest.mark.parametrize(
    ("offered", "chosen", "spoken", "encoding"),
    [
        (("2.1.1", "2.2.1"), "2.2.1", "2.2.1", "base64"),
        (("2.1.1",), "2.1.1", "2.1.1", "plain"),
        (("2.1.1", "2.2"), "2.2", "2.2.1", "base64"),
    ],
)
async def test_registers_with_the_best_common_version(live_evroam, runtime, offered, chosen, spoken, encoding):
    async with EmspPeer(versions=offered).running() as peer:
        integration_id = await _registered(runtime, peer, initial_role="EMSP")

        row = await load(runtime, integration_id)
        assert row.integration_status == "CONNECTED", row.status_description
        assert row.credentials_exchange_role == "SENDER"
        assert row.ocpi_version == spoken and row.version_details["version"] == chosen
        assert {e["identifier"] for e in row.version_details["endpoints"]} == {"credentials", "locations", "tariffs",
                                                                              "tokens"}
        assert row.partners_company_detail == [{"role": "EMSP", "partyId": "EMS", "countryCode": "NL",
                                                "name": "Peer eMSP", "website": "https://emsp.example.com"}]
        assert row.partner_initial_token_encrypted is None, "token A is discarded"
        token_c = runtime.secrets.decrypt(row.partner_token_encrypted)
        assert peer.tokens[token_c] == "C"
        assert await token_kinds(runtime, integration_id) == ["B"]

        post = peer.requests_to(f"/ocpi/{chosen}/credentials")[-1]
        assert post.method == "POST" and post.token_kind == "A" and post.encoding == encoding
        assert post.body["url"] == f"{live_evroam}/ocpi/versions"
        if spoken == "2.1.1":
            assert (post.body["party_id"], post.body["country_code"]) == ("EVR", "FI")
        else:
            assert post.body["roles"] == [{"role": "CPO", "business_details": {"name": "Test CPO"},
                                           "party_id": "EVR", "country_code": "FI"}]
        # The peer called evroam back with token B while the POST was open, and may keep using it.
        token_b = peer.evroam["credentials"]["token"]
        assert await _evroam_accepts(peer, live_evroam, token_b)


async def test_registered_integration_updates_with_put_and_rotates_token_b(live_evroam, runtime, peer):
    integration_id = await _registered(runtime, peer)
    first_b = peer.evroam["credentials"]["token"]
    first_c = runtime.secrets.decrypt((await load(runtime, integration_id)).partner_token_encrypted)

    await register_with_partner(runtime, integration_id)

    row = await load(runtime, integration_id)
    assert row.integration_status == "CONNECTED", row.status_description
    assert peer.requests_to("/ocpi/2.2.1/credentials")[-1].method == "PUT"
    second_b = peer.evroam["credentials"]["token"]
    assert second_b != first_b
    assert not await _evroam_accepts(peer, live_evroam, first_b), "the old token B dies"
    assert await _evroam_accepts(peer, live_evroam, second_b)
    assert runtime.secrets.decrypt(row.partner_token_encrypted) != first_c
    assert await token_kinds(runtime, integration_id) == ["B"]


async def _failed(runtime, integration_id: str) -> str:
    row = await load(runtime, integration_id)
    assert row.integration_status == "FAILED"
    assert await token_kinds(runtime, integration_id) == [], "token B is rolled back"
    assert row.status_description and "\n" not in row.status_description
    return row.status_description


async def test_unreachable_partner(live_evroam, runtime):
    url = f"http://127.0.0.1:{free_port()}/ocpi/versions"
    integration_id = await sender_integration(runtime, url, "some-token-a")
    await register_with_partner(runtime, integration_id)
    description = await _failed(runtime, integration_id)
    assert url in description and "cannot be reached" in description
    assert (await load(runtime, integration_id)).partner_initial_token_encrypted, "kept for a retry"


async def test_wrong_token_a(live_evroam, runtime, peer):
    integration_id = await sender_integration(runtime, peer.versions_url, "not-the-peers-token")
    await register_with_partner(runtime, integration_id)
    description = await _failed(runtime, integration_id)
    assert "refused the initial token" in description and "401" in description


async def test_no_common_version_lists_what_the_partner_offers(live_evroam, runtime):
    async with EmspPeer(versions=("2.0", "2.1")).running() as peer:
        integration_id = await _registered(runtime, peer)
    description = await _failed(runtime, integration_id)
    assert "2.0, 2.1" in description and "2.2.1" in description


async def test_missing_credentials_endpoint(live_evroam, runtime):
    async with EmspPeer(omit_credentials_endpoint=True).running() as peer:
        integration_id = await _registered(runtime, peer)
        assert not peer.requests_to("/credentials"), "nothing is posted"
    assert "credentials endpoint" in await _failed(runtime, integration_id)


async def test_partner_with_another_role_is_refused_and_withdrawn(live_evroam, runtime, peer):
    integration_id = await _registered(runtime, peer, initial_role="CPO")
    description = await _failed(runtime, integration_id)
    assert "EMSP NL*EMS" in description and "CPO" in description
    assert peer.requests_to("/credentials")[-1].method == "DELETE", "the accepted registration is withdrawn"
    assert peer.evroam is None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, envelope(None, 3001, "cannot reach you")), ["3001", "cannot reach you", "EVROAM_PUBLIC_URL"]),
        ((200, envelope(None, 3002)), ["3002", "2.2.1, 2.1.1"]),
        ((400, envelope(None, 3003)), ["3003"]),
        ((405, envelope(None, 2000)), ["405", "earlier registration"]),
        ((500, {"detail": "boom"}), ["HTTP 500", "no OCPI envelope", "boom"]),
        ((200, envelope({"token": "", "url": "x"})), ["invalid credentials"]),
    ],
)
async def test_partner_answers_that_fail_the_exchange(live_evroam, runtime, answer, expected):
    async with EmspPeer(credentials_answer=answer).running() as peer:
        integration_id = await _registered(runtime, peer)
    description = await _failed(runtime, integration_id)
    for fragment in expected:
        assert fragment in description, description


async def test_put_refused_with_405_says_to_register_again(live_evroam, runtime, peer):
    integration_id = await _registered(runtime, peer)
    peer.credentials_answer = (405, envelope(None, 2000))
    await register_with_partner(runtime, integration_id)
    row = await load(runtime, integration_id)
    assert row.integration_status == "FAILED" and "ocpiConnection" in row.status_description
    assert await token_kinds(runtime, integration_id) == ["B"], "only the new token B is rolled back"


async def test_auto_mode_finds_the_encoding_the_partner_accepts(live_evroam, runtime):
    async with EmspPeer(accepts=("plain",), versions=("2.2.1",)).running() as peer:
        integration_id = await _registered(runtime, peer)
    row = await load(runtime, integration_id)
    assert row.integration_status == "CONNECTED", row.status_description
    assert row.token_encoding == "plain"


async def test_forced_encoding_is_honoured(live_evroam, runtime):
    async with EmspPeer(accepts=("base64",), versions=("2.1.1",)).running() as peer:
        integration_id = await _registered(runtime, peer, token_encoding="base64")
        assert {seen.encoding for seen in peer.requests_to("/ocpi/")} == {"base64"}
    assert (await load(runtime, integration_id)).integration_status == "CONNECTED"


async def test_never_raises(live_evroam, runtime, peer):
    await register_with_partner(runtime, "no-such-integration")
    integration_id = await sender_integration(runtime, peer.versions_url, "x")
    async with runtime.sessions() as session:
        row = await session.get(Integration, integration_id)
        row.partner_initial_token_encrypted = None
        await session.commit()
    await register_with_partner(runtime, integration_id)
    assert "initialToken" in await _failed(runtime, integration_id)


async def test_unregister_at_partner_sends_delete(live_evroam, runtime, peer):
    integration_id = await _registered(runtime, peer)
    await unregister_at_partner(runtime, integration_id)
    delete = peer.requests_to("/ocpi/2.2.1/credentials")[-1]
    assert delete.method == "DELETE" and delete.token_kind == "C"
    assert peer.evroam is None


async def test_unregister_at_an_unreachable_partner_only_logs(live_evroam, runtime, caplog):
    async with EmspPeer().running() as peer:
        integration_id = await _registered(runtime, peer)
    await unregister_at_partner(runtime, integration_id)
    assert "unregistering" in caplog.text or "DELETE" in caplog.text
    await unregister_at_partner(runtime, "no-such-integration")
