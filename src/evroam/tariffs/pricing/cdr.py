"""Reading an OCPI CDR (2.2.1, or 2.1.1 field names) into the engine's session periods.

* A period holding RESERVATION_TIME is reservation, one holding PARKING_TIME is parking, any other
  (TIME, ENERGY) is charging. A period holding both TIME and PARKING_TIME is split: charging first,
  for its TIME volume, then parking for its PARKING_TIME volume.
* A period bills the volumes it states; what it does not state comes from the CDR's totals, and
  disagreements between the periods' volumes, their start times and the totals are reported (see
  cdr_statement.py). A period starts at its start_date_time, which chooses its tariff element.
* A period's length by the start times runs from its start to the next period's start (the last
  one to the CDR's end), to the whole second (half up).
* Current and power readings: MIN_/MAX_CURRENT and MIN_/MAX_POWER, or CURRENT / POWER when only an
  average is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from evroam.tariffs.pricing.cdr_statement import (
    MOST_HOURS,
    PeriodVolumes,
    StatementWarning,
    Volume,
    billed_volumes,
    read_totals,
    to_hours,
)
from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.input import (
    json_object,
    object_list,
    optional_object,
    optional_text,
    to_datetime,
    to_non_negative,
)
from evroam.tariffs.pricing.model import ZERO, PeriodState, SessionPeriod, whole_seconds
from evroam.tariffs.pricing.time_zones import zone_named, zone_of_country

_JSON_NUMBERS = (float, int)  # exactly: a bool is no volume
_RESERVATION, _CHARGING, _PARKING = PeriodState.RESERVATION, PeriodState.CHARGING, PeriodState.PARKING
# the dimensions read, each with whether its volume is in hours (see _readings)
_READ_DIMENSIONS = {"TIME": True, "PARKING_TIME": True, "RESERVATION_TIME": True, "ENERGY": False, "MIN_CURRENT": False,
                    "MAX_CURRENT": False, "CURRENT": False, "MIN_POWER": False, "MAX_POWER": False, "POWER": False}  # fmt: skip


@dataclass(slots=True)
class CdrSession:
    periods: tuple[SessionPeriod, ...]
    time_zone: tzinfo
    currency: str | None
    tariff_ids: tuple[tuple[int, str], ...]  # (period index, tariff_id) where a period names one
    sources: tuple[int, ...]  # per session period, the index of the charging period it was read from
    warnings: tuple[StatementWarning, ...]  # where the CDR's statements of its volumes disagree


def read_cdr(cdr: Mapping[str, Any], time_zone: str | None = None) -> CdrSession:
    cdr = cdr if type(cdr) is dict else json_object(cdr, "cdr")
    start_text = cdr.get("start_date_time")
    start = to_datetime(start_text, "start_date_time")
    end_key = "stop_date_time" if cdr.get("end_date_time") is None and "stop_date_time" in cdr else "end_date_time"
    end = to_datetime(cdr.get(end_key), end_key)
    if end < start:
        raise PricingInputError(end_key, "before start_date_time")
    totals = read_totals(cdr)
    raw_periods = object_list(cdr, "charging_periods")
    starts: list[datetime] = []
    readings: list[dict[str, Volume]] = []
    tariff_ids: list[tuple[int, str]] = []
    previous = start
    charging_started = False
    for index, raw in enumerate(raw_periods):
        try:
            period = raw if type(raw) is dict else json_object(raw, "")
            period_start_text = period.get("start_date_time")
            # the first period usually starts at the CDR's start, written the same way: read that once
            if type(period_start_text) is str and period_start_text == start_text:
                period_start = start
            else:
                period_start = to_datetime(period_start_text, "start_date_time")
            if period_start < previous:
                problem = "before the previous period's start" if starts else "before the CDR's start_date_time"
                raise PricingInputError("start_date_time", problem)
            if period_start > end:
                raise PricingInputError("start_date_time", f"after the CDR's {end_key}")
            values = _readings(object_list(period, "dimensions"))
            try:
                charging_started = _check_phase(values, charging_started)
            except PricingInputError as error:
                raise error.within("dimensions") from None
            readings.append(values)
            tariff_id = optional_text(period, "tariff_id")
        except PricingInputError as error:
            raise error.within(f"charging_periods[{index}]") from None
        starts.append(period_start)
        previous = period_start
        if tariff_id is not None:
            tariff_ids.append((index, tariff_id))
    first = starts[0]
    starts.append(end)
    offset = 0  # of the period's start from the first's, in whole seconds
    spans_s: list[int] = []
    for index in range(len(readings)):
        next_offset = whole_seconds(starts[index + 1] - first)
        spans_s.append(next_offset - offset)
        offset = next_offset
    volumes, warnings = billed_volumes(readings, spans_s, totals)
    periods: list[SessionPeriod] = []
    sources: list[int] = []
    for index, values in enumerate(readings):
        try:
            added = _add_periods(periods, starts[index], spans_s[index], volumes[index], values)
        except PricingInputError as error:
            raise error.within(f"charging_periods[{index}]") from None
        sources += [index] * added
    return CdrSession(tuple(periods), _time_zone(cdr, time_zone, starts), optional_text(cdr, "currency"),
                      tuple(tariff_ids), tuple(sources), tuple(warnings))  # fmt: skip


def _readings(dimensions: list[Any]) -> dict[str, Volume]:
    """The volume of each dimension read, checked to be a non-negative number.

    The volumes in hours stay as the JSON number they were (see cdr_statement.seconds): most of
    them convert to whole seconds without Decimal arithmetic.
    """
    values: dict[str, Volume] = {}
    for index, dimension in enumerate(dimensions):
        try:
            if type(dimension) is not dict:
                dimension = json_object(dimension, "")
            kind = dimension.get("type")
            if type(kind) is not str:
                raise PricingInputError("type", "not a dimension type")
            in_hours = _READ_DIMENSIONS.get(kind)
            if in_hours is None:
                continue
            volume = dimension.get("volume")
            if in_hours and type(volume) in _JSON_NUMBERS and 0 <= volume <= MOST_HOURS:
                values[kind] = volume  # checked, as to_hours would, without the call
            else:
                values[kind] = to_hours(volume, "volume") if in_hours else to_non_negative(volume, "volume")
        except PricingInputError as error:
            raise error.within(f"dimensions[{index}]") from None
    return values


def _check_phase(values: dict[str, Volume], charging_started: bool) -> bool:
    """Refuses a reservation period mixed with charging or parking, or after them; returns whether
    the charging session has started by the end of this period."""
    if "RESERVATION_TIME" not in values:
        return True
    if "TIME" in values or "PARKING_TIME" in values or values.get("ENERGY", ZERO):
        raise PricingInputError("", "RESERVATION_TIME cannot share a period with charging or parking")
    if charging_started:
        raise PricingInputError("", "RESERVATION_TIME after the charging session started")
    return False


def _add_periods(periods: list[SessionPeriod], start: datetime, span_s: int, volumes: PeriodVolumes,
                 values: dict[str, Volume]) -> int:  # fmt: skip
    """Adds the session periods of one charging period to `periods`; returns how many."""
    billed_s = (volumes.reservation_s or 0) + (volumes.charging_s or 0) + (volumes.parking_s or 0)
    if billed_s > span_s:  # billed past the next start: the time billed must still be in the calendar
        try:
            start + timedelta(seconds=billed_s)
        except OverflowError:
            raise PricingInputError("dimensions", "the time stated runs past the year 9999") from None
    if volumes.reservation_s is not None:
        periods.append(SessionPeriod(_RESERVATION, start, volumes.reservation_s))
        return 1
    charging_s, parking_s, energy = volumes.charging_s, volumes.parking_s, volumes.energy_kwh
    added = 0
    if charging_s is not None:
        current = values.get("CURRENT")
        power = values.get("POWER")
        periods.append(
            SessionPeriod(
                _CHARGING,
                start,
                charging_s,
                energy,
                values.get("MIN_CURRENT", current),
                values.get("MAX_CURRENT", current),
                values.get("MIN_POWER", power),
                values.get("MAX_POWER", power),
            )
        )
        energy = ZERO
        added = 1
    if parking_s is not None:
        # where the charging stops, by its stated time, but within the period as its start times place it
        parking_start = start + timedelta(seconds=min(charging_s, span_s)) if charging_s else start
        periods.append(SessionPeriod(_PARKING, parking_start, parking_s, energy))
        added += 1
    return added


def _time_zone(cdr: Mapping[str, Any], explicit: str | None, moments: list[datetime]) -> tzinfo:
    if explicit is not None:
        return zone_named(explicit, "time_zone")
    # 2.2.1 CdrLocation has no time_zone but a richer document may carry one; 2.1.1 has `location`
    location_key = "cdr_location" if cdr.get("cdr_location") is not None else "location"
    location = optional_object(cdr, location_key)
    if location is not None:
        if location.get("time_zone") is not None:
            return zone_named(location["time_zone"], f"{location_key}.time_zone")
        if location.get("country") is not None:
            return zone_of_country(location["country"], f"{location_key}.country", moments)
    raise PricingInputError("time_zone", "not given, and the CDR's location names neither a time zone nor a country")
