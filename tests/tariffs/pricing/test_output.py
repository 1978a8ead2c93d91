"""The JSON edge: amounts rounded to 4 decimals as floats, timestamps in UTC, whatever was reused."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.tariffs.pricing.engine import price_session
from evroam.tariffs.pricing.model import (
    CostField,
    Dimension,
    LineItem,
    Money,
    PeriodState,
    PriceComponent,
    PricingResult,
    SessionPeriod,
    Tariff,
    TariffElement,
)
from evroam.tariffs.pricing.output import pricing_result_json

HELSINKI = ZoneInfo("Europe/Helsinki")
ZERO = Decimal(0)


def line_item(start: datetime, cost: Money) -> LineItem:
    return LineItem("ENERGY", CostField.ENERGY, 0, start, 0, ZERO, ZERO, Decimal("-0.05"), None, cost)


def result(*items: LineItem, total: Money) -> PricingResult:
    zero = Money(ZERO, ZERO)
    return PricingResult(total, total, total, zero, zero, zero, zero, ZERO, 0, 0, 0, items)


def test_negative_zero_is_not_taken_for_the_zero_before_it() -> None:
    """-0 equals 0 but is written -0.0 (a zero energy at a negative spot price): each keeps its sign."""
    start = datetime(2026, 11, 23, 15, tzinfo=UTC)
    zero, negative_zero = Money(Decimal("0.00"), Decimal("0.00")), Money(Decimal("-0.00"), Decimal("-0.000"))
    written = pricing_result_json(result(line_item(start, zero), line_item(start, negative_zero), total=zero))
    costs = [line["cost"]["excl_vat"] for line in written["line_items"]] + [written["total_cost"]["excl_vat"]]
    assert [math.copysign(1, cost) for cost in costs] == [1, -1, 1]


def test_equal_amounts_are_written_alike_and_apart() -> None:
    start = datetime(2026, 11, 23, 15, tzinfo=UTC)
    cost = Money(Decimal("5.33750"), Decimal("5.871250"))
    written = pricing_result_json(result(line_item(start, cost), total=Money(Decimal("5.3375"), Decimal("5.87125"))))
    assert written["total_cost"] == written["total_energy_cost"] == written["line_items"][0]["cost"]
    assert written["total_cost"] == {"excl_vat": 5.3375, "incl_vat": 5.8713}
    written["total_cost"]["excl_vat"] = 0  # every field its own dict: a caller may edit one
    assert written["total_energy_cost"]["excl_vat"] == 5.3375


def test_starts_are_written_in_utc_with_their_fraction_of_a_second() -> None:
    tariff = Tariff("EUR", (TariffElement((PriceComponent(Dimension.ENERGY, Decimal("0.25"), None, 1),)),))
    local_start = datetime(2026, 11, 23, 17, 0, tzinfo=HELSINKI)
    periods = [
        SessionPeriod(PeriodState.CHARGING, local_start, 1800, Decimal(5)),
        SessionPeriod(PeriodState.CHARGING, local_start + timedelta(seconds=1800, microseconds=250), 1800, Decimal(5)),
    ]
    written = pricing_result_json(price_session(tariff, periods, HELSINKI))
    assert [line["start_date_time"] for line in written["line_items"]] == [
        "2026-11-23T15:00:00Z",
        "2026-11-23T15:30:00.000250Z",
    ]


def test_a_total_of_one_line_item_is_written_as_that_item() -> None:
    """A total made of one line item reuses the item's amounts; as any sum, it writes a negative zero as 0.0."""
    start = datetime(2026, 11, 23, 15, tzinfo=UTC)
    tariff = Tariff("EUR", (TariffElement((PriceComponent(Dimension.ENERGY, Decimal("-0.0"), Decimal(20), 1),)),))
    periods = [SessionPeriod(PeriodState.CHARGING, start, 1800, Decimal("5.1234567"))]
    written = pricing_result_json(price_session(tariff, periods, HELSINKI))
    line_cost = written["line_items"][0]["cost"]
    assert [math.copysign(1, amount) for amount in line_cost.values()] == [-1, -1]
    for field in ("total_cost", "total_energy_cost", "total_cost_before_limits"):
        assert written[field] == {"excl_vat": 0.0, "incl_vat": 0.0}
        assert [math.copysign(1, amount) for amount in written[field].values()] == [1, 1], field
    priced = Tariff("EUR", (TariffElement((PriceComponent(Dimension.ENERGY, Decimal("0.3"), Decimal(20), 0),)),))
    written = pricing_result_json(price_session(priced, periods, HELSINKI))
    amounts = {"excl_vat": 1.537, "incl_vat": 1.8444}  # no step: 5.1234567 x 0.3 = 1.53703701, x 1.2 = 1.844444412
    assert written["line_items"][0]["cost"] == written["total_energy_cost"] == written["total_cost"] == amounts
