"""Spot price files (evroam CSV, ENTSO-E day-ahead XML) and the in-memory source they feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from evroam.tariffs.pricing.errors import MissingSpotPriceError, PricingInputError
from evroam.tariffs.spot.files import parse_entsoe_day_ahead, parse_spot_price_csv
from evroam.tariffs.pricing.spot_prices import InMemorySpotPrices, SpotPrice
from tests.tariffs.pricing_support import FIXTURES

HOURLY_XML = (FIXTURES / "entsoe_day_ahead_fi_pt60m_a01.xml").read_bytes()
QUARTERLY_XML = (FIXTURES / "entsoe_day_ahead_fi_pt15m_a03.xml").read_bytes()
DAY_START = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # the CET delivery day, as ENTSO-E publishes it


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)


def test_entsoe_hourly_series_becomes_prices_per_kwh() -> None:
    prices = parse_entsoe_day_ahead(HOURLY_XML, "FI")
    assert len(prices) == 24
    assert prices[0] == SpotPrice("FI", DAY_START, DAY_START + timedelta(hours=1), Decimal("0.04127"), "EUR")
    source = InMemorySpotPrices(prices)
    assert source.spot_price_at("FI", at(14, 30)).price_per_kwh == Decimal("0.27")  # position 16: 270.00 EUR/MWh
    assert source.spot_price_at("FI", at(22, 59)).price_per_kwh == Decimal("-0.00125")  # negative prices happen


def test_entsoe_zone_defaults_to_the_eic_code() -> None:
    assert {price.bidding_zone for price in parse_entsoe_day_ahead(HOURLY_XML)} == {"10YFI-1--------U"}


def test_entsoe_a03_quarter_hours_repeat_the_last_price_for_omitted_positions() -> None:
    source = InMemorySpotPrices(parse_entsoe_day_ahead(QUARTERLY_XML, "FI"))
    expected_per_mwh = {
        DAY_START: "52.10",  # position 1
        DAY_START + timedelta(minutes=15): "49.80",  # position 2
        DAY_START + timedelta(minutes=30): "49.80",  # 3, omitted: repeats 2
        DAY_START + timedelta(minutes=60): "47.25",  # 5
        at(12, 45): "47.25",  # 56, omitted
        at(13, 0): "210.40",  # 57
        at(13, 15): "265.00",  # 58
        at(13, 45): "265.00",  # 60, omitted
        at(14, 0): "180.75",  # 61
        at(22, 30): "180.75",  # 95, omitted
        at(22, 45): "60.00",  # 96
    }
    for moment, per_mwh in expected_per_mwh.items():
        spot = source.spot_price_at("FI", moment)
        assert spot.price_per_kwh * 1000 == Decimal(per_mwh), moment
        assert spot.end - spot.start == timedelta(minutes=15)
    with pytest.raises(MissingSpotPriceError):
        source.spot_price_at("FI", at(23, 0))  # the document ends there


def test_entsoe_a01_gap_is_a_missing_price_not_a_repeat() -> None:
    without_position_16 = HOURLY_XML.replace(b"<position>16</position>", b"<position>99</position>")
    source = InMemorySpotPrices(parse_entsoe_day_ahead(without_position_16, "FI"))
    with pytest.raises(MissingSpotPriceError, match="FI at 2026-11-23T14:00Z"):
        source.spot_price_at("FI", at(14))
    assert source.spot_price_at("FI", at(15)).price_per_kwh == Decimal("0.31055")


def test_entsoe_acknowledgement_explains_why_there_are_no_prices() -> None:
    acknowledgement = b"""<Acknowledgement_MarketDocument
        xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">
      <mRID>1</mRID><Reason><code>999</code><text>No matching data found for Data item Day-ahead Prices</text></Reason>
    </Acknowledgement_MarketDocument>"""
    with pytest.raises(PricingInputError, match="No matching data found"):
        parse_entsoe_day_ahead(acknowledgement)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (b"<Publication_MarketDocument>", "document"),
        (HOURLY_XML.replace(b"<resolution>PT60M</resolution>", b"<resolution>P1D</resolution>"),
         "TimeSeries[0].Period[0].resolution"),
        (HOURLY_XML.replace(b"<resolution>PT60M</resolution>", b"<resolution>PT7M</resolution>"),
         "TimeSeries[0].Period[0].resolution"),
        (HOURLY_XML.replace(b">MWH<", b">KWH<"), "TimeSeries[0].price_Measure_Unit.name"),
        (HOURLY_XML.replace(b"<price.amount>270.00", b"<price.amount>n/a"),
         "TimeSeries[0].Period[0].Point.price.amount"),
    ],
)  # fmt: skip
def test_entsoe_errors_name_the_element(document: bytes, field: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        parse_entsoe_day_ahead(document, "FI")
    assert raised.value.field == field


def test_csv_prices_per_mwh() -> None:
    prices = parse_spot_price_csv((FIXTURES / "spot_prices_fi_se3.csv").read_text())
    assert [(p.bidding_zone, p.price_per_kwh, p.currency) for p in prices] == [
        ("FI", Decimal("0.0963"), "EUR"),
        ("FI", Decimal("0.27"), "EUR"),
        ("SE3", Decimal("1.0125"), "SEK"),
    ]
    assert prices[2].start == at(12)  # 13:00+01:00


def test_csv_prices_per_kwh() -> None:
    text = "bidding_zone,start,end,currency,price_per_kwh\nFI,2026-11-23T14:00:00Z,2026-11-23T14:15:00Z,EUR,0.2651\n"
    (price,) = parse_spot_price_csv(text)
    assert price == SpotPrice("FI", at(14), at(14, 15), Decimal("0.2651"), "EUR")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("zone,start,end,currency,price_per_kwh\n", "header (line 1)"),
        ("bidding_zone,start,end,currency\n", "header (line 1)"),
        ("bidding_zone,start,end,currency,price_per_kwh,price_per_mwh\n", "header (line 1)"),
        ("bidding_zone,start,end,currency,price_per_kwh\nFI,2026-11-23T14:00:00Z,2026-11-23T15:00:00Z,EUR,0.2\n"
         "FI,tomorrow,2026-11-23T16:00:00Z,EUR,0.2\n", "start (line 3)"),
        ("bidding_zone,start,end,currency,price_per_kwh\nFI,2026-11-23T14:00:00Z,2026-11-23T15:00:00Z,EUR,cheap\n",
         "price_per_kwh (line 2)"),
        ("bidding_zone,start,end,currency,price_per_kwh\n,2026-11-23T14:00:00Z,2026-11-23T15:00:00Z,EUR,0.2\n",
         "bidding_zone (line 2)"),
    ],
)  # fmt: skip
def test_csv_errors_name_the_column_and_line(text: str, field: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        parse_spot_price_csv(text)
    assert raised.value.field == field


def test_in_memory_lookup_takes_starts_inclusive_and_ends_exclusive() -> None:
    source = InMemorySpotPrices(
        [SpotPrice("FI", at(14), at(15), Decimal("0.2"), "EUR"), SpotPrice("FI", at(13), at(14), Decimal("0.1"), "EUR")]
    )
    assert source.spot_price_at("FI", at(14)).price_per_kwh == Decimal("0.2")
    assert source.spot_price_at("FI", at(13, 59)).price_per_kwh == Decimal("0.1")
    with pytest.raises(MissingSpotPriceError, match="no spot price for bidding zone FI at 2026-11-23T15:00Z"):
        source.spot_price_at("FI", at(15))
    with pytest.raises(MissingSpotPriceError, match="bidding zone SE3 at 2026-11-23T14:00Z"):
        source.spot_price_at("SE3", at(14))


def test_in_memory_source_drops_duplicates_and_refuses_conflicts() -> None:
    hour = SpotPrice("FI", at(14), at(15), Decimal("0.2"), "EUR")
    assert InMemorySpotPrices([hour, hour]).spot_price_at("FI", at(14, 30)) == hour
    with pytest.raises(ValueError, match="overlap"):
        InMemorySpotPrices([hour, SpotPrice("FI", at(14, 30), at(14, 45), Decimal("0.3"), "EUR")])
    with pytest.raises(ValueError, match="time zone"):
        InMemorySpotPrices([SpotPrice("FI", datetime(2026, 11, 23, 14), datetime(2026, 11, 23, 15), Decimal(1), "EUR")])
