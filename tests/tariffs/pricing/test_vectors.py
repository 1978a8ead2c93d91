"""The 35 tariff vectors from the OCPI specification (shared/ocpi-vectors), priced two ways:
from their local session periods through the engine, and from their CDR charging periods through
`price_cdr`. Billed quantities, every cost the vector states and its line items must match;
money is compared at 4 decimals (the vectors hold exact amounts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from evroam.tariffs.pricing.engine import price_cdr, price_session
from evroam.tariffs.pricing.model import PeriodState, PricingResult, SessionPeriod
from evroam.tariffs.pricing.parsing import parse_tariff
from tests.tariffs.pricing_support import at_4, dec, load_vectors, stamp, utc

VECTORS = load_vectors()
COST_FIELDS = ("total_cost", "total_energy_cost", "total_time_cost", "total_parking_cost", "total_fixed_cost",
               "total_reservation_cost")  # fmt: skip
BILLED_KEYS = {"ENERGY": "ENERGY_kWh", "TIME": "TIME_s", "PARKING_TIME": "PARKING_TIME_s",
               "RESERVATION_TIME": "RESERVATION_TIME_s"}  # fmt: skip


def by_id(vector: dict[str, Any]) -> str:
    return vector["id"]


def local_periods(session: dict[str, Any]) -> list[SessionPeriod]:
    zone = ZoneInfo(session["time_zone"])
    return [
        SessionPeriod(
            state=PeriodState(raw["state"]),
            start=datetime.fromisoformat(raw["start_local"]).replace(tzinfo=zone),
            duration_s=raw["duration_s"],
            energy_kwh=dec(raw.get("energy_kwh", 0)),
            min_current_a=None if "min_current_a" not in raw else dec(raw["min_current_a"]),
            max_current_a=None if "max_current_a" not in raw else dec(raw["max_current_a"]),
            min_power_kw=None if "min_power_kw" not in raw else dec(raw["min_power_kw"]),
            max_power_kw=None if "max_power_kw" not in raw else dec(raw["max_power_kw"]),
        )
        for raw in session["periods"]
    ]


def vector_cdr(vector: dict[str, Any]) -> dict[str, Any]:
    """The vector's CDR: its charging periods, ending after the session's exact total duration, and the
    totals the vector gives."""
    session = vector["session"]
    periods = session["cdr_charging_periods"]
    end = utc(periods[0]["start_date_time"]) + timedelta(seconds=sum(p["duration_s"] for p in session["periods"]))
    return {
        "country_code": vector["tariff"]["country_code"],
        "party_id": vector["tariff"]["party_id"],
        "id": f"CDR-{vector['id']}",
        "currency": vector["tariff"]["currency"],
        "start_date_time": periods[0]["start_date_time"],
        "end_date_time": stamp(end),
        "charging_periods": periods,
        **{key: total for key, total in session["cdr_totals"].items() if total is not None},
    }


def assert_costs(expected: dict[str, Any], actual: dict[str, tuple[Any, Any]]) -> None:
    for field in COST_FIELDS:
        if field in expected:
            excl_vat, incl_vat = actual[field]
            assert at_4(excl_vat) == at_4(expected[field]["excl_vat"]), f"{field}.excl_vat"
            if "incl_vat" in expected[field]:
                assert at_4(incl_vat) == at_4(expected[field]["incl_vat"]), f"{field}.incl_vat"


def assert_billed(expected: dict[str, Any], items: list[tuple[str, Decimal]]) -> None:
    billed: dict[str, Decimal] = {}
    for dimension, quantity in items:
        if dimension in BILLED_KEYS:
            billed[BILLED_KEYS[dimension]] = billed.get(BILLED_KEYS[dimension], Decimal(0)) + quantity
    assert billed == {key: dec(value) for key, value in expected["billed"].items()}


def assert_line_items(expected: dict[str, Any], items: list[dict[str, Decimal | str]]) -> None:
    if "line_items" not in expected:
        return
    assert [item["dimension"] for item in items] == [line["dimension"] for line in expected["line_items"]]
    for item, line in zip(items, expected["line_items"]):
        quantity = line.get("quantity_kWh", line.get("quantity_s", line.get("quantity")))
        assert item["quantity"] == dec(quantity)
        assert item["price"] == dec(line["price"])
        assert at_4(item["excl_vat"]) == at_4(line["cost_excl_vat"])
        if "cost_incl_vat" in line:
            assert at_4(item["incl_vat"]) == at_4(line["cost_incl_vat"])


@pytest.mark.parametrize("vector", VECTORS, ids=by_id)
def test_vector_priced_from_local_periods(vector: dict[str, Any]) -> None:
    session = vector["session"]
    result: PricingResult = price_session(parse_tariff(vector["tariff"]), local_periods(session), session["time_zone"])
    expected = vector["expected"]
    actual = {field: (getattr(result, field).excl_vat, getattr(result, field).incl_vat) for field in COST_FIELDS}
    assert_costs(expected, actual)
    assert_billed(expected, [(item.dimension, item.billed) for item in result.line_items])
    assert_line_items(
        expected,
        [
            {"dimension": item.dimension, "quantity": item.billed, "price": item.unit_price,
             "excl_vat": item.cost.excl_vat, "incl_vat": item.cost.incl_vat}
            for item in result.line_items
        ],
    )  # fmt: skip


@pytest.mark.parametrize("vector", VECTORS, ids=by_id)
def test_vector_priced_from_cdr(vector: dict[str, Any]) -> None:
    session = vector["session"]
    result = price_cdr(vector["tariff"], vector_cdr(vector), session["time_zone"])
    expected = vector["expected"]
    assert_costs(expected, {field: (result[field]["excl_vat"], result[field]["incl_vat"]) for field in COST_FIELDS})
    items = result["line_items"]
    assert_billed(expected, [(item["dimension"], dec(item["billed_quantity"])) for item in items])
    assert_line_items(
        expected,
        [
            {"dimension": item["dimension"], "quantity": dec(item["billed_quantity"]), "price": dec(item["unit_price"]),
             "excl_vat": item["cost"]["excl_vat"], "incl_vat": item["cost"]["incl_vat"]}
            for item in items
        ],
    )  # fmt: skip
    totals = session["cdr_totals"]
    assert result["warnings"] == [], "the vectors' periods, start times and totals agree"
    if totals["total_energy"] is not None:  # T30's from the CDR's total: its periods carry TIME only
        assert dec(result["total_energy"]) == dec(totals["total_energy"])
    for field in ("total_time", "total_parking_time"):
        if totals[field] is not None:  # hours, rounded by the vector (T30 copies the spec's 1.973): within 2 s
            assert abs(dec(result[field]) - dec(totals[field])) * 3600 < 2, field


@pytest.mark.parametrize("vector", [v for v in VECTORS if "reservation_expired" in v["session"]], ids=by_id)
def test_expired_reservation_is_recognised_from_the_periods_alone(vector: dict[str, Any]) -> None:
    """The engine needs no flag: a session of reservation periods only is a reservation that expired."""
    states = {period["state"] for period in vector["session"]["periods"]}
    assert vector["session"]["reservation_expired"] == (states == {"RESERVATION"})
