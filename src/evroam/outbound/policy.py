"""The outbound guard's rules: which URLs evroam takes, and which addresses it connects to.

A partner URL is http or https, names a host, and carries no user name or password (OCPI authenticates
with its token; a password in a URL ends up in logs and status texts). Its host must resolve to public
addresses only, unless the address lies in a network, or the host has a name, that
`EVROAM_PARTNER_NETWORKS_ALLOWED` lists. Loopback, private, link-local (cloud metadata) and other special
addresses are otherwise refused: an operator key or a partner token must not make evroam reach into the
network it runs in.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

SETTING = "EVROAM_PARTNER_NETWORKS_ALLOWED"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class OutboundRefused(Exception):
    """The guard refused a call; the message is one sentence an engineer can act on."""


def url_problem(url: str) -> str | None:
    """Why `url` is unfit to be called, in words that follow the field's name; None when it is fit."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password (OCPI authenticates with its token)"
    if not parts.hostname:
        return "must name a host"
    return None


def fit_to_call(url: str) -> str:
    """A Pydantic validator: what the guard would refuse later is refused at input, naming the field."""
    problem = url_problem(url)
    if problem:
        raise ValueError(problem)
    return url


@dataclass(frozen=True, slots=True)
class AllowedNetworks:
    """What `EVROAM_PARTNER_NETWORKS_ALLOWED` lets evroam call besides the public internet."""

    networks: tuple[IPNetwork, ...] = ()
    host_names: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, value: str) -> AllowedNetworks:
        """Comma- or space-separated CIDR ranges, addresses and host names; ValueError names a bad entry."""
        networks: list[IPNetwork] = []
        names: set[str] = set()
        for entry in value.replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if "/" in entry or not _looks_like_host_name(entry):
                raise ValueError(f"{entry!r} is neither a CIDR range nor a host name")
            names.add(entry.lower().rstrip("."))
        return cls(tuple(networks), frozenset(names))

    def permits_host_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.host_names

    def address_problem(self, host: str, address: IPAddress) -> str | None:
        """None when evroam may connect to `address` (which `host` resolved to); else the refusal."""
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.networks):
            return None
        if address.is_global and not address.is_multicast:
            return None
        shown = host if host == str(address) else f"{host} ({address})"
        return (f"evroam does not call {shown}: it is not a public address; to allow it, add the address, "
                f"its network or the host name to {SETTING}.")


def _looks_like_host_name(entry: str) -> bool:
    labels = entry.rstrip(".").split(".")
    return all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)
