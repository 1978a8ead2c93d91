"""What a CDR states about its volumes, reconciled into the volumes each charging period bills.

A CDR states its volumes three times over: in each charging period's dimensions (ENERGY, TIME,
PARKING_TIME, RESERVATION_TIME), through the periods' start times (a period lasts until the next one
starts, the last until the CDR's end), and in its totals (total_energy, total_time,
total_parking_time). Pricing reads them in that order:

* A period bills the volumes it states. Hours become whole seconds, half up (ocpi-notes §13.6,
  item 8). The start times only place the period: they still choose the tariff element.
* What no period states comes from the totals. Time: a charging period stating neither TIME nor
  PARKING_TIME gets the charging time total_time leaves after the TIME and PARKING_TIME the other
  periods state, shared in proportion to the periods' lengths by their start times, the only
  evidence of where that time went; without total_time, its length by the start times.
  Energy: the charging periods stating no ENERGY share what total_energy leaves, in proportion to
  their charging time. That assumes an even power over those periods, as quotes do
  (described_session.py); with one such period, as in the specification's example CDR, there is
  nothing to assume. Without total_energy they bill none, as the CDR states none.
  Parking time that no period states is not invented: nothing says when it happened, and when
  decides its price. It is reported instead.
* Wherever two statements disagree by more than rounding, a StatementWarning names it: a period's
  time volumes against its start times, total_time against the start times, and each total
  against what the periods bill. Pricing goes on with the periods' volumes.

Rounding: a stated number may be off by half a unit of its last decimal, as far as that can be told:
a Decimal keeps the digits it was written with (`evroam price` reads JSON numbers so); a float only
its shortest form, so 2.000 reads as 2.0 and is allowed 0.05 h; an integer counts as exact.
Timestamps are whole seconds, so a length from them may be 1 s off, and a sum of volumes rounded to
whole seconds half a second more for each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.input import to_non_negative
from evroam.tariffs.pricing.model import ZERO

_SECONDS_PER_HOUR = Decimal(3600)
_HALF = Decimal("0.5")
_ONE_SECOND = Decimal(1)
_FINEST_SHARE = -3  # energy shares are at least as fine as whole Wh
_JSON_NUMBERS = (float, int)  # exactly: a bool is no volume
_TOTALS = ("total_energy", "total_time", "total_parking_time")
# More hours than a year has: no session, and beyond it a billed time could leave the calendar
MOST_HOURS = 10_000
_TIME, _PARKING, _TIME_AND_PARKING, _RESERVATION = ("TIME",), ("PARKING_TIME",), ("TIME", "PARKING_TIME"), \
    ("RESERVATION_TIME",)  # fmt: skip
_START_TIMES = "start times"
_PERIODS = "charging periods"

# a volume as read: a Decimal, or for hours possibly the JSON float or int (checked, not yet converted)
Volume = float | int | Decimal


@dataclass(frozen=True, slots=True)
class StatementWarning:
    """Two statements of one volume that disagree by more than rounding: `stated` is the one billed
    (a period's volume) or the total; `implied` what `implied_by` (start times, charging periods) gives."""

    source: str  # "charging_periods[2]", "total_energy", ...
    period_index: int | None  # the charging period, for a period's own volumes
    dimension: str  # ENERGY, TIME, PARKING_TIME, RESERVATION_TIME, or TIME+PARKING_TIME
    stated: Decimal
    implied: Decimal
    implied_by: str
    unit: str  # "h" or "kWh"


class PeriodVolumes:
    """What one charging period bills. `charging_s` None: no charging part (parking or reservation)."""

    __slots__ = ("reservation_s", "charging_s", "parking_s", "energy_kwh")

    def __init__(self, reservation_s: int | None, charging_s: int | None, parking_s: int | None,
                 energy_kwh: Decimal | None) -> None:  # fmt: skip
        self.reservation_s = reservation_s  # not None: a reservation period
        self.charging_s = charging_s
        self.parking_s = parking_s  # None: no parking part
        self.energy_kwh = energy_kwh  # None while it is still to come from total_energy


def read_totals(cdr: Mapping[str, Any]) -> dict[str, Volume]:
    """The totals the CDR states, each checked to be a non-negative number; absent or null ones left out."""
    totals: dict[str, Volume] = {}
    for key in _TOTALS:
        value = cdr.get(key)
        if value is not None:
            totals[key] = to_non_negative(value, key) if key == "total_energy" else to_hours(value, key)
    return totals


def to_hours(value: Any, field: str) -> Volume:
    """A number of hours, checked: at least 0, at most MOST_HOURS. A JSON float or int stays as it is (see
    seconds); anything else becomes a Decimal."""
    if type(value) in _JSON_NUMBERS and 0 <= value <= MOST_HOURS:
        return value
    hours = to_non_negative(value, field)  # a Decimal, or raises naming the field
    if hours > MOST_HOURS:
        raise PricingInputError(field, f"more than {MOST_HOURS} hours")
    return hours


def billed_volumes(
    readings: Sequence[Mapping[str, Volume]], spans_s: Sequence[int], totals: Mapping[str, Volume]
) -> tuple[list[PeriodVolumes], list[StatementWarning]]:
    """The volumes each period bills, and the disagreements found. `spans_s`: each period's length by
    the start times, in whole seconds. Reservation periods come first (read_cdr checks that)."""
    warnings: list[StatementWarning] = []
    volumes: list[PeriodVolumes] = []
    untimed: list[int] = []  # charging periods stating no time
    unmetered: list[int] = []  # charging periods stating no energy
    for index, values in enumerate(readings):
        span_s = spans_s[index]
        time, parked, energy = values.get("TIME"), values.get("PARKING_TIME"), values.get("ENERGY")
        if parked is not None:
            parking_s = seconds(parked)
            charging_s = None if time is None else seconds(time)
            stated_s = parking_s if charging_s is None else charging_s + parking_s
            if not charging_s:
                charging_s = None  # a parking period: any energy it states goes with the parking
            elif energy is None:
                unmetered.append(index)
            volumes.append(PeriodVolumes(None, charging_s, parking_s, ZERO if energy is None else energy))
            kinds = _PARKING if time is None else _TIME_AND_PARKING
        elif time is not None:
            stated_s = seconds(time)
            if energy is None:
                unmetered.append(index)
            volumes.append(PeriodVolumes(None, stated_s, None, ZERO if energy is None else energy))
            kinds = _TIME
        elif "RESERVATION_TIME" in values:
            stated_s = seconds(values["RESERVATION_TIME"])
            volumes.append(PeriodVolumes(stated_s, None, None, ZERO))
            kinds = _RESERVATION
        else:
            untimed.append(index)
            if energy is None:
                unmetered.append(index)
            volumes.append(PeriodVolumes(None, span_s, None, energy))
            continue
        if stated_s != span_s:  # equal whole seconds always agree: no more than 2 volumes, each 0.5 s off
            _check_period(warnings, index, values, kinds, span_s)
    if totals:
        _time_from_totals(volumes, untimed, spans_s, readings, totals)
        _energy_from_total(volumes, unmetered, totals)
        _check_totals(warnings, readings, volumes, spans_s, totals)
    for index in unmetered:
        if volumes[index].energy_kwh is None:
            volumes[index].energy_kwh = ZERO
    return volumes, warnings


def seconds(volume: Volume) -> int:
    """Hours as whole seconds, half up."""
    if type(volume) is int:
        return volume * 3600
    if type(volume) is float:
        exact = volume * 3600.0
        whole = round(exact)
        if abs(exact - whole) < 0.499:  # far enough from a half for the float to round as the decimal does
            return whole
    return hours_to_seconds(as_decimal(volume))


def hours_to_seconds(hours: Decimal) -> int:
    return int((hours * _SECONDS_PER_HOUR).to_integral_value(ROUND_HALF_UP))


def as_decimal(volume: Volume) -> Decimal:
    """A volume as input.to_decimal makes it: a float through its text, so 0.1 stays 0.1."""
    return Decimal(str(volume)) if type(volume) is float else Decimal(volume)


def _check_period(warnings: list[StatementWarning], index: int, values: Mapping[str, Volume],
                  stated: tuple[str, ...], span_s: int) -> None:  # fmt: skip
    """Whether the period's time volumes add up to its length by the start times."""
    volumes = [as_decimal(values[kind]) for kind in stated]
    stated_h = sum(volumes, ZERO)
    slack_s = _ONE_SECOND + sum(map(_half_unit, volumes), ZERO) * _SECONDS_PER_HOUR
    if abs(stated_h * _SECONDS_PER_HOUR - span_s) > slack_s:
        warnings.append(StatementWarning(f"charging_periods[{index}]", index, "+".join(stated), stated_h,
                                         Decimal(span_s) / _SECONDS_PER_HOUR, _START_TIMES, "h"))  # fmt: skip


def _time_from_totals(volumes: list[PeriodVolumes], untimed: list[int], spans_s: Sequence[int],
                      readings: Sequence[Mapping[str, Volume]], totals: Mapping[str, Volume]) -> None:  # fmt: skip
    total_time = totals.get("total_time")
    if not untimed or total_time is None:
        return  # their lengths by the start times stay
    # the parking the periods bill: total_parking_time is rounded too, and would leave its rounding to
    # charging. Unless it states more parking than rounding allows: what no period places is no charging.
    parking_s = sum(volume.parking_s or 0 for volume in volumes)
    total_parking = totals.get("total_parking_time")
    if total_parking is not None and _disagrees("total_parking_time", total_parking, Decimal(parking_s),
                                                lambda: _rounding_s(readings, _PARKING)):  # fmt: skip
        parking_s = max(parking_s, seconds(total_parking))
    without = set(untimed)
    stated_s = sum(volume.charging_s or 0 for index, volume in enumerate(volumes) if index not in without)
    left_s = max(seconds(total_time) - parking_s - stated_s, 0)  # less than none: _check_totals reports it
    for index, share in zip(untimed, _whole_shares(left_s, [spans_s[index] for index in untimed])):
        volumes[index].charging_s = share


def _energy_from_total(volumes: list[PeriodVolumes], unmetered: list[int], totals: Mapping[str, Volume]) -> None:
    total_energy = totals.get("total_energy")
    if not unmetered or total_energy is None:
        return
    total = as_decimal(total_energy)
    without = set(unmetered)
    stated = sum((volume.energy_kwh for index, volume in enumerate(volumes) if index not in without), ZERO)
    left = max(total - stated, ZERO)  # less than none: _check_totals reports it
    weights = [volumes[index].charging_s or 0 for index in unmetered]
    exponent = min(total.as_tuple().exponent, _FINEST_SHARE)
    for index, share in zip(unmetered, _decimal_shares(left, weights, Decimal(1).scaleb(exponent))):
        volumes[index].energy_kwh = share


def _whole_shares(total: int, weights: list[int]) -> list[int]:
    """`total` in whole shares proportional to `weights` (equal ones if all are 0); the last takes the
    rest, so that the shares add up to the total exactly."""
    weights = weights if any(weights) else [1] * len(weights)
    whole = sum(weights)
    shares = [total * weight // whole for weight in weights[:-1]]
    return [*shares, total - sum(shares)]


def _decimal_shares(total: Decimal, weights: list[int], quantum: Decimal) -> list[Decimal]:
    """As _whole_shares, each share cut down to `quantum` but the last."""
    weights = weights if any(weights) else [1] * len(weights)
    whole = sum(weights)
    shares = [(total * weight / whole).quantize(quantum, ROUND_DOWN) for weight in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]


def _check_totals(warnings: list[StatementWarning], readings: Sequence[Mapping[str, Volume]],
                  volumes: list[PeriodVolumes], spans_s: Sequence[int], totals: Mapping[str, Volume]) -> None:  # fmt: skip
    timestamps_s = billed_s = parking_s = 0  # of the charging session: reservation periods left out
    billed = ZERO
    for volume, span_s in zip(volumes, spans_s):
        if volume.reservation_s is None:
            timestamps_s += span_s
            billed_s += (volume.charging_s or 0) + (volume.parking_s or 0)
            parking_s += volume.parking_s or 0
            billed += volume.energy_kwh or ZERO
    total_time = totals.get("total_time")
    if total_time is not None:
        _check_total(warnings, "total_time", "TIME+PARKING_TIME", total_time, Decimal(timestamps_s),
                     lambda: _ONE_SECOND, _START_TIMES)  # fmt: skip
        _check_total(warnings, "total_time", "TIME+PARKING_TIME", total_time, Decimal(billed_s),
                     lambda: _rounding_s(readings, _TIME_AND_PARKING), _PERIODS)  # fmt: skip
    total_parking = totals.get("total_parking_time")
    if total_parking is not None:
        _check_total(warnings, "total_parking_time", "PARKING_TIME", total_parking, Decimal(parking_s),
                     lambda: _rounding_s(readings, _PARKING), _PERIODS)  # fmt: skip
    total_energy = totals.get("total_energy")
    if total_energy is not None:
        _check_total(warnings, "total_energy", "ENERGY", total_energy, billed,
                     lambda: sum((_half_unit(values["ENERGY"]) for values in readings if "ENERGY" in values), ZERO),
                     _PERIODS)  # fmt: skip


def _rounding_s(readings: Sequence[Mapping[str, Volume]], kinds: tuple[str, ...]) -> Decimal:
    """How far a sum of the periods' volumes of these kinds, in whole seconds, may be from their exact sum."""
    volumes = [values[kind] for values in readings for kind in kinds if kind in values]
    return _ONE_SECOND + sum(map(_half_unit, volumes), ZERO) * _SECONDS_PER_HOUR + _HALF * len(volumes)


def _check_total(warnings: list[StatementWarning], key: str, dimension: str, total: Volume, implied: Decimal,
                 slack: Callable[[], Decimal], implied_by: str) -> None:  # fmt: skip
    if _disagrees(key, total, implied, slack):
        in_hours = key != "total_energy"
        warnings.append(StatementWarning(key, None, dimension, as_decimal(total),
                                         implied / _SECONDS_PER_HOUR if in_hours else implied, implied_by,
                                         "h" if in_hours else "kWh"))  # fmt: skip


def _disagrees(key: str, total: Volume, implied: Decimal, slack: Callable[[], Decimal]) -> bool:
    """`implied` is in seconds for a total in hours, else in kWh; `slack` likewise, before the total's own
    rounding. Worked out only when needed: it reads every volume's decimals."""
    in_hours = key != "total_energy"
    difference = abs(as_decimal(total) * (_SECONDS_PER_HOUR if in_hours else 1) - implied)
    if difference <= (_ONE_SECOND if in_hours else ZERO):  # never more than the slack: the usual case
        return False
    return difference > slack() + _half_unit(total) * (_SECONDS_PER_HOUR if in_hours else 1)


def _half_unit(volume: Volume) -> Decimal:
    """Half a unit of the last decimal a stated number shows: how far it may be from what it rounds."""
    if type(volume) is int:
        return ZERO
    exponent = as_decimal(volume).as_tuple().exponent
    return ZERO if exponent >= 0 else Decimal(5).scaleb(exponent - 1)
