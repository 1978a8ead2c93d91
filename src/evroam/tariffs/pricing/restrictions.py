"""Whether a tariff element's restrictions hold at a moment of a session (ocpi-notes §13.1, §16.4).

All restrictions present must hold. Starts are inclusive and ends exclusive for clock time, date,
kWh and duration; `min_current`/`min_power` mean "at least", `max_*` mean "below". The reservation
restriction is not checked here: it decides which phase an element belongs to (see pricing.py).

Current and power come from the period. A period split at every threshold (as OCPI requires) is
on one side of each limit, so its lowest reading is compared with a minimum and its highest with a
maximum, either reading standing in when only one is known. With no reading at all, a current or
power restriction does not hold: nothing shows the element applied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from operator import attrgetter

from evroam.tariffs.pricing.model import Restrictions, SessionPeriod

MIDNIGHT = time(0, 0)

# Whether restrictions hold when a period starts: (local time, energy consumed before, seconds elapsed, period).
Check = Callable[[datetime | None, Decimal, int, SessionPeriod], bool]


def restrictions_hold(
    restrictions: Restrictions, local: datetime, energy_kwh: Decimal, elapsed_s: int, period: SessionPeriod
) -> bool:
    """Whether all restrictions hold when `period` starts: at wall-clock time `local`, after `energy_kwh`
    consumed and `elapsed_s` seconds since the charging session started (reservation time excluded)."""
    check = restrictions_check(restrictions)
    return check is None or check(local, energy_kwh, elapsed_s, period)


def restrictions_check(restrictions: Restrictions) -> Check | None:
    """The restrictions as one function that tests only those present (pricing builds it once per
    tariff), or None when there is nothing to test (only a `reservation` restriction)."""
    r = restrictions
    checks: list[Check] = []
    if r.start_time is not None or r.end_time is not None:
        checks.append(_daily_window(r.start_time, r.end_time))
    if r.start_date is not None:
        checks.append(_from_date(r.start_date))
    if r.end_date is not None:
        checks.append(_before_date(r.end_date))
    if r.weekdays is not None:
        checks.append(_on_weekdays(r.weekdays))
    if r.min_kwh is not None:
        checks.append(_energy_at_least(r.min_kwh))
    if r.max_kwh is not None:
        checks.append(_energy_below(r.max_kwh))
    if r.min_duration is not None:
        checks.append(_elapsed_at_least(r.min_duration))
    if r.max_duration is not None:
        checks.append(_elapsed_below(r.max_duration))
    if r.min_current is not None:
        checks.append(_reading_at_least("min_current_a", "max_current_a", r.min_current))
    if r.max_current is not None:
        checks.append(_reading_below("max_current_a", "min_current_a", r.max_current))
    if r.min_power is not None:
        checks.append(_reading_at_least("min_power_kw", "max_power_kw", r.min_power))
    if r.max_power is not None:
        checks.append(_reading_below("max_power_kw", "min_power_kw", r.max_power))
    if len(checks) <= 1:
        return checks[0] if checks else None
    return _all_of(tuple(checks))


def in_daily_window(clock: time, start: time | None, end: time | None) -> bool:
    """start <= clock < end, wrapping past midnight when end < start; an end of 00:00 is the end of the day."""
    start = start or MIDNIGHT
    if end is None or end == MIDNIGHT:
        return clock >= start
    if start < end:
        return start <= clock < end
    if end < start:
        return clock >= start or clock < end
    return True  # start == end: from that time until the same time the next day


def _all_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 2:  # the most common case, without a loop
        first, second = checks
        return lambda local, energy_kwh, elapsed_s, period: first(local, energy_kwh, elapsed_s, period) and second(
            local, energy_kwh, elapsed_s, period
        )

    def holds(local: datetime | None, energy_kwh: Decimal, elapsed_s: int, period: SessionPeriod) -> bool:
        for check in checks:
            if not check(local, energy_kwh, elapsed_s, period):
                return False
        return True

    return holds


def _daily_window(start: time | None, end: time | None) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: in_daily_window(local.time(), start, end)


def _from_date(first: date) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: local.date() >= first


def _before_date(end: date) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: local.date() < end


def _on_weekdays(weekdays: frozenset[int]) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: local.weekday() in weekdays


def _energy_at_least(limit: Decimal) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: energy_kwh >= limit


def _energy_below(limit: Decimal) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: energy_kwh < limit


def _elapsed_at_least(limit: int) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: elapsed_s >= limit


def _elapsed_below(limit: int) -> Check:
    return lambda local, energy_kwh, elapsed_s, period: elapsed_s < limit


def _reading_at_least(lowest: str, highest: str, limit: Decimal) -> Check:
    """The period's lowest reading, else its highest, is at least `limit`."""
    read_lowest, read_highest = attrgetter(lowest), attrgetter(highest)

    def holds(local: datetime | None, energy_kwh: Decimal, elapsed_s: int, period: SessionPeriod) -> bool:
        reading = read_lowest(period)
        if reading is None:
            reading = read_highest(period)
        return reading is not None and reading >= limit

    return holds


def _reading_below(highest: str, lowest: str, limit: Decimal) -> Check:
    """The period's highest reading, else its lowest, is below `limit`."""
    read_highest, read_lowest = attrgetter(highest), attrgetter(lowest)

    def holds(local: datetime | None, energy_kwh: Decimal, elapsed_s: int, period: SessionPeriod) -> bool:
        reading = read_highest(period)
        if reading is None:
            reading = read_lowest(period)
        return reading is not None and reading < limit

    return holds
