"""The outbound guard over real connections: loopback servers stand for the internal services an attacker
would aim at, and count what reaches them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from evroam.outbound.client import CallFailed, Outbound, OutboundClient
from evroam.outbound.policy import SETTING, AllowedNetworks
from tests.support.internal_server import SECRET, Internal, internal_app, internal_server
from tests.support.live_server import serve


def client(allowed: str, *, total: float = 10.0, max_bytes: int = 1024 * 1024) -> OutboundClient:
    return Outbound(AllowedNetworks.parse(allowed), httpx.Timeout(5.0, connect=2.0), total, max_bytes).client()


@pytest.fixture
async def internal() -> AsyncIterator[Internal]:
    async with internal_server(body_bytes=4096) as seen:
        yield seen


async def test_loopback_is_refused_without_the_setting_and_nothing_reaches_it(internal: Internal) -> None:
    http = client("")
    for url in (f"{internal.url}/anything", internal.url.replace("127.0.0.1", "localhost") + "/anything"):
        with pytest.raises(CallFailed) as refused:
            await http.request("GET", url, headers={}, content=None)
        assert SETTING in refused.value.reason and "not a public address" in refused.value.reason
    await http.aclose()
    assert internal.hits == []


async def test_the_setting_lets_loopback_through(internal: Internal) -> None:
    http = client("127.0.0.0/8")
    answer = await http.request("GET", f"{internal.url}/anything", headers={}, content=None)
    await http.aclose()
    assert answer.status == 200 and answer.body.decode() == SECRET
    assert internal.hits == ["GET /anything"]


async def test_a_host_name_in_the_setting_is_allowed_by_name(internal: Internal) -> None:
    http = client("localhost")
    url = internal.url.replace("127.0.0.1", "localhost") + "/named"
    answer = await http.request("GET", url, headers={}, content=None)
    await http.aclose()
    assert answer.status == 200 and internal.hits == ["GET /named"]


async def test_each_redirect_hop_passes_the_guard() -> None:
    """An allowed partner answering with a redirect to an address outside the allowed networks."""
    forbidden, partner = Internal(), Internal()
    async with serve(internal_app(forbidden), host="127.0.0.2") as forbidden_url:
        async with serve(internal_app(partner, redirect_to=f"{forbidden_url}/secret")) as partner_url:
            http = client("127.0.0.1/32")
            with pytest.raises(CallFailed) as refused:
                await http.request("GET", f"{partner_url}/redirect", headers={}, content=None)
            await http.aclose()
    assert "127.0.0.2" in refused.value.reason and SETTING in refused.value.reason
    assert partner.hits == ["GET /redirect"]
    assert forbidden.hits == []


async def test_a_redirect_to_a_url_with_a_password_is_not_followed() -> None:
    partner = Internal()
    async with serve(internal_app(partner)) as partner_url:
        target = partner_url.replace("http://", "http://user:pw@") + "/secret"
        partner_app = internal_app(partner, redirect_to=target)
        async with serve(partner_app) as redirecting_url:
            http = client("127.0.0.0/8")
            with pytest.raises(CallFailed) as refused:
                await http.request("GET", f"{redirecting_url}/redirect", headers={}, content=None)
            await http.aclose()
    assert "user name or password" in refused.value.reason and "pw" not in refused.value.reason
    assert partner.hits == ["GET /redirect"]


async def test_an_answer_larger_than_the_limit_fails_the_call(internal: Internal) -> None:
    http = client("127.0.0.0/8", max_bytes=1024)
    with pytest.raises(CallFailed, match="larger than 1024 bytes"):
        await http.request("GET", f"{internal.url}/large", headers={}, content=None)
    await http.aclose()


async def test_a_partner_that_trickles_is_cut_off_by_the_total_timeout(internal: Internal) -> None:
    """Each byte comes within the read timeout; the call as a whole does not."""
    http = client("127.0.0.0/8", total=0.6)
    with pytest.raises(CallFailed, match="within 0.6 seconds"):
        await http.request("GET", f"{internal.url}/trickle", headers={}, content=None)
    await http.aclose()


async def test_proxy_variables_do_not_route_around_the_guard(internal: Internal, monkeypatch) -> None:
    """With HTTP_PROXY pointing at an allowed host, a forbidden URL must still be refused."""
    monkeypatch.setenv("HTTP_PROXY", internal.url)
    monkeypatch.setenv("http_proxy", internal.url)
    http = client("127.0.0.0/8")  # the proxy itself would be allowed
    with pytest.raises(CallFailed, match=SETTING):
        await http.request("GET", "http://10.0.0.1/versions", headers={}, content=None)
    await http.aclose()
    assert internal.hits == []
