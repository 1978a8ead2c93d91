"""A CDR's own statement of its volumes: each period bills what it states, what no period states comes
from the totals, and every disagreement between volumes, start times and totals is a named warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evroam.tariffs.pricing.engine import price_cdr
from evroam.tariffs.pricing.errors import PricingInputError
from tests.tariffs.pricing_support import cdr, energy_tariff, period

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)

# 1.00/h charging, 2.00/h parking, 0.10/kWh: every volume shows in the cost, at step 1
EVERY_DIMENSION = energy_tariff(price=0.10, vat=None, elements=[{"price_components": [
    {"type": "ENERGY", "price": 0.10, "step_size": 1}, {"type": "TIME", "price": 1.00, "step_size": 1},
    {"type": "PARKING_TIME", "price": 2.00, "step_size": 1}]}])  # fmt: skip


def billed(result: dict[str, Any], dimension: str) -> list[float | int]:
    return [item["billed_quantity"] for item in result["line_items"] if item["dimension"] == dimension]


def warning(source: str, dimension: str, stated: float, implied: float, implied_by: str, unit: str = "h",
            period_index: int | None = None) -> dict[str, Any]:  # fmt: skip
    """The named parts of a warning (its `message` is checked apart)."""
    return {"source": source, "period_index": period_index, "dimension": dimension, "stated": stated,
            "implied": implied, "implied_by": implied_by, "unit": unit}  # fmt: skip


def named(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key: value for key, value in found.items() if key != "message"} for found in result["warnings"]]


def test_a_period_bills_the_time_it_states_and_its_start_times_are_reported() -> None:
    """Half an hour of charging stated in a period one hour long by its start times."""
    result = price_cdr(EVERY_DIMENSION, cdr([period(START, ENERGY=10, TIME=0.5)], START + HOUR), "UTC")
    assert billed(result, "TIME") == [1800]
    assert result["total_time_cost"]["excl_vat"] == 0.5 and result["total_time"] == 0.5
    assert named(result) == [warning("charging_periods[0]", "TIME", 0.5, 1.0, "start times", period_index=0)]
    assert result["warnings"][0]["message"] == "charging_periods[0] states TIME 0.5 h, its start times imply 1 h"


def test_a_split_period_bills_its_stated_parking() -> None:
    """TIME 0.25 h and PARKING_TIME 0.5 h in a period of 30 minutes: both billed as stated, and reported."""
    session = cdr([period(START, ENERGY=2, TIME=0.25, PARKING_TIME=0.5)], START + HOUR / 2)
    result = price_cdr(EVERY_DIMENSION, session, "UTC")
    assert billed(result, "TIME") == [900] and billed(result, "PARKING_TIME") == [1800]
    assert named(result) == [warning("charging_periods[0]", "TIME+PARKING_TIME", 0.75, 0.5, "start times",
                                     period_index=0)]  # fmt: skip


def test_start_times_still_choose_the_element_by_duration() -> None:
    """2.00/h during the first hour by the start times, 1.00/h after. The first period states only half an
    hour of its hour: the second still starts one hour into the session, so it is billed at 1.00/h."""
    tariff = energy_tariff(elements=[
        {"price_components": [{"type": "TIME", "price": 2.00, "step_size": 1}], "restrictions": {"max_duration": 3600}},
        {"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}]},
    ])  # fmt: skip
    session = cdr([period(START, TIME=0.5), period(START + HOUR, TIME=1)], START + 2 * HOUR)
    result = price_cdr(tariff, session, "UTC")
    assert [(item["element_index"], item["billed_quantity"]) for item in result["line_items"]] == [(0, 1800), (1, 3600)]
    assert result["total_cost"]["excl_vat"] == 2.0


def test_start_times_still_choose_the_element_by_the_clock() -> None:
    """Energy at 0.30 from 17:00 Berlin (16:00 UTC); the periods state their energy, their starts say when."""
    tariff = energy_tariff(vat=None, elements=[
        {"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}],
         "restrictions": {"start_time": "17:00", "end_time": "00:00"}},
        {"price_components": [{"type": "ENERGY", "price": 0.20, "step_size": 1}]},
    ])  # fmt: skip
    session = cdr([period(START, ENERGY=5, TIME=1), period(START + HOUR, ENERGY=2, TIME=1)], START + 2 * HOUR,
                  total_energy=7, total_time=2)  # fmt: skip
    result = price_cdr(tariff, session, "Europe/Berlin")
    assert [item["element_index"] for item in result["line_items"]] == [1, 0]
    assert result["total_energy_cost"]["excl_vat"] == 1.6 and result["warnings"] == []


def test_energy_no_period_states_comes_from_total_energy_by_charging_time() -> None:
    """Periods of 1 h and 3 h stating TIME only; total_energy 20 kWh: 5 and 15 kWh, an even power."""
    periods = [period(START, TIME=1), period(START + HOUR, TIME=3)]
    result = price_cdr(EVERY_DIMENSION, cdr(periods, START + 4 * HOUR, total_energy=20), "UTC")
    assert billed(result, "ENERGY") == [5.0, 15.0]
    assert result["total_energy"] == 20.0 and result["total_energy_cost"]["excl_vat"] == 2.0
    assert result["warnings"] == []


def test_energy_shares_add_up_to_the_total_exactly() -> None:
    """10 kWh over three equal periods: 3.333, 3.333 and the rest, 3.334, never 9.999 or 10.002."""
    periods = [period(START + HOUR * n, TIME=1) for n in range(3)]
    result = price_cdr(EVERY_DIMENSION, cdr(periods, START + 3 * HOUR, total_energy=10), "UTC")
    assert billed(result, "ENERGY") == [3.333, 3.333, 3.334] and result["total_energy"] == 10.0


def test_energy_left_by_the_periods_that_state_it_goes_to_those_that_do_not() -> None:
    periods = [period(START, ENERGY=4, TIME=1), period(START + HOUR, TIME=1)]
    result = price_cdr(EVERY_DIMENSION, cdr(periods, START + 2 * HOUR, total_energy=10.5), "UTC")
    assert billed(result, "ENERGY") == [4.0, 6.5] and result["warnings"] == []


def test_charging_time_no_period_states_comes_from_total_time() -> None:
    """Periods stating ENERGY only, 1 h and 30 min by their start times, while total_time says 1 h: the hour
    is shared 2:1 as the start times are, and the disagreement of total_time with them is reported."""
    periods = [period(START, ENERGY=6), period(START + HOUR, ENERGY=3)]
    result = price_cdr(EVERY_DIMENSION, cdr(periods, START + 1.5 * HOUR, total_energy=9, total_time=1), "UTC")
    assert billed(result, "TIME") == [2400, 1200] and result["total_time"] == 1.0
    assert named(result) == [warning("total_time", "TIME+PARKING_TIME", 1.0, 1.5, "start times")]


@pytest.mark.parametrize(
    ("periods", "end", "totals", "expected"),
    [
        pytest.param([period(START, ENERGY=10, TIME=1), period(START + HOUR, PARKING_TIME=0.25)], 1.5 * HOUR, {},
                     [warning("charging_periods[1]", "PARKING_TIME", 0.25, 0.5, "start times", period_index=1)],
                     id="parking-vs-start-times"),
        pytest.param([period(START, RESERVATION_TIME=0.5), period(START + HOUR / 4, ENERGY=1, TIME=0.25)], HOUR / 2,
                     {}, [warning("charging_periods[0]", "RESERVATION_TIME", 0.5, 0.25, "start times", period_index=0)],
                     id="reservation-vs-start-times"),
        pytest.param([period(START, ENERGY=10, TIME=1)], HOUR, {"total_energy": 12},
                     [warning("total_energy", "ENERGY", 12.0, 10.0, "charging periods", unit="kWh")],
                     id="energy-total-vs-periods"),
        pytest.param([period(START, ENERGY=10, TIME=1), period(START + HOUR, ENERGY=5, TIME=1)], 2 * HOUR,
                     {"total_energy": 12}, [warning("total_energy", "ENERGY", 12.0, 15.0, "charging periods", unit="kWh")],
                     id="periods-state-more-energy-than-the-total"),
        pytest.param([period(START, ENERGY=10, TIME=1), period(START + HOUR, PARKING_TIME=0.5)], 1.5 * HOUR,
                     {"total_parking_time": 1, "total_time": 1.5},
                     [warning("total_parking_time", "PARKING_TIME", 1.0, 0.5, "charging periods")],
                     id="parking-total-vs-periods"),
        pytest.param([period(START, ENERGY=10, TIME=1)], HOUR, {"total_time": 1.25},
                     [warning("total_time", "TIME+PARKING_TIME", 1.25, 1.0, "start times"),
                      warning("total_time", "TIME+PARKING_TIME", 1.25, 1.0, "charging periods")],
                     id="time-total-vs-both"),
    ],
)  # fmt: skip
def test_each_disagreement_is_named(periods: list, end: timedelta, totals: dict, expected: list) -> None:
    result = price_cdr(EVERY_DIMENSION, cdr(periods, START + end, **totals), "UTC")
    assert named(result) == expected
    for found in result["warnings"]:
        assert found["message"].startswith(f"{found['source']} states {found['dimension']} ")


@pytest.mark.parametrize(
    ("hours", "warned"),
    [
        (0.33, False),  # 1188 s, within the 18 s a volume written to 2 decimals may be off, + 1 s
        (0.32, True),  # 1152 s: 48 s short
        (0.3333333334, False),
        (0.3336, False),  # 1200.96 s
        (0.3337, True),  # 1201.32 s: more than 0.18 s of rounding to 4 decimals + 1 s of whole-second timestamps
    ],
)
def test_volumes_within_rounding_of_the_start_times_are_no_disagreement(hours: float, warned: bool) -> None:
    result = price_cdr(EVERY_DIMENSION, cdr([period(START, TIME=hours)], START + HOUR / 3), "UTC")
    assert bool(result["warnings"]) is warned


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [("total_energy", "lots", "not a number"), ("total_time", -1, "must not be negative"),
     ("total_parking_time", float("nan"), "not a finite number")],
)  # fmt: skip
def test_bad_totals_name_the_field(key: str, value: Any, problem: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        price_cdr(EVERY_DIMENSION, cdr([period(START, ENERGY=1, TIME=1)], START + HOUR, **{key: value}), "UTC")
    assert str(raised.value) == f"{key}: {problem}"


@pytest.mark.parametrize("kind", ["TIME", "PARKING_TIME", "RESERVATION_TIME"])
def test_more_hours_than_a_year_are_refused(kind: str) -> None:
    """Billed as stated, 1e308 hours would overflow; anything past 10000 hours is no session."""
    with pytest.raises(PricingInputError) as raised:
        price_cdr(EVERY_DIMENSION, cdr([period(START, **{kind: 1e308})], START + HOUR), "UTC")
    assert str(raised.value) == "charging_periods[0].dimensions[0].volume: more than 10000 hours"
    with pytest.raises(PricingInputError, match="^total_time: more than 10000 hours$"):
        price_cdr(EVERY_DIMENSION, cdr([period(START, TIME=1)], START + HOUR, total_time=10_001), "UTC")


def test_time_stated_past_the_calendar_is_refused() -> None:
    last_hour = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    session = cdr([period(last_hour, ENERGY=1, TIME=2, PARKING_TIME=1)], last_hour + HOUR / 2)
    with pytest.raises(PricingInputError) as raised:
        price_cdr(EVERY_DIMENSION, session, "UTC")
    assert str(raised.value) == "charging_periods[0].dimensions: the time stated runs past the year 9999"


def test_parking_of_a_split_period_starts_within_it() -> None:
    """TIME 2 h stated in a period of 1 h from 16:00 Berlin, then parking: the parking starts at 17:00, the
    period's end by its start times, not at 18:00, so the evening parking price from 17:30 does not apply."""
    tariff = energy_tariff(elements=[
        {"price_components": [{"type": "PARKING_TIME", "price": 2.00, "step_size": 1}],
         "restrictions": {"start_time": "17:30", "end_time": "00:00"}},
        {"price_components": [{"type": "PARKING_TIME", "price": 1.00, "step_size": 1}]},
    ])  # fmt: skip
    session = cdr([period(START, TIME=2, PARKING_TIME=0.5)], START + HOUR)
    result = price_cdr(tariff, session, "Europe/Berlin")
    (parking,) = result["line_items"]
    assert parking["start_date_time"] == "2026-11-23T16:00:00Z" and parking["element_index"] == 1


@st.composite
def honest_cdrs(draw) -> tuple[dict[str, Any], dict[str, float]]:
    """A CDR whose statements agree: every volume is the exact one rounded to 3 to 10 decimals as written
    (energy in whole Wh), periods and totals each stated or left out, reservation first."""

    def hours(seconds: int) -> float:
        return float(round(Decimal(seconds) / 3600, draw(st.integers(3, 10))))

    moment = draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31))).replace(microsecond=0, tzinfo=UTC)
    periods = []
    for _ in range(draw(st.integers(0, 1))):
        reserved_s = draw(st.integers(0, 3600))
        periods.append(period(moment, RESERVATION_TIME=hours(reserved_s)))
        moment += timedelta(seconds=reserved_s)
    energy_wh = session_s = parking_s = 0
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["ENERGY+TIME", "TIME", "ENERGY", "PARKING_TIME", "ENERGY+TIME+PARKING_TIME"]))
        charged_s = 0 if kind == "PARKING_TIME" else draw(st.integers(0, 7200))
        parked_s = draw(st.integers(0, 7200)) if "PARKING_TIME" in kind else 0
        charged_wh = 0 if kind == "PARKING_TIME" else draw(st.integers(0, 50_000))
        volumes: dict[str, float] = {}
        if "ENERGY" in kind:
            volumes["ENERGY"] = charged_wh / 1000
        if "TIME" in kind.replace("PARKING_TIME", ""):
            volumes["TIME"] = hours(charged_s)
        if "PARKING_TIME" in kind:
            volumes["PARKING_TIME"] = hours(parked_s)
        periods.append(period(moment, **volumes))
        moment += timedelta(seconds=charged_s + parked_s)
        energy_wh, session_s, parking_s = energy_wh + charged_wh, session_s + charged_s + parked_s, parking_s + parked_s
    every_total = {"total_energy": energy_wh / 1000, "total_time": hours(session_s), "total_parking_time": hours(parking_s)}
    totals = {key: value for key, value in every_total.items() if draw(st.booleans())}
    return cdr(periods, moment, **totals), totals


@settings(derandomize=True, max_examples=300, deadline=None)
@given(honest_cdrs())
def test_an_honest_cdr_gets_no_warning_and_bills_its_total_energy(honest: tuple[dict[str, Any], dict[str, float]]) -> None:
    session, totals = honest
    result = price_cdr(EVERY_DIMENSION, session, "UTC")
    assert result["warnings"] == []
    if "total_energy" in totals:
        assert result["total_energy"] == totals["total_energy"]
