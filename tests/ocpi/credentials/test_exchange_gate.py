"""The exchange gate on its own, with a clock the test moves: the failure window, Retry-After, the cap."""

from __future__ import annotations

import pytest

from evroam.ocpi.credentials.exchange_gate import BUSY_RETRY_AFTER_SECONDS, ExchangeGate
from evroam.ocpi.protocol.envelope import CLIENT_ERROR, SERVER_ERROR, OcpiError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def gate(clock: Clock, capacity: int = 4, failures_allowed: int = 3, window: float = 60.0) -> ExchangeGate:
    return ExchangeGate(capacity, failures_allowed, window, clock=clock)


async def admitted(gate: ExchangeGate, token: str) -> bool:
    async with gate.admit(token):
        return True


async def refusal(gate: ExchangeGate, token: str) -> OcpiError:
    with pytest.raises(OcpiError) as refused:
        async with gate.admit(token):
            pass
    return refused.value


def fail_at(gate: ExchangeGate, clock: Clock, token: str, *moments: float) -> None:
    for moment in moments:
        clock.now = moment
        gate.record_failure(token)


async def test_fewer_failures_than_allowed_are_admitted(clock):
    exchanges = gate(clock)
    fail_at(exchanges, clock, "token-a", 1000, 1001)
    assert await admitted(exchanges, "token-a")


async def test_the_allowed_number_of_failures_throttles_until_the_oldest_leaves_the_window(clock):
    exchanges = gate(clock)
    fail_at(exchanges, clock, "token-a", 1000, 1010, 1020)
    throttled = await refusal(exchanges, "token-a")
    assert (throttled.http_status, throttled.status_code) == (429, CLIENT_ERROR)
    assert throttled.headers == {"Retry-After": "40"} and "40 seconds" in throttled.message

    clock.now = 1059
    assert (await refusal(exchanges, "token-a")).headers == {"Retry-After": "1"}
    clock.now = 1060  # the failure at 1000 is out of the window: two are left
    assert await admitted(exchanges, "token-a")


async def test_retry_after_rounds_up_to_a_whole_second_of_at_least_one(clock):
    exchanges = gate(clock, failures_allowed=1)
    fail_at(exchanges, clock, "token-a", 1000.25)
    clock.now = 1030
    assert (await refusal(exchanges, "token-a")).headers == {"Retry-After": "31"}
    clock.now = 1060.2499
    assert (await refusal(exchanges, "token-a")).headers == {"Retry-After": "1"}


async def test_failures_of_one_token_do_not_throttle_another(clock):
    exchanges = gate(clock, failures_allowed=1)
    fail_at(exchanges, clock, "token-a", 1000)
    assert (await refusal(exchanges, "token-a")).http_status == 429
    assert await admitted(exchanges, "token-b")


async def test_beyond_the_cap_an_exchange_is_refused_at_once(clock):
    exchanges = gate(clock, capacity=1)
    async with exchanges.admit("token-a"):
        busy = await refusal(exchanges, "token-b")
    assert (busy.http_status, busy.status_code) == (503, SERVER_ERROR)
    assert busy.headers == {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)}
    assert await admitted(exchanges, "token-b"), "the slot is free again"


async def test_an_exchange_that_raises_gives_its_slot_back(clock):
    exchanges = gate(clock, capacity=1)
    with pytest.raises(RuntimeError):
        async with exchanges.admit("token-a"):
            raise RuntimeError("the partner's answer broke the exchange")
    assert exchanges.running == 0
    assert await admitted(exchanges, "token-b")


async def test_a_throttled_token_takes_no_slot(clock):
    exchanges = gate(clock, capacity=1, failures_allowed=1)
    fail_at(exchanges, clock, "token-a", 1000)
    for _ in range(3):
        assert (await refusal(exchanges, "token-a")).http_status == 429
    assert exchanges.running == 0
    assert await admitted(exchanges, "token-b")
