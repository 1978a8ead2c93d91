"""`price_cdr` as outside callers use it: where the time zone comes from, how CDR periods are read,
and bad input reported as PricingInputError naming the field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from evroam.tariffs.pricing.countries import ALPHA3_TO_ALPHA2
from evroam.tariffs.pricing.engine import price_cdr, price_session
from evroam.tariffs.pricing.cdr_statement import hours_to_seconds
from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.model import PeriodState, SessionPeriod
from evroam.tariffs.pricing.time_zones import zones_by_country
from evroam.tariffs.pricing.parsing import parse_tariff
from tests.tariffs.pricing_support import SHARED_DIR, cdr, energy_tariff, period

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

# 1.00/h charging from 17:00 local only, 0.20/kWh always: the local clock decides the TIME cost.
EVENING_TIME_TARIFF = {
    "country_code": "DE", "party_id": "EVR", "id": "EVENING", "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}],
         "restrictions": {"start_time": "17:00", "end_time": "00:00"}},
        {"price_components": [{"type": "ENERGY", "price": 0.20, "step_size": 1}]},
    ],
    "last_updated": "2026-01-01T00:00:00Z",
}  # fmt: skip


def one_hour_cdr(**fields: Any) -> dict[str, Any]:
    """16:00-17:00 UTC, 10 kWh: 17:00 local in Berlin (TIME billed), 18:00 in Helsinki, 16:00 in London."""
    return cdr([period(START + timedelta(hours=1), ENERGY=10, TIME=1)], START + timedelta(hours=2), **fields)


def time_cost(result: dict[str, Any]) -> float:
    return result["total_time_cost"]["excl_vat"]


def test_time_zone_argument_wins() -> None:
    session = one_hour_cdr(cdr_location={"country": "GBR", "time_zone": "Europe/London"})
    assert time_cost(price_cdr(EVENING_TIME_TARIFF, session, "Europe/Berlin")) == 1.0
    assert time_cost(price_cdr(EVENING_TIME_TARIFF, session)) == 0.0  # 16:00 in London


def test_time_zone_from_the_location() -> None:
    assert time_cost(price_cdr(EVENING_TIME_TARIFF, one_hour_cdr(location={"time_zone": "Europe/Helsinki"}))) == 1.0


@pytest.mark.parametrize(("country", "evening"), [("BEL", True), ("FIN", True), ("DEU", True), ("GBR", False)])
def test_time_zone_from_a_country_with_one_zone(country: str, evening: bool) -> None:
    """DEU has Europe/Berlin and Europe/Busingen, which have agreed since 1980: no doubt either."""
    result = price_cdr(EVENING_TIME_TARIFF, one_hour_cdr(cdr_location={"country": country}))
    assert time_cost(result) == (1.0 if evening else 0.0)


@pytest.mark.parametrize("country", ["USA", "ESP", "AUS"])
def test_country_with_several_zones_needs_the_time_zone(country: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        price_cdr(EVENING_TIME_TARIFF, one_hour_cdr(cdr_location={"country": country}))
    assert raised.value.field == "cdr_location.country" and "give the time zone" in str(raised.value)


@pytest.mark.parametrize(
    ("fields", "time_zone", "field"),
    [
        ({}, None, "time_zone"),
        ({"cdr_location": {"country": "XYZ"}}, None, "cdr_location.country"),
        ({"cdr_location": {"time_zone": "Mars/Olympus"}}, None, "cdr_location.time_zone"),
        ({}, "Europe/Nowhere", "time_zone"),
    ],
)
def test_unknown_time_zones_are_refused(fields: dict[str, Any], time_zone: str | None, field: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        price_cdr(EVENING_TIME_TARIFF, one_hour_cdr(**fields), time_zone)
    assert raised.value.field == field


def test_restrictions_follow_daylight_saving_time() -> None:
    """15:30 UTC is 16:30 in Berlin on Saturday 28 March 2026 (CET) but 17:30 on Sunday 29 March (CEST)."""
    for day, evening in ((28, False), (29, True)):
        start = datetime(2026, 3, day, 15, 30, tzinfo=UTC)
        session = cdr([period(start, ENERGY=1, TIME=0.25)], start + timedelta(minutes=15), cdr_location={"country": "DEU"})
        assert time_cost(price_cdr(EVENING_TIME_TARIFF, session)) == (0.25 if evening else 0.0)


def test_a_reservation_element_only_a_kept_reservation_reaches_may_read_the_clock() -> None:
    """The unrestricted RESERVATION_EXPIRES element leaves the clock-restricted RESERVATION one out of an
    expired reservation's candidates, not out of a kept one's: pricing must still work out the local time."""
    tariff = energy_tariff(elements=[
        {"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}],
         "restrictions": {"reservation": "RESERVATION_EXPIRES"}},
        {"price_components": [{"type": "TIME", "price": 2.00, "step_size": 1}],
         "restrictions": {"reservation": "RESERVATION", "start_time": "16:00", "end_time": "17:00"}},
        {"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]},
    ])  # fmt: skip
    reserved = START + timedelta(minutes=15)  # 16:15 in Berlin
    session = cdr([period(START, RESERVATION_TIME=0.25), period(reserved, ENERGY=4, TIME=0.75)], START + timedelta(hours=1))
    result = price_cdr(tariff, session, "Europe/Berlin")
    assert result["total_reservation_cost"]["excl_vat"] == 0.5 and result["total_energy_cost"]["excl_vat"] == 1.0


def test_every_tz_database_country_has_an_alpha3_code() -> None:
    assert set(zones_by_country()) <= set(ALPHA3_TO_ALPHA2.values())
    assert len(set(ALPHA3_TO_ALPHA2.values())) == len(ALPHA3_TO_ALPHA2) == 249


def test_period_length_comes_from_timestamps_not_rounded_hours() -> None:
    """Three periods of 20 min written as 0.3333333334 h: 3600 s in total, one 10-min step, not two."""
    tariff = {**energy_tariff(), "elements": [{"price_components": [{"type": "TIME", "price": 6, "step_size": 600}]}]}
    periods = [period(START + timedelta(minutes=20 * n), TIME=0.3333333334) for n in range(3)]
    result = price_cdr(tariff, cdr(periods, START + timedelta(hours=1)), "UTC")
    assert [item["billed_quantity"] for item in result["line_items"]] == [1200, 1200, 1200]
    assert result["total_cost"]["excl_vat"] == 6.0


def test_hours_become_whole_seconds_half_up() -> None:
    assert hours_to_seconds(Decimal("0.3333333334")) == 1200
    assert hours_to_seconds(Decimal("1.973")) == 7103  # 7102.8 s
    assert hours_to_seconds(Decimal("0.000138888")) == 0  # 0.49999... s
    assert hours_to_seconds(Decimal("0.00013888889")) == 1  # 0.5000000004 s


def test_period_with_time_and_parking_is_split_charging_first() -> None:
    """One period of 30 min holding TIME 0.25 h and PARKING_TIME 0.25 h: 15 min charging, then 15 min parking."""
    components = [{"type": "TIME", "price": 2, "step_size": 1}, {"type": "PARKING_TIME", "price": 4, "step_size": 1}]
    tariff = {**energy_tariff(), "elements": [{"price_components": components}]}
    result = price_cdr(tariff, cdr([period(START, TIME=0.25, PARKING_TIME=0.25)], START + timedelta(minutes=30)), "UTC")
    assert result["total_time_cost"]["excl_vat"] == 0.5 and result["total_parking_cost"]["excl_vat"] == 1.0
    assert result["line_items"][1]["start_date_time"] == "2026-11-23T15:15:00Z"
    assert [item["period_index"] for item in result["line_items"]] == [0, 0], "both from charging_periods[0]"
    assert result["total_time"] == 0.5 and result["total_parking_time"] == 0.25


def test_cdr_of_the_specification_prices_as_it_states() -> None:
    """ocpi-examples/cdr.json (Gent, BEL: Europe/Brussels) with its own tariff: 4.00 / 4.40."""
    example = json.loads((SHARED_DIR / "ocpi-examples" / "cdr.json").read_text())
    result = price_cdr(example["tariffs"][0], example)
    assert result["total_cost"] == example["total_cost"]
    assert result["total_time_cost"] == example["total_time_cost"]


def test_min_price_without_incl_vat_keeps_the_session_vat_ratio() -> None:
    """1 kWh at 0.25 + 10 % VAT, min_price 0.50 excl. only: incl. becomes 0.50 x 1.10 = 0.55."""
    tariff = energy_tariff(min_price={"excl_vat": 0.50})
    result = price_cdr(tariff, cdr([period(START, ENERGY=1, TIME=0.5)], START + timedelta(minutes=30)), "UTC")
    assert result["total_cost"] == {"excl_vat": 0.5, "incl_vat": 0.55}
    assert result["total_energy_cost"] == {"excl_vat": 0.25, "incl_vat": 0.275}, "per-dimension totals stay uncapped"
    assert result["total_cost_before_limits"] == {"excl_vat": 0.25, "incl_vat": 0.275}


def test_money_is_rounded_half_up_to_4_decimals_only_at_the_end() -> None:
    """0.115 kWh x 0.25 = 0.02875 -> 0.0288 (half up); three of them sum exactly before rounding: 0.08625 -> 0.0863."""
    periods = [period(START + timedelta(minutes=n), ENERGY=0.115, TIME=1 / 60) for n in range(3)]
    result = price_cdr(energy_tariff(vat=None), cdr(periods, START + timedelta(minutes=3)), "UTC")
    assert [item["cost"]["excl_vat"] for item in result["line_items"]] == [0.0288, 0.0288, 0.0288]
    assert result["total_cost"]["excl_vat"] == 0.0863


def valid_cdr() -> dict[str, Any]:
    return cdr(
        [period(START, ENERGY=5, TIME=0.5), period(START + timedelta(minutes=30), PARKING_TIME=0.25),
         period(START + timedelta(minutes=45), PARKING_TIME=0.25)],
        START + timedelta(hours=1),
        cdr_location={"country": "FIN"},
    )  # fmt: skip


DELETE = object()


def broken(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The valid CDR with the value at `path` replaced (or deleted)."""
    document = copy.deepcopy(valid_cdr())
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return document


PERIODS = "charging_periods"
NOT_RFC_3339 = "not an RFC 3339 date-time"
RESERVED = [{"type": "PARKING_TIME", "volume": 0.25}, {"type": "RESERVATION_TIME", "volume": 0.25}]


@pytest.mark.parametrize(
    ("path", "value", "field", "problem"),
    [
        ((PERIODS, 2, "start_date_time"), "yesterday", "charging_periods[2].start_date_time", NOT_RFC_3339),
        ((PERIODS, 1, "start_date_time"), "2026-11-23", "charging_periods[1].start_date_time", NOT_RFC_3339),
        (("start_date_time",), DELETE, "start_date_time", "required"),
        (("end_date_time",), DELETE, "end_date_time", "required"),
        (("end_date_time",), "2026-11-23T14:00:00Z", "end_date_time", "before start_date_time"),
        ((PERIODS,), [], "charging_periods", "must not be empty"),
        ((PERIODS,), {}, "charging_periods", "not a JSON array"),
        ((PERIODS, 1), "parked", "charging_periods[1]", "not a JSON object"),
        ((PERIODS, 1, "start_date_time"), "2026-11-23T15:50:00Z", "charging_periods[2].start_date_time",
         "before the previous period's start"),
        ((PERIODS, 0, "start_date_time"), "2026-11-23T14:59:00Z", "charging_periods[0].start_date_time",
         "before the CDR's start_date_time"),
        ((PERIODS, 2, "start_date_time"), "2026-11-23T16:30:00Z", "charging_periods[2].start_date_time",
         "after the CDR's end_date_time"),
        ((PERIODS, 0, "dimensions", 0, "volume"), "lots", "charging_periods[0].dimensions[0].volume", "not a number"),
        ((PERIODS, 0, "dimensions", 0, "volume"), -1, "charging_periods[0].dimensions[0].volume",
         "must not be negative"),
        ((PERIODS, 0, "dimensions", 1, "volume"), DELETE, "charging_periods[0].dimensions[1].volume", "required"),
        ((PERIODS, 0, "dimensions", 1, "type"), None, "charging_periods[0].dimensions[1].type", "not a dimension type"),
        ((PERIODS, 1, "dimensions"), RESERVED, "charging_periods[1].dimensions",
         "RESERVATION_TIME cannot share a period"),
        ((PERIODS, 1, "tariff_id"), "OTHER", "charging_periods[1].tariff_id",
         "'OTHER' is not the tariff given ('T-ENERGY')"),
        (("currency",), "SEK", "currency", "the CDR is in SEK but the tariff in EUR"),
        (("cdr_location", "country"), "FI", "cdr_location.country", "not an ISO 3166-1 alpha-3 country code"),
    ],
)  # fmt: skip
def test_bad_cdrs_name_the_field(path: tuple[str | int, ...], value: Any, field: str, problem: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        price_cdr(energy_tariff(), broken(path, value))
    assert isinstance(raised.value, ValueError)
    assert raised.value.field == field
    assert str(raised.value) == f"{field}: {raised.value.problem}" and raised.value.problem.startswith(problem)


def test_reservation_after_charging_is_refused() -> None:
    periods = [period(START, ENERGY=1, TIME=0.5), period(START + timedelta(minutes=30), RESERVATION_TIME=0.5)]
    with pytest.raises(PricingInputError) as raised:
        price_cdr(energy_tariff(), cdr(periods, START + timedelta(hours=1)), "UTC")
    assert str(raised.value) == "charging_periods[1].dimensions: RESERVATION_TIME after the charging session started"
    with pytest.raises(PricingInputError, match=r"^periods\[1\].state: a reservation cannot follow"):
        price_session(parse_tariff(energy_tariff()), [
            SessionPeriod(PeriodState.CHARGING, START, 60), SessionPeriod(PeriodState.RESERVATION, START, 60)], "UTC")


def test_bad_tariffs_are_named_under_tariff() -> None:
    with pytest.raises(PricingInputError) as raised:
        price_cdr(energy_tariff(price="free"), valid_cdr())
    assert str(raised.value) == "tariff.elements[0].price_components[0].price: not a number"
    with pytest.raises(PricingInputError, match="^tariff: not a JSON object$"):
        price_cdr([], valid_cdr())  # type: ignore[arg-type]
    with pytest.raises(PricingInputError, match="^cdr: not a JSON object$"):
        price_cdr(energy_tariff(), "CDR")  # type: ignore[arg-type]


def test_result_is_plain_json() -> None:
    result = price_cdr(energy_tariff(), valid_cdr())
    assert json.loads(json.dumps(result)) == result
    assert result["total_energy"] == 5.0 and result["total_time"] == 1.0 and result["total_parking_time"] == 0.5
    (item,) = result["line_items"]
    assert item == {
        "dimension": "ENERGY", "cost_field": "total_energy_cost", "period_index": 0,
        "start_date_time": "2026-11-23T15:00:00Z", "element_index": 0, "consumed_quantity": 5.0,
        "billed_quantity": 5.0, "unit": "kWh", "unit_price": 0.25, "priced_per": "kWh", "vat": 10.0,
        "cost": {"excl_vat": 1.25, "incl_vat": 1.375},
    }  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [
        SessionPeriod(PeriodState.CHARGING, datetime(2026, 11, 23, 15), 60),
        SessionPeriod(PeriodState.CHARGING, START, -1),
        SessionPeriod(PeriodState.CHARGING, START, 60, Decimal(-1)),
    ],
)
def test_engine_refuses_periods_it_cannot_place(bad: SessionPeriod) -> None:
    with pytest.raises(PricingInputError, match=r"^periods\[0\]: "):
        price_session(parse_tariff(energy_tariff()), [bad], "UTC")
