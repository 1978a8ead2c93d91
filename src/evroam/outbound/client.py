"""Outbound HTTP clients: guarded connections, bounded in time and in the size of what comes back.

`Outbound` is built once from the settings (the runtime holds it); `Outbound.client()` gives a client with
its own connection pool (the runtime keeps one shared by the handshakes, the delivery worker one per
partner). A call fails with `CallFailed` carrying one sentence, whatever went wrong: the guard refused,
no connection, no answer in time, or an answer too large.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpcore
import httpx

from evroam.config import Settings
from evroam.outbound.backend import GuardedBackend
from evroam.outbound.policy import AllowedNetworks, OutboundRefused, url_problem

# Partners redirect to add a trailing slash or move to https; a longer chain is a loop or a trick.
MAX_REDIRECTS = 5


class CallFailed(Exception):
    def __init__(self, reason: str, refused: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        # The guard refused the call: evroam did not try, which is not the partner being down.
        self.refused = refused


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass(frozen=True, slots=True)
class Outbound:
    allowed: AllowedNetworks
    timeout: httpx.Timeout
    total_timeout: float
    max_response_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Outbound:
        return cls(
            allowed=AllowedNetworks.parse(settings.partner_networks_allowed),
            timeout=httpx.Timeout(settings.outbound_read_timeout, connect=settings.outbound_connect_timeout),
            total_timeout=settings.outbound_total_timeout,
            max_response_bytes=settings.outbound_max_response_bytes,
        )

    def client(self, max_connections: int = 100) -> OutboundClient:
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        http = httpx.AsyncClient(
            transport=_GuardedTransport(self.allowed, limits),
            timeout=self.timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            # Proxy variables would send the call around the guard, to wherever the proxy connects.
            trust_env=False,
            event_hooks={"request": [_refuse_unfit_url]},
        )
        return OutboundClient(http, self.total_timeout, self.max_response_bytes)


class OutboundClient:
    def __init__(self, http: httpx.AsyncClient, total_timeout: float, max_response_bytes: int) -> None:
        self.http = http
        self.total_timeout = total_timeout
        self.max_response_bytes = max_response_bytes

    async def request(self, method: str, url: str, *, headers: dict[str, str], content: bytes | None) -> Answer:
        problem = url_problem(url)
        if problem:
            raise CallFailed(f"the URL {problem}", refused=True)
        try:
            async with asyncio.timeout(self.total_timeout):
                async with self.http.stream(method, url, headers=headers, content=content) as response:
                    body = await self._read_bounded(response)
        except OutboundRefused as exc:
            raise CallFailed(str(exc), refused=True) from exc
        except TimeoutError as exc:
            raise CallFailed(f"no complete answer within {self.total_timeout:g} seconds") from exc
        except httpx.TimeoutException as exc:
            raise CallFailed("no answer in time") from exc
        except httpx.TooManyRedirects as exc:
            raise CallFailed(f"more than {MAX_REDIRECTS} redirects") from exc
        except httpx.HTTPError as exc:
            raise CallFailed((str(exc) or type(exc).__name__)[:200]) from exc
        return Answer(response.status_code, response.headers, body)

    async def _read_bounded(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise CallFailed(self._too_large())
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_response_bytes:
                raise CallFailed(self._too_large())
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> str:
        return (f"the answer is larger than {self.max_response_bytes} bytes "
                "(EVROAM_OUTBOUND_MAX_RESPONSE_BYTES)")

    async def aclose(self) -> None:
        await self.http.aclose()


async def _refuse_unfit_url(request: httpx.Request) -> None:
    """Runs for every request the client sends, redirects included."""
    problem = url_problem(str(request.url))
    if problem:
        raise OutboundRefused(f"evroam does not follow {request.url.copy_with(username=None, password=None)}: "
                              f"the URL {problem}.")


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose connections come from the guarded backend.

    httpx does not take a network backend, httpcore's pool does: the pool the parent built is replaced
    by one with the same limits over `GuardedBackend` (httpx's request and response mapping is kept).
    """

    def __init__(self, allowed: AllowedNetworks, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=self._pool._ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allowed),
        )
