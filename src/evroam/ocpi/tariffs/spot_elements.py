"""Spot components in OCPI tariffs: the known spot prices as time-restricted ENERGY elements.

OCPI has no spot price. So, as emabler-reference.md decides ("Decision (spot in OCPI)"), an element with
an ENERGY_SPOT or ENERGY_SPOT_LOCKED component is published as one element per known price interval of
the published horizon (today and tomorrow, the day-ahead market's reach, in the bidding zone's time
zone), each with an ENERGY component at the price a session pays in that interval (spot_unit_price: cap,
cost percentage, margins) and the element's other components, restricted to the interval by
`start_date`/`end_date` and `start_time`/`end_time` together with the element's own restrictions. The
element at its cap follows them (or nothing, without a cap), for every moment beyond the horizon. A
spot price import re-publishes the tariffs that follow its zones.

What OCPI cannot say, and what partners therefore see instead:

* ENERGY_SPOT_LOCKED keeps the price of the session's first moment for the whole session; the
  published elements give each interval's own price (the same as ENERGY_SPOT).
* On the night clocks go back, an hour of local time happens twice with two prices; both intervals
  carry the same local times, so the first one's price holds for both.
* A zone whose country's time zones disagree (e.g. a zone code for a country spanning several clocks)
  has no one local time to restrict by: its intervals are not published, only the element at its cap.

Intervals in another currency than the tariff's are left out too (the engine refuses them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evroam.ocpi.locations.mapping import json_number
from evroam.tariffs.pricing.model import SpotRule
from evroam.tariffs.pricing.spot import spot_unit_price
from evroam.tariffs.pricing.time_zones import one_clock
from evroam.tariffs.pricing.spot_prices import SpotPrice

HORIZON_DAYS = 2
_MINUTES_PER_DAY = 24 * 60
_DATE_RESTRICTIONS = ("start_date", "end_date")
_TIME_RESTRICTIONS = ("start_time", "end_time")


@dataclass(frozen=True)
class KnownSpotPrices:
    """What the publication knows of spot prices: each zone's intervals (sorted), as of `now`."""

    series: Mapping[str, Sequence[SpotPrice]]
    now: datetime


def interval_elements(
    rule: SpotRule,
    energy: Mapping[str, Any],
    others: list[dict[str, Any]],
    restrictions: dict[str, Any],
    known: KnownSpotPrices,
    currency: str,
) -> list[dict[str, Any]]:
    """One element per known interval of the horizon: `energy` (the ENERGY component's vat and
    step_size) at the interval's price, with `others`, restricted to the interval and `restrictions`."""
    intervals = known.series.get(rule.bidding_zone, ())
    # A zone's clock is its country's, when the country has one (Germany's two zones agree).
    zone = one_clock(rule.bidding_zone[:2].upper(), [interval.start for interval in intervals])
    if not intervals or zone is None:
        return []
    first_day = known.now.astimezone(zone).date()
    last_day = first_day + timedelta(days=HORIZON_DAYS)
    elements = []
    for interval in intervals:
        if interval.currency != currency:
            continue
        price = spot_unit_price(rule, interval.price_per_kwh)
        component = {"type": "ENERGY", "price": json_number(price), **energy}
        for day, start, end in _local_pieces(interval, zone):
            if not first_day <= day < last_day:
                continue
            combined = _combined(restrictions, day, start, end)
            if combined is not None:
                elements.append({"price_components": [component, *others], "restrictions": combined})
    return elements


def _local_pieces(interval: SpotPrice, zone: ZoneInfo) -> list[tuple[date, int, int]]:
    """The interval in local time: (day, start minute, end minute), cut at local midnight."""
    start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
    pieces = []
    while start < end:
        midnight = datetime.combine(start.date() + timedelta(days=1), time(), zone)
        piece_end = min(end, midnight)
        end_minute = _MINUTES_PER_DAY if piece_end == midnight else piece_end.hour * 60 + piece_end.minute
        pieces.append((start.date(), start.hour * 60 + start.minute, end_minute))
        start = piece_end
    return pieces


def _combined(restrictions: dict[str, Any], day: date, start: int, end: int) -> dict[str, Any] | None:
    """The element's restrictions narrowed to [start, end) minutes of `day`; None when nothing is left."""
    if "start_date" in restrictions and day < date.fromisoformat(restrictions["start_date"]):
        return None
    if "end_date" in restrictions and day >= date.fromisoformat(restrictions["end_date"]):
        return None
    window = _window(restrictions)
    overlap = [(max(start, low), min(end, high)) for low, high in window if max(start, low) < min(end, high)]
    if not overlap:
        return None
    # The element's own time window is at most one wrapped range; an interval within one day meets it once.
    low, high = overlap[0]
    kept = {key: value for key, value in restrictions.items() if key not in _DATE_RESTRICTIONS + _TIME_RESTRICTIONS}
    return {
        "start_time": _clock(low),
        "end_time": _clock(high),
        "start_date": day.isoformat(),
        "end_date": (day + timedelta(days=1)).isoformat(),
        **kept,
    }


def _window(restrictions: dict[str, Any]) -> list[tuple[int, int]]:
    """The minutes of a day the element's start_time/end_time allow (wrapping past midnight when end < start)."""
    low = _minutes(restrictions.get("start_time"), 0)
    high = _minutes(restrictions.get("end_time"), _MINUTES_PER_DAY)
    if low < high:
        return [(low, high)]
    return [(low, _MINUTES_PER_DAY), (0, high)]


def _minutes(clock: str | None, default: int) -> int:
    if clock is None:
        return default
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    # 24:00 is written 00:00: an end_time before start_time ends at the next midnight (ocpi-notes §13).
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
