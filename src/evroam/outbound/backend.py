"""The connection layer of every outbound call: resolve once, check every address, connect to a checked one.

httpcore asks its network backend for a TCP connection to (host, port); this backend resolves the host
itself, refuses when any address it resolves to is not allowed (a name that answers with one public and
one private address is as dangerous as the private one), and hands the inner backend the checked address,
so no second lookup can answer differently (DNS rebinding). TLS still verifies the certificate against the
host name: httpcore passes the URL's host as the server name, not the address connected to. Redirects
open their connections here too, so every hop passes the same guard.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import httpcore

from evroam.outbound.policy import AllowedNetworks, IPAddress, OutboundRefused


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, allowed: AllowedNetworks, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.allowed = allowed
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in await self.checked_addresses(host, port, timeout):
            try:
                return await self.inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # checked_addresses never returns an empty list
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None):
        raise OutboundRefused("evroam does not call partners over Unix sockets.")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)

    async def checked_addresses(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        addresses = await _resolve(host, port, timeout)
        if not self.allowed.permits_host_name(host):
            for address in addresses:
                problem = self.allowed.address_problem(host, address)
                if problem:
                    raise OutboundRefused(problem)
        return addresses


async def _resolve(host: str, port: int, timeout: float | None) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        async with asyncio.timeout(timeout):
            found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"looking up {host} took too long") from exc
    except OSError as exc:
        raise httpcore.ConnectError(f"the host name {host} does not resolve") from exc
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        # The scope of a link-local IPv6 address ("fe80::1%eth0") is dropped: such addresses are refused.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"the host name {host} does not resolve")
    return addresses
