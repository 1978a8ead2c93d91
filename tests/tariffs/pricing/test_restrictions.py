"""Restriction matching at the edges: inclusive starts, exclusive ends, windows past midnight, and
current/power readings (ocpi-notes §13.1, §16.4)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evroam.tariffs.pricing.model import PeriodState, Restrictions, SessionPeriod
from evroam.tariffs.pricing.restrictions import in_daily_window, restrictions_hold

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)
PERIOD = SessionPeriod(PeriodState.CHARGING, MONDAY_NOON, 600)


def holds(restrictions: Restrictions, *, local=MONDAY_NOON, energy="0", elapsed=0, period=PERIOD) -> bool:
    return restrictions_hold(restrictions, local, Decimal(energy), elapsed, period)


@pytest.mark.parametrize(
    ("clock", "start", "end", "inside"),
    [
        (time(17, 0), time(17, 0), time(20, 0), True),  # start inclusive
        (time(20, 0), time(17, 0), time(20, 0), False),  # end exclusive
        (time(19, 59, 59), time(17, 0), time(20, 0), True),
        (time(23, 30), time(22, 0), time(6, 0), True),  # wraps past midnight
        (time(5, 59), time(22, 0), time(6, 0), True),
        (time(6, 0), time(22, 0), time(6, 0), False),
        (time(12, 0), time(22, 0), time(6, 0), False),
        (time(23, 59, 59), time(17, 0), time(0, 0), True),  # 00:00 ends the day
        (time(0, 0), time(17, 0), time(0, 0), False),
        (time(0, 0), None, time(0, 0), True),
        (time(16, 59), time(17, 0), None, False),
        (time(3, 0), None, time(6, 0), True),
        (time(3, 0), time(8, 0), time(8, 0), True),  # same start and end: a whole day
    ],
)
def test_daily_window(clock: time, start: time | None, end: time | None, inside: bool) -> None:
    assert in_daily_window(clock, start, end) is inside


def test_dates_are_local_start_inclusive_end_exclusive() -> None:
    just_after_midnight = datetime(2026, 11, 23, 0, 30, tzinfo=BERLIN)  # still the 22nd in UTC
    assert holds(Restrictions(start_date=date(2026, 11, 23)), local=just_after_midnight)
    assert not holds(Restrictions(end_date=date(2026, 11, 23)), local=just_after_midnight)
    assert holds(Restrictions(end_date=date(2026, 11, 24)), local=just_after_midnight)


def test_day_of_week_uses_the_local_day() -> None:
    monday_00_30 = datetime(2026, 11, 23, 0, 30, tzinfo=BERLIN)  # still Sunday in UTC
    assert holds(Restrictions(weekdays=frozenset({0})), local=monday_00_30)
    assert not holds(Restrictions(weekdays=frozenset({6})), local=monday_00_30)


def test_kwh_and_duration_bounds() -> None:
    assert holds(Restrictions(min_kwh=Decimal(10)), energy="10")
    assert not holds(Restrictions(min_kwh=Decimal(10)), energy="9.999")
    assert not holds(Restrictions(max_kwh=Decimal(10)), energy="10")
    assert holds(Restrictions(min_duration=1800), elapsed=1800)
    assert not holds(Restrictions(max_duration=1800), elapsed=1800)
    assert holds(Restrictions(max_duration=1800), elapsed=1799)


def test_current_and_power_compare_the_period_readings() -> None:
    at_16 = SessionPeriod(PeriodState.CHARGING, MONDAY_NOON, 600, max_current_a=Decimal(16))
    assert holds(Restrictions(max_current=Decimal(32)), period=at_16)
    assert not holds(Restrictions(min_current=Decimal(32)), period=at_16)
    at_32 = SessionPeriod(PeriodState.CHARGING, MONDAY_NOON, 600, min_current_a=Decimal(32), max_current_a=Decimal(32))
    assert holds(Restrictions(min_current=Decimal(32)), period=at_32)
    assert not holds(Restrictions(max_current=Decimal(32)), period=at_32)
    at_48_kw = SessionPeriod(PeriodState.CHARGING, MONDAY_NOON, 600, min_power_kw=Decimal(48), max_power_kw=Decimal(48))
    assert not holds(Restrictions(max_power=Decimal(32)), period=at_48_kw)
    assert holds(Restrictions(min_power=Decimal("47.5")), period=at_48_kw)


def test_a_current_restriction_without_a_reading_does_not_hold() -> None:
    assert not holds(Restrictions(max_current=Decimal(32)))
    assert not holds(Restrictions(min_power=Decimal(0)))
