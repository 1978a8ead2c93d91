"""The outbound guard's rules, without the network: which URLs are fit, which addresses are allowed."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from evroam.config import Settings
from evroam.outbound.policy import SETTING, AllowedNetworks, url_problem


@pytest.mark.parametrize("url", [
    "https://partner.example/ocpi/versions",
    "http://partner.example:8080/versions?x=1",
    "https://[2001:db8::1]/versions",
])
def test_fit_urls_pass(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(("url", "words"), [
    ("ftp://partner.example/versions", "http:// or https://"),
    ("file:///etc/passwd", "http:// or https://"),
    ("gopher://127.0.0.1:6379/_INFO", "http:// or https://"),
    ("https://user:secret@partner.example/versions", "user name or password"),
    ("https://user@partner.example/versions", "user name or password"),
    ("https:///versions", "must name a host"),
    ("https://partner.example:99999/versions", "not a valid URL"),
])
def test_unfit_urls_are_refused_with_the_reason(url: str, words: str) -> None:
    assert words in url_problem(url)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "::", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1",
    "255.255.255.255",
])
def test_internal_and_special_addresses_are_refused_by_default(address: str) -> None:
    problem = AllowedNetworks().address_problem("partner.example", ipaddress.ip_address(address))
    assert problem is not None
    assert SETTING in problem and "partner.example" in problem


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert AllowedNetworks().address_problem("partner.example", ipaddress.ip_address(address)) is None


def test_the_setting_opens_networks_and_names() -> None:
    allowed = AllowedNetworks.parse("10.20.0.0/16, 127.0.0.1 partner.internal")
    assert allowed.address_problem("x", ipaddress.ip_address("10.20.3.4")) is None
    assert allowed.address_problem("x", ipaddress.ip_address("127.0.0.1")) is None
    assert allowed.address_problem("x", ipaddress.ip_address("127.0.0.2")) is not None
    assert allowed.address_problem("x", ipaddress.ip_address("10.21.0.1")) is not None
    assert allowed.permits_host_name("Partner.Internal.")
    assert not allowed.permits_host_name("other.internal")


@pytest.mark.parametrize("value", ["10.0.0.0/33", "not a/range", "under_score.example"])
def test_a_setting_that_cannot_be_read_stops_the_start(value: str) -> None:
    with pytest.raises(ValidationError, match="partner_networks_allowed"):
        Settings(partner_networks_allowed=value)
