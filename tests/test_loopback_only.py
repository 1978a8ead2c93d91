"""The test session's guard: nothing leaves this machine, whatever URL a test or a fuzzer produces."""

from __future__ import annotations

import socket

import httpx
import pytest


async def test_outbound_http_to_another_host_is_refused_before_any_packet():
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("http://192.0.2.10:9/")
        with pytest.raises(httpx.ConnectError):
            await client.get("http://partner.example/ocpi/versions")


def test_loopback_still_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
