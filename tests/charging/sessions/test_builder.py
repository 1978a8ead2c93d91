"""The pure session builder: events (in any order) + settings + tariff -> the session's state."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from evroam.charging.sessions.builder import (
    Meter,
    Pricing,
    Settings,
    SocketStatus,
    Started,
    Stopped,
    build,
)
from evroam.tariffs.pricing.model import PeriodState
from evroam.tariffs.pricing.tariff_cache import tariff_plan

D = Decimal
# A Monday, 10:00 in Helsinki (UTC+2 in winter).
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def tariff(*elements: dict, currency: str = "EUR") -> Pricing:
    document = {"country_code": "FI", "party_id": "EVR", "id": "T1", "currency": currency,
                "elements": list(elements), "last_updated": "2026-01-01T00:00:00Z"}
    return Pricing(tariff_plan(document).tariff, "Europe/Helsinki")


def energy(price: float, step: int = 1, **restrictions) -> dict:
    element: dict = {"price_components": [{"type": "ENERGY", "price": price, "vat": 10, "step_size": step}]}
    if restrictions:
        element["restrictions"] = restrictions
    return element


def one_hour_of_20_kwh() -> list:
    """Start at 1000 Wh, 5 kWh every 15 minutes, stop at 21000 Wh after an hour."""
    return [
        Started(at(0), 1, 1, "TAG", D(1000), "REF-1"),
        *(Meter(at(15 * n), 1 + n, D(1000 + 5000 * n)) for n in (1, 2, 3)),
        Stopped(at(60), 9, D(21000), "EVDisconnected"),
    ]


def starts_and_energy(state) -> list[tuple[str, Decimal]]:
    return [(period.period.start.strftime("%H:%M"), period.period.energy_kwh) for period in state.periods]


def test_a_completed_session_has_its_energy_periods_and_cost() -> None:
    state = build(one_hour_of_20_kwh(), Settings(15), tariff(energy(0.25)))
    assert (state.status, state.kwh, state.start, state.end) == ("COMPLETED", D(20), at(0), at(60))
    assert (state.meter_start_wh, state.meter_stop_wh, state.stop_reason) == (D(1000), D(21000), "EVDisconnected")
    assert (state.id_tag, state.socket_id, state.authorization_reference) == ("TAG", 1, "REF-1")
    assert starts_and_energy(state) == [("08:00", D(5)), ("08:15", D(5)), ("08:30", D(5)), ("08:45", D(5))]
    assert state.cost.total_cost.excl_vat == D("5.00") and state.cost.total_cost.incl_vat == D("5.500")


@pytest.mark.parametrize("seed", range(5))
def test_the_order_events_arrive_in_does_not_matter(seed: int) -> None:
    events = one_hour_of_20_kwh()
    expected = build(events, Settings(15), tariff(energy(0.25)))
    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    assert build(shuffled, Settings(15), tariff(energy(0.25))) == expected


def test_any_prefix_of_the_events_in_any_order_is_a_consistent_session() -> None:
    """What a charger sending its backlog piece by piece shows at each step."""
    events = one_hour_of_20_kwh()
    for count in range(1, len(events) + 1):
        for subset in itertools.permutations(events[:count]):
            state = build(subset, Settings(15))
            assert state.status == ("ACTIVE" if count < len(events) else "COMPLETED")
            assert state.kwh == D(5) * (count - 1) if count < len(events) else D(20)


def test_without_its_start_a_session_is_pending_and_times_out_invalid() -> None:
    late = [Meter(at(15), 2, D(6000)), Stopped(at(60), 9, D(21000), "Local")]
    pending = build(late, Settings())
    assert (pending.status, pending.start, pending.kwh, pending.periods) == ("PENDING", at(15), D(0), ())
    assert build(late, Settings(), timed_out=True).status == "INVALID"
    # The start arriving after the timeout still makes the session it was.
    assert build([*late, Started(at(0), 1, 1, "TAG", D(1000))], Settings(), timed_out=True).status == "COMPLETED"


def test_an_active_session_runs_to_its_last_meter_value() -> None:
    state = build(one_hour_of_20_kwh()[:3], Settings(15))
    assert (state.status, state.end, state.kwh) == ("ACTIVE", None, D(10))
    assert starts_and_energy(state) == [("08:00", D(5)), ("08:15", D(5))]


def test_energy_is_read_between_samples_on_a_straight_line() -> None:
    events = [Started(at(0), 1, 1, "TAG", D(0)), Meter(at(20), 2, D(6000)), Stopped(at(30), 3, D(6000), "Local")]
    state = build(events, Settings(15))
    assert starts_and_energy(state) == [("08:00", D("4.5")), ("08:15", D("1.5"))]


@pytest.mark.parametrize("last_s", [20.3, 20.7])
def test_the_energy_is_the_registers_difference_whatever_fraction_of_a_second_the_last_event_has(last_s: float) -> None:
    """The session is whole seconds long: an end rounded down to 20 s still counts what was metered at 20.3 s."""
    start = T0 + timedelta(seconds=0.2)
    events = [Started(start, 1, 1, "TAG", D(1000)), Meter(start + timedelta(seconds=10.6), 2, D(1100)),
              Stopped(start + timedelta(seconds=last_s), 3, D(1200), "Local")]
    completed = build(events, Settings(15))
    assert completed.kwh == sum(period.period.energy_kwh for period in completed.periods) == D("0.2")
    active = build([*events[:1], Meter(start + timedelta(seconds=last_s), 2, D(1100))], Settings(15))
    assert active.kwh == D("0.1")


def test_a_register_that_goes_back_holds_its_value() -> None:
    events = [Started(at(0), 1, 1, "TAG", D(1000)), Meter(at(10), 2, D(4000)), Meter(at(20), 3, D(2000)),
              Stopped(at(30), 4, D(5000), "Local")]
    state = build(events, Settings(10))
    assert starts_and_energy(state) == [("08:00", D(3)), ("08:10", D(0)), ("08:20", D(1))]


def test_meter_values_outside_the_session_are_ignored() -> None:
    events = [Meter(at(-5), 1, D(50000)), Started(at(0), 2, 1, "TAG", D(1000)), Stopped(at(30), 3, D(3000), "Local"),
              Meter(at(40), 4, D(90000))]
    assert build(events, Settings(60)).kwh == D(2)


def test_the_interval_setting_cuts_the_periods() -> None:
    assert len(build(one_hour_of_20_kwh(), Settings(5)).periods) == 12
    assert len(build(one_hour_of_20_kwh(), Settings(60)).periods) == 1


def test_a_period_starts_where_a_time_of_day_restriction_changes_the_price() -> None:
    # 10:20 local is 08:20 UTC: the cheaper element ends there.
    pricing = tariff(energy(0.20, end_time="10:20"), energy(0.30))
    state = build(one_hour_of_20_kwh(), Settings(60), pricing)
    assert starts_and_energy(state) == [("08:00", D(20) / 3), ("08:20", D(40) / 3)]
    assert state.cost.total_cost.excl_vat == D(20) / 3 * D("0.20") + D(40) / 3 * D("0.30")


def test_a_period_starts_where_the_energy_reaches_a_kwh_limit() -> None:
    state = build(one_hour_of_20_kwh(), Settings(60), tariff(energy(0.20, max_kwh=7.5), energy(0.30)))
    assert starts_and_energy(state) == [("08:00", D("7.5")), ("08:22", D("12.5"))]  # 7.5 kWh at 22.5 min
    assert state.periods[1].period.start == at(22.5)


def test_a_period_starts_where_the_duration_crosses_a_limit() -> None:
    state = build(one_hour_of_20_kwh(), Settings(60), tariff(energy(0.20, max_duration=2400), energy(0.30)))
    assert [period.period.start for period in state.periods] == [at(0), at(40)]


def test_a_period_starts_where_the_power_crosses_a_limit() -> None:
    events = [Started(at(0), 1, 1, "TAG", D(0)), Meter(at(10), 2, D(2000), power_w=D(11000)),
              Meter(at(20), 3, D(6000), power_w=D(24000)), Meter(at(30), 4, D(8000), power_w=D(12000)),
              Stopped(at(40), 5, D(9000), "Local")]
    state = build(events, Settings(60), tariff(energy(0.20, max_power=22), energy(0.40)))
    assert [period.period.start for period in state.periods] == [at(0), at(10), at(20)]
    assert [(p.period.min_power_kw, p.period.max_power_kw) for p in state.periods] == [
        (D(11), D(11)), (D(24), D(24)), (D(6), D(12))]
    assert state.cost.total_cost.excl_vat == D(2) * D("0.20") + D(4) * D("0.40") + D(3) * D("0.20")


def test_a_period_starts_where_the_current_crosses_a_limit() -> None:
    events = [Started(at(0), 1, 1, "TAG", D(0)), Meter(at(10), 2, D(2000), current_a=D(16)),
              Meter(at(20), 3, D(4000), current_a=D(32)), Stopped(at(30), 4, D(6000), "Local")]
    state = build(events, Settings(60), tariff(energy(0.20, min_current=20), energy(0.40)))
    assert [period.period.start for period in state.periods] == [at(0), at(10)]
    assert state.periods[1].period.max_current_a == D(32)


def test_parking_is_when_the_socket_says_the_ev_asks_for_no_power() -> None:
    events = [*one_hour_of_20_kwh()[:-1], SocketStatus(at(50), 20, "SuspendedEV"),
              Stopped(at(60), 9, D(21000), "Local")]
    parking = {"price_components": [{"type": "PARKING_TIME", "price": 6, "vat": 10, "step_size": 60}]}
    state = build(events, Settings(60), tariff(energy(0.25), parking))
    assert [(p.period.start, p.period.state) for p in state.periods] == [
        (at(0), PeriodState.CHARGING), (at(50), PeriodState.PARKING)]
    # 20 kWh at 0.25 and 10 minutes of parking at 6/h.
    assert state.cost.total_cost.excl_vat == D(5) + D(1)


def test_time_out_of_order_is_not_billed() -> None:
    events = [*one_hour_of_20_kwh()[:-1], SocketStatus(at(20), 20, "Faulted"), SocketStatus(at(30), 21, "Charging"),
              SocketStatus(at(40), 22, "Unavailable"), SocketStatus(at(45), 23, "SuspendedEV"),
              Stopped(at(60), 9, D(21000), "Local")]
    time = {"price_components": [{"type": "TIME", "price": 6, "vat": 10, "step_size": 60}]}
    parking = {"price_components": [{"type": "PARKING_TIME", "price": 12, "vat": 10, "step_size": 60}]}
    state = build(events, Settings(60), tariff(energy(0.25), time, parking))
    assert [(p.period.start, p.period.state, p.period.duration_s) for p in state.periods] == [
        (at(0), PeriodState.CHARGING, 1200), (at(20), PeriodState.CHARGING, 0), (at(30), PeriodState.CHARGING, 600),
        (at(40), PeriodState.CHARGING, 0), (at(45), PeriodState.PARKING, 900)]
    assert sum(p.period.energy_kwh for p in state.periods) == D(20), "energy is billed whenever the meter counted it"
    # 20 kWh at 0.25, 30 minutes charging at 6/h, 15 minutes parking at 12/h: the 15 out of order are free.
    assert state.cost.total_cost.excl_vat == D(5) + D(3) + D(3)


def test_the_state_of_charge_is_kept_only_when_it_is_to_be_sent() -> None:
    events = [Started(at(0), 1, 1, "TAG", D(0)), Meter(at(10), 2, D(2000), state_of_charge=D(40)),
              Meter(at(20), 3, D(4000), state_of_charge=D(55)), Stopped(at(30), 4, D(6000), "Local")]
    assert [p.state_of_charge for p in build(events, Settings(15, True)).periods] == [D(40), D(55)]
    assert [p.state_of_charge for p in build(events, Settings(15, False)).periods] == [None, None]


def test_without_a_tariff_there_is_no_cost() -> None:
    assert build(one_hour_of_20_kwh(), Settings()).cost is None
