"""Spot components (evroam extension): the cap rule, margins, following the market period by period,
locking the price at session start, and never pricing an unknown spot price as zero."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from evroam.tariffs.pricing.engine import price_cdr, price_session
from evroam.tariffs.pricing.errors import MissingSpotPriceError, PricingInputError
from evroam.tariffs.pricing.model import PeriodState, SessionPeriod, SpotRule
from evroam.tariffs.pricing.spot import spot_unit_price
from evroam.tariffs.spot.files import parse_entsoe_day_ahead
from evroam.tariffs.pricing.spot_prices import InMemorySpotPrices, SpotPrice
from evroam.tariffs.pricing.parsing import parse_tariff
from tests.tariffs.pricing_support import FIXTURES, cdr, period

HELSINKI = "Europe/Helsinki"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)


def hourly(*prices: tuple[int, str], zone: str = "FI", currency: str = "EUR") -> InMemorySpotPrices:
    return InMemorySpotPrices(
        SpotPrice(zone, at(hour), at(hour + 1), Decimal(price), currency) for hour, price in prices
    )


TWO_HOURS_PRICES = ((13, "0.10"), (14, "0.30"))  # 13:00-14:00 UTC at 0.10, 14:00-15:00 at 0.30


def spot_tariff(kind: str = "ENERGY_SPOT", **component: Any) -> dict[str, Any]:
    return {
        "id": "SPOT",
        "currency": "EUR",
        "elements": [{"priceComponents": [{"type": kind, "biddingZone": "FI", "stepSize": 1, **component}]}],
    }


def charging(start: datetime, minutes: int, kwh: str) -> list[SessionPeriod]:
    return [SessionPeriod(PeriodState.CHARGING, start, minutes * 60, Decimal(kwh))]


def rule(**fields: Any) -> SpotRule:
    values = dict(bidding_zone="FI", locked=False, price_cap=None, cost_percentage=Decimal(0), margin=Decimal(0),
                  margin_percentage=Decimal(0))  # fmt: skip
    return SpotRule(**{**values, **fields})


def test_documented_cap_example() -> None:
    """emabler-reference: spot 0.27, cap 0.18, 30 % of the part above the cap -> 0.18 + 0.3 x 0.09 = 0.207."""
    documented = rule(price_cap=Decimal("0.18"), cost_percentage=Decimal(30))
    assert spot_unit_price(documented, Decimal("0.27")) == Decimal("0.207")


def test_cap_only_bites_above_it() -> None:
    capped = rule(price_cap=Decimal("0.18"), cost_percentage=Decimal(30))
    assert spot_unit_price(capped, Decimal("0.12")) == Decimal("0.12")
    assert spot_unit_price(rule(), Decimal("0.27")) == Decimal("0.27")


def test_margins_apply_after_the_cap() -> None:
    """0.207 x 1.10 + 0.02 = 0.2477; without a cap 0.10 x 1.20 + 0.05 = 0.17."""
    full = rule(price_cap=Decimal("0.18"), cost_percentage=Decimal(30), margin_percentage=Decimal(10),
                margin=Decimal("0.02"))  # fmt: skip
    assert spot_unit_price(full, Decimal("0.27")) == Decimal("0.2477")
    uncapped = rule(margin_percentage=Decimal(20), margin=Decimal("0.05"))
    assert spot_unit_price(uncapped, Decimal("0.10")) == Decimal("0.17")


def test_negative_spot_price_is_passed_on() -> None:
    assert spot_unit_price(rule(margin=Decimal("0.05")), Decimal("-0.00125")) == Decimal("0.04875")


def test_documented_example_through_a_session() -> None:
    """10 kWh in the 14:00 hour at spot 0.27 with cap 0.18 / 30 %: 2.07 excl., x 1.255 VAT = 2.59785."""
    tariff = parse_tariff(spot_tariff(priceCap=0.18, costPercentage=30, vat=25.5, price=99))  # price is ignored
    result = price_session(tariff, charging(at(14, 10), 40, "10"), HELSINKI, spot_prices=hourly((14, "0.27")))
    assert result.total_energy_cost.excl_vat == Decimal("2.07")
    assert result.total_energy_cost.incl_vat == Decimal("2.59785")
    (item,) = result.line_items
    assert (item.spot_price, item.unit_price) == (Decimal("0.27"), Decimal("0.207"))


def test_energy_spot_follows_the_market_across_an_hour_boundary() -> None:
    """13:30-14:30, 10 kWh spread evenly: 5 kWh at 0.10 and 5 kWh at 0.30 = 2.00."""
    tariff = parse_tariff(spot_tariff(margin=0.01))
    result = price_session(tariff, charging(at(13, 30), 60, "10"), HELSINKI, spot_prices=hourly(*TWO_HOURS_PRICES))
    assert [(item.start, item.billed, item.unit_price) for item in result.line_items] == [
        (at(13, 30), Decimal(5), Decimal("0.11")),
        (at(14), Decimal(5), Decimal("0.31")),
    ]
    assert result.total_energy_cost.excl_vat == Decimal("2.10")
    assert result.total_energy_kwh == Decimal(10)


def test_energy_spot_on_quarter_hour_prices() -> None:
    """13:00-14:00 with 8 kWh: 2 kWh at 210.40 EUR/MWh, then 6 kWh at 265.00 = 0.4208 + 1.59 = 2.0108."""
    document = (FIXTURES / "entsoe_day_ahead_fi_pt15m_a03.xml").read_bytes()
    source = InMemorySpotPrices(parse_entsoe_day_ahead(document, "FI"))
    result = price_session(parse_tariff(spot_tariff()), charging(at(13), 60, "8"), HELSINKI, spot_prices=source)
    assert len(result.line_items) == 4
    assert result.total_energy_cost.excl_vat == Decimal("2.0108")


def test_energy_spot_locked_keeps_the_price_at_session_start() -> None:
    """The same 13:30-14:30 session, locked at 13:30's 0.10: 10 kWh x 0.10 = 1.00."""
    tariff = parse_tariff(spot_tariff("ENERGY_SPOT_LOCKED"))
    result = price_session(tariff, charging(at(13, 30), 60, "10"), HELSINKI, spot_prices=hourly(*TWO_HOURS_PRICES))
    assert result.total_energy_cost.excl_vat == Decimal("1.00")
    assert [item.spot_price for item in result.line_items] == [Decimal("0.10")]


def test_locked_price_needs_only_the_start_interval() -> None:
    tariff = parse_tariff(spot_tariff("ENERGY_SPOT_LOCKED"))
    result = price_session(tariff, charging(at(13, 30), 120, "4"), HELSINKI, spot_prices=hourly((13, "0.25")))
    assert result.total_cost.excl_vat == Decimal("1.00")


def test_step_size_extra_goes_to_the_last_spot_piece() -> None:
    """9.5 kWh billed as 10 (step 1000 Wh): 4.75 at 0.10 and 4.75 + 0.5 at 0.30 = 0.475 + 1.575 = 2.05."""
    tariff = parse_tariff(spot_tariff(stepSize=1000))
    result = price_session(tariff, charging(at(13, 30), 60, "9.5"), HELSINKI, spot_prices=hourly(*TWO_HOURS_PRICES))
    assert [item.billed for item in result.line_items] == [Decimal("4.75"), Decimal("5.25")]
    assert result.total_cost.excl_vat == Decimal("2.05")


def test_spot_counts_as_energy_when_choosing_the_element() -> None:
    """Night energy follows the spot price; by day the fixed ENERGY fallback applies and needs no spot price."""
    tariff = parse_tariff({
        "currency": "EUR",
        "elements": [
            {"priceComponents": [{"type": "ENERGY_SPOT", "biddingZone": "FI", "stepSize": 1}],
             "restrictions": {"startTime": "00:00", "endTime": "06:00"}},
            {"priceComponents": [{"type": "ENERGY", "price": 0.30, "stepSize": 1}]},
        ],
    })  # fmt: skip
    night = price_session(tariff, charging(at(1), 60, "10"), HELSINKI, spot_prices=hourly((1, "0.05")))  # 03:00 local
    assert night.total_cost.excl_vat == Decimal("0.50")
    day = price_session(tariff, charging(at(12), 60, "10"), HELSINKI)
    assert day.total_cost.excl_vat == Decimal("3.00")


def test_missing_spot_price_is_an_error_naming_zone_and_hour() -> None:
    tariff = parse_tariff(spot_tariff())
    with pytest.raises(MissingSpotPriceError) as raised:
        price_session(tariff, charging(at(13, 30), 60, "10"), HELSINKI, spot_prices=hourly((13, "0.10")))
    assert str(raised.value) == "no spot price for bidding zone FI at 2026-11-23T14:00Z"
    assert (raised.value.bidding_zone, raised.value.moment) == ("FI", at(14))


def test_spot_tariff_without_a_price_source_is_an_error() -> None:
    with pytest.raises(MissingSpotPriceError, match="no spot price source given for bidding zone FI"):
        price_session(parse_tariff(spot_tariff()), charging(at(13), 60, "10"), HELSINKI)


def test_spot_prices_in_another_currency_are_refused() -> None:
    with pytest.raises(PricingInputError, match="the tariff is in EUR but the spot prices of FI are in SEK"):
        price_session(parse_tariff(spot_tariff()), charging(at(13), 60, "10"), HELSINKI,
                      spot_prices=hourly((13, "1.0"), currency="SEK"))  # fmt: skip


def test_price_cdr_takes_a_spot_price_source() -> None:
    session = cdr([period(at(14), ENERGY=20, TIME=1)], at(15))
    tariff = spot_tariff(priceCap=0.18, costPercentage=30)
    result = price_cdr(tariff, session, HELSINKI, spot_prices=hourly((14, "0.27")))
    assert result["total_cost"] == {"excl_vat": 4.14, "incl_vat": 4.14}  # 20 x 0.207
    assert result["line_items"][0]["spot_price"] == 0.27
