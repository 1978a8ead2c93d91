"""Quotes: periods for a session described by its totals, cut wherever the tariff's prices may change."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evroam.tariffs.pricing.engine import price_session
from evroam.tariffs.pricing.model import PeriodState
from evroam.tariffs.pricing.described_session import described_session_periods
from evroam.tariffs.pricing.parsing import parse_tariff

BERLIN = ZoneInfo("Europe/Berlin")


def tariff(*elements: dict) -> object:
    return parse_tariff({"currency": "EUR", "elements": list(elements)})


def element(kind: str, price: float, **restrictions: object) -> dict:
    found = {"price_components": [{"type": kind, "price": price, "step_size": 1}]}
    return {**found, "restrictions": restrictions} if restrictions else found


def quote(priced_tariff, start: datetime, **session: object) -> tuple[list, Decimal]:
    periods = described_session_periods(priced_tariff, start, BERLIN, **session)
    return periods, price_session(priced_tariff, periods, BERLIN).total_cost.excl_vat


def test_cut_at_a_clock_time() -> None:
    """16:30-17:15, 5.4 kWh evenly: 3.6 kWh before 17:00 at 0.20 and 1.8 kWh after at 0.27 = 1.206."""
    evening = tariff(element("ENERGY", 0.20, start_time="00:00", end_time="17:00"),
                     element("ENERGY", 0.27, start_time="17:00", end_time="00:00"))  # fmt: skip
    start = datetime(2026, 11, 23, 16, 30, tzinfo=BERLIN)
    periods, cost = quote(evening, start, charging_s=2700, energy_kwh=Decimal("5.4"))
    assert [(p.start.astimezone(BERLIN).time().isoformat(), p.duration_s, p.energy_kwh) for p in periods] == [
        ("16:30:00", 1800, Decimal("3.6")),
        ("17:00:00", 900, Decimal("1.8")),
    ]
    assert cost == Decimal("1.206")


def test_cut_where_the_energy_crosses_a_kwh_limit() -> None:
    """20 kWh in an hour: the first 10 kWh at 0.50 (max_kwh 10), the rest at 0.20 = 7.00."""
    tiers = tariff(element("ENERGY", 0.50, max_kwh=10), element("ENERGY", 0.20))
    periods, cost = quote(tiers, datetime(2026, 11, 23, 10, tzinfo=BERLIN), charging_s=3600, energy_kwh=Decimal(20))
    assert [p.duration_s for p in periods] == [1800, 1800]
    assert cost == Decimal("7.00")


def test_cut_where_the_session_duration_crosses_a_limit_during_parking() -> None:
    """Parking is free in the first hour of the session, then 6.00/h: 30 min charging + 60 min parking = 3.00."""
    parking = tariff(element("PARKING_TIME", 0, max_duration=3600), element("PARKING_TIME", 6))
    periods, cost = quote(parking, datetime(2026, 11, 23, 10, tzinfo=BERLIN), charging_s=1800, energy_kwh=Decimal(5),
                          parking_s=3600)  # fmt: skip
    assert [(p.state, p.duration_s) for p in periods] == [
        (PeriodState.CHARGING, 1800), (PeriodState.PARKING, 1800), (PeriodState.PARKING, 1800)]  # fmt: skip
    assert cost == Decimal("3.00")


def test_cut_at_midnight_when_days_matter() -> None:
    """2.00/h on weekdays only: Friday 23:00 + 2 h bills the Friday hour only."""
    weekdays = tariff(element("TIME", 2, day_of_week=["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]))
    periods, cost = quote(weekdays, datetime(2026, 11, 27, 23, tzinfo=BERLIN), charging_s=7200, energy_kwh=Decimal(14))
    assert len(periods) == 2 and periods[1].start == datetime(2026, 11, 28, 0, tzinfo=BERLIN)
    assert cost == Decimal("2.00")


def test_average_power_stands_in_for_a_power_reading() -> None:
    """0.30/kWh below 11 kW, else 0.50: 10 kWh in 1 h (10 kW) and 22 kWh in 1 h (22 kW)."""
    by_power = tariff(element("ENERGY", 0.30, max_power=11), element("ENERGY", 0.50))
    start = datetime(2026, 11, 23, 10, tzinfo=BERLIN)
    assert quote(by_power, start, charging_s=3600, energy_kwh=Decimal(10))[1] == Decimal("3.00")
    assert quote(by_power, start, charging_s=3600, energy_kwh=Decimal(22))[1] == Decimal("11.00")
    assert quote(by_power, start, charging_s=3600, energy_kwh=Decimal(22), power_kw=Decimal(7))[1] == Decimal("6.60")


def test_reservation_comes_first() -> None:
    booked = tariff({"price_components": [{"type": "TIME", "price": 4, "step_size": 60}],
                     "restrictions": {"reservation": "RESERVATION"}}, element("ENERGY", 0.25))  # fmt: skip
    start = datetime(2026, 11, 23, 10, tzinfo=BERLIN)
    periods, cost = quote(booked, start, reservation_s=900, charging_s=3600, energy_kwh=Decimal(20))
    assert [(p.state, p.start - start) for p in periods] == [
        (PeriodState.RESERVATION, timedelta(0)), (PeriodState.CHARGING, timedelta(minutes=15))]  # fmt: skip
    assert cost == Decimal("6.00")  # 1.00 reservation + 5.00 energy


def test_start_must_carry_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        described_session_periods(tariff(element("ENERGY", 0.25)), datetime(2026, 11, 23, 10), BERLIN,
                                  charging_s=60, energy_kwh=Decimal(1))  # fmt: skip
