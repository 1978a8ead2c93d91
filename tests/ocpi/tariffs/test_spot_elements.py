"""Spot tariffs in OCPI: the known spot prices as time-restricted ENERGY elements, which price a session
exactly as the engine prices it from the spot series itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from evroam.ocpi.locations.mapping import party_of_operator
from evroam.ocpi.tariffs.spot_elements import KnownSpotPrices
from evroam.ocpi.tariffs.mapping import tariff_document
from evroam.tariffs.pricing.engine import price_cdr
from evroam.tariffs.pricing.spot_prices import InMemorySpotPrices, SpotPrice
from tests.ocpi.factories import schema_errors, tariff

PARTY = party_of_operator("FI", "EVR", "Test CPO", None, None)
HELSINKI = "Europe/Helsinki"
# Monday 2026-11-23 00:00 in Helsinki (UTC+2): two local days of hourly prices, some above the cap.
DAY_START = datetime(2026, 11, 22, 22, tzinfo=UTC)
SPOT = {"type": "ENERGY_SPOT", "biddingZone": "FI", "priceCap": "0.18", "costPercentage": 30, "margin": "0.02",
        "marginPercentage": 10, "vat": "25.5"}  # fmt: skip


def hourly_series(hours: int = 48, zone: str = "FI", currency: str = "EUR") -> list[SpotPrice]:
    prices = ("0.05", "0.27", "0.11", "0.40", "-0.01", "0.18", "0.09")
    return [
        SpotPrice(zone, DAY_START + timedelta(hours=hour), DAY_START + timedelta(hours=hour + 1),
                  Decimal(prices[hour % len(prices)]), currency)
        for hour in range(hours)
    ]  # fmt: skip


def known(series: list[SpotPrice], now: datetime = DAY_START + timedelta(hours=6)) -> KnownSpotPrices:
    return KnownSpotPrices({"FI": series}, now)


def test_each_interval_becomes_an_element_before_the_one_at_the_cap():
    elements = [{"priceComponents": [SPOT, {"type": "TIME", "price": "1"}]}]
    doc = tariff_document(tariff(1, elements=elements), PARTY, "2.2.1", known(hourly_series(2)))
    assert schema_errors("tariffs", "Tariff", {**doc, "last_updated": "2026-11-23T06:00:00Z"}) == []
    first, second, at_cap = doc["elements"]
    assert first == {
        "price_components": [
            # The documented rule: spot 0.27 over the cap 0.18 at 30 % -> 0.207; then +10 % and +0.02.
            {"type": "ENERGY", "price": pytest.approx(0.05 * 1.1 + 0.02), "vat": 25.5, "step_size": 1},
            {"type": "TIME", "price": 1, "step_size": 1},
        ],
        "restrictions": {"start_time": "00:00", "end_time": "01:00", "start_date": "2026-11-23",
                         "end_date": "2026-11-24"},
    }  # fmt: skip
    assert second["price_components"][0]["price"] == pytest.approx(0.207 * 1.1 + 0.02)
    assert second["restrictions"]["start_time"] == "01:00" and second["restrictions"]["end_time"] == "02:00"
    assert at_cap == {"price_components": [
        {"type": "ENERGY", "price": pytest.approx(0.18 * 1.1 + 0.02), "vat": 25.5, "step_size": 1},
        {"type": "TIME", "price": 1, "step_size": 1},
    ]}, "beyond the known prices, the price at the cap"


def test_the_horizon_is_today_and_tomorrow_in_the_zones_time():
    series = hourly_series(24 * 4)  # four local days
    doc = tariff_document(tariff(1, elements=[{"priceComponents": [SPOT]}]), PARTY, "2.2.1", known(series))
    dates = {element["restrictions"]["start_date"] for element in doc["elements"][:-1]}
    assert dates == {"2026-11-23", "2026-11-24"} and len(doc["elements"]) == 48 + 1


def test_an_elements_own_restrictions_narrow_the_intervals():
    element = {"priceComponents": [SPOT], "restrictions": {
        "startTime": "22:30", "endTime": "01:00", "dayOfWeek": ["MONDAY"], "minKwh": 2, "endDate": "2026-11-24"}}
    doc = tariff_document(tariff(1, elements=[element]), PARTY, "2.2.1", known(hourly_series()))
    windows = [(e["restrictions"]["start_date"], e["restrictions"]["start_time"], e["restrictions"]["end_time"])
               for e in doc["elements"][:-1]]  # fmt: skip
    assert windows == [("2026-11-23", "00:00", "01:00"), ("2026-11-23", "22:30", "23:00"),
                       ("2026-11-23", "23:00", "00:00")], "wrapping window, cut at the element's end date"  # fmt: skip
    assert all(e["restrictions"]["day_of_week"] == ["MONDAY"] and e["restrictions"]["min_kwh"] == 2
               for e in doc["elements"])  # fmt: skip


def test_intervals_in_another_currency_or_without_one_local_clock_are_not_stated():
    doc = tariff_document(tariff(1, elements=[{"priceComponents": [SPOT]}]), PARTY, "2.2.1",
                          known(hourly_series(currency="SEK")))  # fmt: skip
    assert len(doc["elements"]) == 1, "only the element at the cap"
    us = KnownSpotPrices({"US-CAISO": hourly_series(zone="US-CAISO")}, DAY_START)
    doc = tariff_document(tariff(1, elements=[{"priceComponents": [{**SPOT, "biddingZone": "US-CAISO"}]}]),
                          PARTY, "2.2.1", us)  # fmt: skip
    assert len(doc["elements"]) == 1, "a country of several clocks has no one local time to restrict by"


def test_in_2_1_1_too():
    doc = tariff_document(tariff(1, elements=[{"priceComponents": [SPOT]}]), PARTY, "2.1.1", known(hourly_series(3)))
    assert len(doc["elements"]) == 4 and "vat" not in doc["elements"][0]["price_components"][0]


@pytest.mark.parametrize("restrictions", [None, {"startTime": "08:00", "endTime": "20:00"}])
def test_the_published_elements_price_a_session_as_the_engine_does_from_the_spot_series(restrictions):
    """A partner pricing with what we publish gets what we bill: charging periods cut at each quarter."""
    spot_element = {"priceComponents": [SPOT, {"type": "PARKING_TIME", "price": "2", "vat": "25.5"}]}
    if restrictions:
        spot_element["restrictions"] = restrictions
    elements = [spot_element, {"priceComponents": [{"type": "ENERGY", "price": "0.15", "vat": "25.5"}]}]
    series = hourly_series()
    ours = tariff(1, elements=elements, id="SPOT-1")
    published = tariff_document(ours, PARTY, "2.2.1", known(series))
    own_shape = {"id": "SPOT-1", "currency": "EUR", "elements": elements}
    start = DAY_START + timedelta(hours=5, minutes=30)  # 07:30 local
    periods = [
        {"start_date_time": (start + timedelta(minutes=15 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "dimensions": [{"type": "ENERGY", "volume": 2.5 + n % 3}, {"type": "TIME", "volume": 0.25}]}
        for n in range(20)
    ] + [{"start_date_time": (start + timedelta(minutes=300)).strftime("%Y-%m-%dT%H:%M:%SZ"),
          "dimensions": [{"type": "PARKING_TIME", "volume": 0.5}]}]  # fmt: skip
    cdr = {"currency": "EUR", "start_date_time": periods[0]["start_date_time"],
           "end_date_time": (start + timedelta(minutes=330)).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "charging_periods": periods}  # fmt: skip

    billed = price_cdr(own_shape, cdr, HELSINKI, spot_prices=InMemorySpotPrices(series))
    seen_by_partner = price_cdr(published, cdr, HELSINKI)
    for field in ("total_cost", "total_energy_cost", "total_parking_cost", "total_energy"):
        assert seen_by_partner[field] == billed[field], field
