"""Request forgery through partner URLs (issue #9, findings 1 and 2), end to end.

An operator key (the management API's `ocpiConnection.endpointUrl`) or a partner's token (the `url` of
its credentials) must not make evroam call into the network it runs in. Loopback servers stand for the
internal services an attacker would aim at and count every request that reaches them; evroam runs on a
real port. Unless a test says otherwise, `EVROAM_PARTNER_NETWORKS_ALLOWED` is empty, as in production.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from evroam.outbound.policy import SETTING
from tests.conftest import LOOPBACK
from tests.integrations.factories import INTEGRATIONS, make_integration, ok
from tests.ocpi.factories import eventually
from tests.ocpi.registration_support import load, pending_integration, token_kinds
from tests.peers.emsp_peer import EmspPeer
from tests.support.internal_server import SECRET, Internal, internal_server
from tests.support.live_server import free_port
from tests.support.ocpi_partner import register_partner

ROLES = [{"role": "EMSP", "party_id": "ATK", "country_code": "NL", "business_details": {"name": "Attacker"}}]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"partner_networks_allowed": ""}


def allowing(networks: str, **more: Any):
    """Runs a test with these networks allowed (and these other settings)."""
    return pytest.mark.parametrize("settings_overrides", [{"partner_networks_allowed": networks, **more}],
                                   ids=[f"allowing {networks}"])


@pytest.fixture
async def internal() -> AsyncIterator[Internal]:
    async with internal_server() as seen:
        yield seen


def _authorization(token: str) -> dict[str, str]:
    return {"Authorization": "Token " + base64.b64encode(token.encode()).decode()}


async def _credentials(live: str, method: str, token: str, url: str) -> httpx.Response:
    """What a partner holding `token` sends evroam's credentials endpoint, naming `url` as its versions."""
    document = {"token": "attacker-token-b", "url": url, "roles": ROLES}
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.request(method, f"{live}/ocpi/2.2.1/credentials", headers=_authorization(token),
                                  json=document)


async def _versions_status(live: str, token: str) -> int:
    async with httpx.AsyncClient(timeout=30) as http:
        return (await http.get(f"{live}/ocpi/versions", headers=_authorization(token))).status_code


async def _operator_registers(client: httpx.AsyncClient, runtime, endpoint_url: str) -> dict[str, Any]:
    """The operator asks evroam to register with `endpoint_url`; the integration once the exchange ended."""
    connection = {"endpointUrl": endpoint_url, "initialToken": "partner-token-a", "initialRole": "EMSP"}
    integration_id = (await make_integration(client, ocpiConnection=connection))["integrationId"]
    await runtime.wait_for_background()
    return ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))


# -- finding 1: an operator key --------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_an_operator_endpoint_on_loopback_is_refused_naming_the_setting(client, runtime, internal, host):
    url = internal.url.replace("127.0.0.1", host) + "/anything"
    integration = await _operator_registers(client, runtime, url)
    assert integration["integrationStatus"] == "FAILED"
    assert SETTING in integration["statusDescription"], integration["statusDescription"]
    assert SECRET not in integration["statusDescription"]
    assert internal.hits == []


async def test_open_and_closed_internal_ports_are_refused_alike(client, runtime, internal):
    """The answers must not tell an open port (something listens) from a closed one."""
    closed = f"http://127.0.0.1:{free_port()}/anything"
    said = []
    for url in (f"{internal.url}/anything", closed):
        integration = await _operator_registers(client, runtime, url)
        said.append(integration["statusDescription"].replace(url, "<url>"))
    assert said[0] == said[1], said
    assert internal.hits == []


async def test_an_operator_endpoint_with_a_password_is_refused_at_input(client, runtime, internal):
    url = internal.url.replace("http://", "http://admin:hunter2@") + "/versions"
    connection = {"endpointUrl": url, "initialToken": "partner-token-a", "initialRole": "EMSP"}
    refused = await client.post(INTEGRATIONS, json={"integrationName": "eMSP", "ocpiConnection": connection})
    assert refused.status_code == 400, refused.text
    assert [detail["field"] for detail in refused.json()["details"]] == ["ocpiConnection.endpointUrl"]
    assert "hunter2" not in refused.text
    assert ok(await client.get(INTEGRATIONS))["totalRecords"] == 0, "nothing stored"
    await runtime.wait_for_background()
    assert internal.hits == []


# -- finding 2: a partner's token ------------------------------------------------------------------------


async def test_token_a_cannot_make_evroam_call_loopback_and_survives_the_attempt(live_evroam, runtime, internal):
    integration_id, token_a = await pending_integration(runtime)
    answer = await _credentials(live_evroam, "POST", token_a, f"{internal.url}/secret")
    assert answer.status_code == 200 and answer.json()["status_code"] == 3001, answer.text
    assert SECRET not in answer.text
    # The partner learns that its URL was refused (not that it is down), and not the setting's name.
    assert "does not call your versions" in answer.json()["status_message"], answer.text
    assert SETTING not in answer.text
    assert internal.hits == []
    row = await load(runtime, integration_id)
    assert row.integration_status == "FAILED" and SETTING in row.status_description, "the operator is told why"
    assert await token_kinds(runtime, integration_id) == ["A"], "a failure does not use token A up"
    assert await _versions_status(live_evroam, token_a) == 200


async def test_a_registered_partner_cannot_make_evroam_call_loopback_with_put(live_evroam, runtime, internal):
    partner = await register_partner(runtime)
    before = await load(runtime, partner.integration_id)
    answer = await _credentials(live_evroam, "PUT", partner.token, f"{internal.url}/secret")
    assert answer.status_code == 200 and answer.json()["status_code"] == 3001, answer.text
    assert SECRET not in answer.text
    assert internal.hits == []
    after = await load(runtime, partner.integration_id)
    kept = ("integration_status", "status_description", "partner_token_encrypted", "partner_versions_url",
            "version_details", "ocpi_version")
    assert {name: getattr(after, name) for name in kept} == {name: getattr(before, name) for name in kept}
    assert await token_kinds(runtime, partner.integration_id) == ["C"]
    assert await _versions_status(live_evroam, partner.token) == 200, "the working registration is untouched"


@allowing(LOOPBACK)
async def test_a_partner_never_sees_what_evroam_fetched(live_evroam, runtime, internal):
    """Allowed, evroam does call the URL: its non-OCPI answer reaches the operator, never the partner."""
    integration_id, token_a = await pending_integration(runtime)
    answer = await _credentials(live_evroam, "POST", token_a, f"{internal.url}/secret")
    assert answer.json()["status_code"] == 3001 and "HTTP 200" in answer.json()["status_message"], answer.text
    assert SECRET not in answer.text
    assert internal.hits == ["GET /secret"]
    description = (await load(runtime, integration_id)).status_description
    assert SECRET in description, "the operator keeps the excerpt that helps"


async def test_a_credentials_url_with_a_password_is_2001_naming_url(live_evroam, runtime, internal):
    integration_id, token_a = await pending_integration(runtime)
    url = internal.url.replace("http://", "http://admin:hunter2@") + "/versions"
    answer = await _credentials(live_evroam, "POST", token_a, url)
    body = answer.json()
    assert body["status_code"] == 2001 and body["status_message"].startswith("url:"), body
    assert "hunter2" not in answer.text
    assert internal.hits == []
    assert await token_kinds(runtime, integration_id) == ["A"]


# -- redirects and version-details URLs: every hop passes the guard ---------------------------------------


@allowing("127.0.0.1/32")
@pytest.mark.parametrize("direction", ["operator", "partner"])
@pytest.mark.parametrize("detour", ["redirect", "versions"])
async def test_an_allowed_partner_cannot_send_evroam_elsewhere(client, live_evroam, runtime, direction, detour):
    """The partner at 127.0.0.1 is allowed; 127.0.0.2 is not, whether reached by an HTTP redirect or by
    the version-details URL its versions list gives."""
    async with internal_server(host="127.0.0.2") as forbidden:
        target = f"{forbidden.url}/ocpi/2.2.1"
        async with internal_server(redirect_to=target, details_at=target) as partner:
            url = f"{partner.url}/{detour}"
            if direction == "operator":
                description = (await _operator_registers(client, runtime, url))["statusDescription"]
            else:
                integration_id, token_a = await pending_integration(runtime)
                answer = await _credentials(live_evroam, "POST", token_a, url)
                assert answer.json()["status_code"] == 3001, answer.text
                description = (await load(runtime, integration_id)).status_description
    assert "127.0.0.2" in description and SETTING in description, description
    assert partner.hits == [f"GET /{detour}"]
    assert forbidden.hits == []


# -- a token that keeps failing, and many exchanges at once -----------------------------------------------


@allowing(LOOPBACK, credentials_failures_allowed=3)
async def test_a_token_that_keeps_failing_is_throttled_and_others_are_not(live_evroam, runtime, internal):
    _, token_a = await pending_integration(runtime)
    for attempt in range(3):
        answer = await _credentials(live_evroam, "POST", token_a, f"{internal.url}/attempt-{attempt}")
        assert answer.status_code == 200 and answer.json()["status_code"] == 3001, answer.text
    assert len(internal.hits) == 3

    throttled = await _credentials(live_evroam, "POST", token_a, f"{internal.url}/attempt-3")
    assert throttled.status_code == 429, throttled.text
    assert int(throttled.headers["retry-after"]) > 0
    assert throttled.json()["status_code"] == 2000
    assert len(internal.hits) == 3, "a throttled exchange calls nobody"

    async with EmspPeer().running() as peer:
        other_id, other_token_a = await pending_integration(runtime)
        registered = await peer.register_with(f"{live_evroam}/ocpi/versions", other_token_a)
    assert registered["status_code"] == 1000, registered
    assert (await load(runtime, other_id)).integration_status == "CONNECTED"


@allowing(LOOPBACK, credentials_exchanges_max=1)
async def test_an_exchange_beyond_the_cap_is_503_at_once(live_evroam, runtime):
    gate = asyncio.Event()
    async with EmspPeer(gates={"versions": gate}).running() as slow, EmspPeer().running() as second:
        _, slow_token_a = await pending_integration(runtime)
        _, second_token_a = await pending_integration(runtime)
        first = asyncio.create_task(slow.register_with(f"{live_evroam}/ocpi/versions", slow_token_a))
        try:
            async def held_at_the_slow_partner() -> bool:
                return bool(slow.requests_to("/ocpi/versions"))

            await eventually(held_at_the_slow_partner)
            second.tokens["second-token-b"] = "B"  # without the cap, this exchange would succeed
            refused = await second.call_evroam("POST", f"{live_evroam}/ocpi/2.2.1/credentials",
                                               token=second_token_a,
                                               json=second.credentials_document("2.2.1", "second-token-b"))
            assert not first.done(), "the second was answered while the first still ran"
        finally:
            gate.set()
        assert (await first)["status_code"] == 1000
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["retry-after"]) > 0 and refused.json()["status_code"] == 3000
        assert second.requests_to("/ocpi/versions") == [], "the refused exchange called nobody"
        again = await second.register_with(f"{live_evroam}/ocpi/versions", second_token_a)
    assert again["status_code"] == 1000, "the slot is free once the first exchange ended"
