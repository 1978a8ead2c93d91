"""Periods for a described session, for quotes: "start at 16:30, charge 45 min, 20 kWh, park 30 min".

The engine evaluates restrictions at the start of each period, so a session must be cut wherever
the tariff's active component could change (ocpi-notes §13.6, step 2): at the clock times and
midnights its restrictions name, when the session duration crosses a min/max_duration and when the
energy crosses a min/max_kwh. A described session only has totals, so energy is assumed to flow
evenly over the charging time (and the average power stands in for a power reading). Spot price
intervals need no cut here: the engine cuts spot periods itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from decimal import ROUND_CEILING, Decimal

from evroam.tariffs.pricing.model import ZERO, PeriodState, Restrictions, SessionPeriod, Tariff
from evroam.tariffs.pricing.time_zones import zone_named

_SECONDS_PER_HOUR = Decimal(3600)
_MIDNIGHT = time(0, 0)


def described_session_periods(
    tariff: Tariff,
    start: datetime,
    time_zone: tzinfo | str,
    *,
    charging_s: int,
    energy_kwh: Decimal,
    parking_s: int = 0,
    reservation_s: int = 0,
    current_a: Decimal | None = None,
    power_kw: Decimal | None = None,
) -> tuple[SessionPeriod, ...]:
    """Reservation (if any) from `start`, then charging, then parking, each cut where prices may change.

    `power_kw` defaults to the average power (energy / charging time); `current_a` stays unknown
    unless given, so current restrictions do not apply without it.
    """
    if start.tzinfo is None:
        raise ValueError("start must carry a time zone")
    if min(charging_s, parking_s, reservation_s) < 0 or energy_kwh < 0:
        raise ValueError("durations and energy must not be negative")
    zone = zone_named(time_zone, "time_zone") if isinstance(time_zone, str) else time_zone
    restrictions = [element.restrictions for element in tariff.elements if element.restrictions is not None]
    times = clock_times(restrictions)
    durations = {limit for r in restrictions for limit in (r.min_duration, r.max_duration) if limit}
    if power_kw is None and charging_s:
        power_kw = energy_kwh * _SECONDS_PER_HOUR / charging_s
    periods: list[SessionPeriod] = []
    reservation_start = start
    charging_start = start + timedelta(seconds=reservation_s)
    parking_start = charging_start + timedelta(seconds=charging_s)
    for offset, length in cut_pieces(reservation_start, reservation_s, zone, times, durations):
        periods.append(SessionPeriod(PeriodState.RESERVATION, reservation_start + timedelta(seconds=offset), length))
    energy_cuts = {_energy_cut(limit, energy_kwh, charging_s) for r in restrictions for limit in (r.min_kwh, r.max_kwh)
                   if limit is not None and ZERO < limit < energy_kwh}  # fmt: skip
    charging = cut_pieces(charging_start, charging_s, zone, times, durations, energy_cuts)
    shared = ZERO
    for position, (offset, length) in enumerate(charging):
        energy = energy_kwh - shared if position == len(charging) - 1 else energy_kwh * length / charging_s
        shared += energy
        periods.append(SessionPeriod(PeriodState.CHARGING, charging_start + timedelta(seconds=offset), length, energy,
                                     current_a, current_a, power_kw, power_kw))  # fmt: skip
    parking_durations = {limit - charging_s for limit in durations if limit > charging_s}
    for offset, length in cut_pieces(parking_start, parking_s, zone, times, parking_durations):
        periods.append(SessionPeriod(PeriodState.PARKING, parking_start + timedelta(seconds=offset), length))
    return tuple(periods)


def clock_times(restrictions: list[Restrictions]) -> set[time]:
    """The local clock times at which an element's restrictions may start or stop holding."""
    times = {t for r in restrictions for t in (r.start_time, r.end_time) if t is not None}
    if any(r.start_date or r.end_date or r.weekdays for r in restrictions):
        times.add(_MIDNIGHT)  # the day changes
    return times


def _energy_cut(limit: Decimal, energy_kwh: Decimal, charging_s: int) -> int:
    """The first whole second at which the evenly delivered energy has reached `limit`."""
    return int((limit * charging_s / energy_kwh).to_integral_value(ROUND_CEILING))


def cut_pieces(
    start: datetime, length_s: int, zone: tzinfo, times: set[time], *offset_sets: set[int]
) -> list[tuple[int, int]]:
    """(offset, length) pieces of [start, start + length_s), cut at the given offsets and clock times."""
    if length_s <= 0:
        return []
    cuts = {offset for offsets in offset_sets for offset in offsets if 0 < offset < length_s}
    end = start + timedelta(seconds=length_s)
    day = start.astimezone(zone).date()
    while times and day <= end.astimezone(zone).date():
        for clock in times:
            moment = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
            offset = -(-(moment - start) // timedelta(seconds=1))  # the first whole second at or after it
            if 0 < offset < length_s:
                cuts.add(offset)
        day += timedelta(days=1)
    bounds = [0, *sorted(cuts), length_s]
    return [(begin, finish - begin) for begin, finish in zip(bounds, bounds[1:])]
