"""What a partner may ask of evroam's credentials endpoint at once, and how often it may fail.

Each exchange a partner starts makes evroam call the URL the partner gave (versions, then details), for
up to the outbound timeouts. So that partners cannot tie up evroam with slow URLs, or use it to probe
addresses one attempt after another:

* at most `credentials_exchanges_max` exchanges run at once in this process; the next is answered
  HTTP 503 with `Retry-After` at once, rather than queued;
* a token whose exchanges failed `credentials_failures_allowed` times within the window is answered
  HTTP 429 with `Retry-After` until the oldest failure leaves the window. A failure never uses the token
  up: the partner fixes its side and tries again.

Both are counted per process (SECURITY.md says what that means with several API processes). One exchange
at a time per integration is the exchange lease's job (evroam.integrations.exchange_lease), in every process.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from evroam.config import Settings
from evroam.ocpi.protocol.envelope import CLIENT_ERROR, SERVER_ERROR, OcpiError
from evroam.security import hash_secret

# A full gate frees a slot when an exchange ends, within the outbound timeouts at the latest.
BUSY_RETRY_AFTER_SECONDS = 5


class ExchangeGate:
    def __init__(self, capacity: int, failures_allowed: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.failures_allowed = failures_allowed
        self.window = window_seconds
        self.clock = clock
        self.running = 0
        self.failures: dict[str, deque[float]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> ExchangeGate:
        return cls(settings.credentials_exchanges_max, settings.credentials_failures_allowed,
                   settings.credentials_failure_window_seconds)

    @asynccontextmanager
    async def admit(self, token: str) -> AsyncIterator[None]:
        """Lets one exchange with `token` run, or raises the OCPI error that says when to come back."""
        wait = self._throttled_for(hash_secret(token))
        if wait:
            raise OcpiError(CLIENT_ERROR, f"Too many failed credentials exchanges with this token; "
                            f"retry in {wait} seconds.", http_status=429, headers={"Retry-After": str(wait)})
        if self.running >= self.capacity:
            raise OcpiError(SERVER_ERROR, "evroam is running as many credentials exchanges as it allows; "
                            f"retry in {BUSY_RETRY_AFTER_SECONDS} seconds.", http_status=503,
                            headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)})
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1

    def record_failure(self, token: str) -> None:
        """An exchange with `token` failed on the partner's side (its URL, its answers, its roles)."""
        self.failures.setdefault(hash_secret(token), deque()).append(self.clock())

    def _throttled_for(self, key: str) -> int:
        """Whole seconds until the token may try again; 0 when it may now."""
        recent = self.failures.get(key)
        if recent is None:
            return 0
        now = self.clock()
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if not recent:
            del self.failures[key]
            return 0
        if len(recent) < self.failures_allowed:
            return 0
        return max(1, math.ceil(recent[0] + self.window - now))
