"""The outbound client: headers, encodings, routing headers on functional modules only, the reply."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from evroam.ocpi.protocol.client import (
    NotConnected,
    OcpiReply,
    Party,
    PartnerUnreachable,
    find_endpoint,
    request,
    send,
)
from evroam.ocpi.credentials.registration import register_with_partner
from tests.ocpi.registration_support import load, sender_integration
from tests.peers.emsp_peer import EmspPeer, envelope
from tests.support.live_server import free_port


@pytest.fixture
async def peer() -> AsyncIterator[EmspPeer]:
    async with EmspPeer().running() as running:
        yield running


async def _connected(runtime, peer: EmspPeer, **fields):
    integration_id = await sender_integration(runtime, peer.versions_url, peer.issue_token_a(), **fields)
    await register_with_partner(runtime, integration_id)
    row = await load(runtime, integration_id)
    assert row.integration_status == "CONNECTED", row.status_description
    return row


async def test_request_adds_authorization_and_message_ids(runtime, peer):
    token = peer.issue_token_a()
    first = await request("GET", peer.versions_url, token=token, encoding="base64", correlation_id="corr-1",
                          http=runtime.partners)
    second = await request("GET", peer.versions_url, token=token, encoding="plain", http=runtime.partners)
    assert first.ok and second.ok and isinstance(first, OcpiReply)
    seen_first, seen_second = peer.requests_to("/ocpi/versions")
    assert seen_first.headers["authorization"] == "Token " + base64.b64encode(token.encode()).decode()
    assert seen_second.headers["authorization"] == f"Token {token}"
    assert seen_first.headers["x-correlation-id"] == "corr-1"
    assert seen_first.headers["x-request-id"] != seen_second.headers["x-request-id"]
    assert first.status_code == 1000 and first.data[0]["version"] == "2.2.1"


async def test_send_adds_routing_headers_on_221_functional_modules(live_evroam, runtime, peer):
    row = await _connected(runtime, peer)
    url = f"{peer.base_url}/ocpi/2.2.1/locations/FI/EVR/LOC1"
    reply = await send(runtime, row, "PUT", url, {"id": "LOC1"}, "locations")
    assert reply.ok
    seen = peer.requests_to("/locations/FI/EVR/LOC1")[-1]
    assert seen.token_kind == "C" and seen.encoding == "base64" and seen.body == {"id": "LOC1"}
    assert seen.headers["content-type"] == "application/json"
    assert (seen.headers["ocpi-from-country-code"], seen.headers["ocpi-from-party-id"]) == ("FI", "EVR")
    assert (seen.headers["ocpi-to-country-code"], seen.headers["ocpi-to-party-id"]) == ("NL", "EMS")

    await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.2.1/hubclientinfo/NL/EMS", {}, "hubclientinfo")
    assert "ocpi-to-party-id" not in peer.requests_to("/hubclientinfo/")[-1].headers


async def test_send_addresses_the_party_behind_a_platform(live_evroam, runtime, peer):
    row = await _connected(runtime, peer, third_party_country_code="de", third_party_id="abc")
    await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.2.1/tariffs/FI/EVR/T1", {}, "tariffs")
    assert peer.requests_to("/tariffs/")[-1].headers["ocpi-to-party-id"] == "ABC"
    await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.2.1/tariffs/FI/EVR/T2", {}, "tariffs",
               to_party=Party("SE", "XYZ"))
    seen = peer.requests_to("/tariffs/")[-1]
    assert (seen.headers["ocpi-to-country-code"], seen.headers["ocpi-to-party-id"]) == ("SE", "XYZ")


async def test_send_on_211_is_plain_without_routing_headers(live_evroam, runtime):
    async with EmspPeer(versions=("2.1.1",)).running() as peer:
        row = await _connected(runtime, peer)
        await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.1.1/locations/FI/EVR/L1", {}, "locations")
        seen = peer.requests_to("/locations/")[-1]
    assert seen.encoding == "plain" and seen.token_kind == "C"
    assert not any(name.startswith("ocpi-") for name in seen.headers)


async def test_send_refuses_an_integration_that_is_not_connected(live_evroam, runtime, peer):
    row = await _connected(runtime, peer)
    row.integration_status = "FAILED"
    with pytest.raises(NotConnected):
        await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.2.1/locations/FI/EVR/L1", {})
    assert not peer.requests_to("/locations/")


@pytest.mark.parametrize("form", ["seconds", "http-date"])
async def test_reply_surfaces_status_codes_and_retry_after(live_evroam, runtime, peer, form):
    row = await _connected(runtime, peer)
    in_30_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    retry_after = "7" if form == "seconds" else in_30_seconds
    peer.functional_answer = (429, envelope(None, 2000, "slow down"), {"Retry-After": retry_after})
    reply = await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.2.1/locations/FI/EVR/L1", {})
    assert not reply.ok
    assert (reply.http_status, reply.status_code, reply.status_message) == (429, 2000, "slow down")
    assert 0 < reply.retry_after <= 30
    assert reply.problem() == 'HTTP 429, OCPI 2000, "slow down"'


async def test_reply_without_envelope(live_evroam, runtime, peer):
    row = await _connected(runtime, peer)
    peer.functional_answer = (502, {"detail": "bad gateway"}, {})
    reply = await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.2.1/locations/FI/EVR/L1", {})
    assert reply.status_code is None and reply.http_status == 502 and reply.retry_after is None
    assert reply.problem() == 'HTTP 502, no OCPI envelope: {"detail":"bad gateway"}', "the partner's words are kept"


async def test_ocpi_error_with_http_200_is_not_ok(live_evroam, runtime, peer):
    row = await _connected(runtime, peer)
    peer.functional_answer = (200, envelope(None, 2001, "bad"), {})
    reply = await send(runtime, row, "PUT", f"{peer.base_url}/ocpi/2.2.1/locations/FI/EVR/L1", {})
    assert reply.http_status == 200 and not reply.ok


async def test_unreachable_partner_raises(runtime):
    url = f"http://127.0.0.1:{free_port()}/ocpi/versions"
    with pytest.raises(PartnerUnreachable) as raised:
        await request("GET", url, token="t", encoding="plain", http=runtime.partners)
    assert raised.value.url == url and url in str(raised.value)


def test_find_endpoint():
    details = {"version": "2.2.1", "endpoints": [
        {"identifier": "locations", "role": "SENDER", "url": "https://p/loc-sender"},
        {"identifier": "locations", "role": "RECEIVER", "url": "https://p/loc-receiver"},
    ]}
    assert find_endpoint(details, "locations", "RECEIVER") == "https://p/loc-receiver"
    assert find_endpoint(details, "locations") == "https://p/loc-sender"
    assert find_endpoint(details, "tariffs") is None
    assert find_endpoint(None, "locations") is None
