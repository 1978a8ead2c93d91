"""The corrected CDR an operator's figures make of a CDR, pure.

A correction states the session's true energy and/or its true end; everything else (token, location,
the tariff as it was, where each period starts) stays. The corrected periods are priced again by the
engine, so the new CDR is as recomputable as the first:
* energy: each period's ENERGY is scaled so that they add up to the corrected total (the shape of the
  session is kept); a CDR whose periods held no energy gets it all on its first period;
* end: the last period is lengthened or shortened by the difference, in its PARKING_TIME if it has
  one (the session ended while parking), else in its TIME. It cannot end before that period starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from evroam.charging.cdrs.builder import CDR_ID_LENGTH, ocpi_datetime, priced_totals, read_datetime
from evroam.errors import Invalid

_TOTALS = ("total_cost", "total_fixed_cost", "total_energy", "total_energy_cost", "total_time", "total_time_cost",
           "total_parking_time", "total_parking_cost", "total_reservation_cost")  # fmt: skip
_SECONDS_PER_HOUR = Decimal(3600)


def corrected_cdr(
    original: Mapping[str, Any],
    *,
    cdr_id: str,
    now: datetime,
    time_zone: str | None,
    energy_kwh: Decimal | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """A new CDR for the session of `original`, with the corrected figures given (at least one)."""
    if energy_kwh is None and end is None:
        raise Invalid("body", "a corrected CDR needs a corrected energyKwh or endDateTime")
    if len(cdr_id) > CDR_ID_LENGTH:
        raise Invalid("id", f"longer than {CDR_ID_LENGTH} characters")
    document = {key: value for key, value in original.items() if key not in _TOTALS}
    periods = [_copy_period(period) for period in original["charging_periods"]]
    if energy_kwh is not None:
        _set_energy(periods, energy_kwh)
        document["total_energy"] = float(energy_kwh)
    if end is not None:
        _set_end(periods, original["end_date_time"], end)
        document["end_date_time"] = ocpi_datetime(end)
    document["id"] = cdr_id
    document["charging_periods"] = periods
    tariffs = original.get("tariffs") or []
    document |= priced_totals(document, tariffs[0] if tariffs else None, time_zone)
    document["last_updated"] = ocpi_datetime(now)
    return document


def _copy_period(period: Mapping[str, Any]) -> dict[str, Any]:
    return {**period, "dimensions": [dict(dimension) for dimension in period["dimensions"]]}


def _set_energy(periods: list[dict[str, Any]], energy_kwh: Decimal) -> None:
    if energy_kwh < 0:
        raise Invalid("energyKwh", "must not be negative")
    stated = [(dimension, Decimal(str(dimension["volume"])))
              for period in periods for dimension in period["dimensions"] if dimension["type"] == "ENERGY"]  # fmt: skip
    was = sum((volume for _, volume in stated), Decimal(0))
    if not was:
        for dimension, _ in stated:
            dimension["volume"] = 0.0
        energy = next((d for d in periods[0]["dimensions"] if d["type"] == "ENERGY"), None)
        if energy is None:
            periods[0]["dimensions"].insert(0, energy := {"type": "ENERGY"})
        energy["volume"] = float(energy_kwh)
        return
    given = Decimal(0)
    for position, (dimension, volume) in enumerate(stated):
        # the last takes the remainder, so that the volumes add up to the corrected total exactly
        share = energy_kwh - given if position == len(stated) - 1 else (volume * energy_kwh / was).quantize(
            Decimal("0.000001"))  # fmt: skip
        given += share
        dimension["volume"] = float(share)


def _set_end(periods: list[dict[str, Any]], was_text: str, end: datetime) -> None:
    last = periods[-1]
    last_start = read_datetime(last["start_date_time"], "charging_periods.start_date_time")
    if end <= last_start:
        raise Invalid("endDateTime", f"must be after the last charging period's start ({last['start_date_time']})")
    was = read_datetime(was_text, "end_date_time")
    delta_s = Decimal(round((end - was).total_seconds()))
    kinds = {dimension["type"]: dimension for dimension in last["dimensions"]}
    timed = kinds.get("PARKING_TIME") or kinds.get("TIME")
    if timed is None:
        return  # the period's length comes from its start and the CDR's end alone
    hours = Decimal(str(timed["volume"])) + delta_s / _SECONDS_PER_HOUR
    if hours < 0:
        raise Invalid("endDateTime", f"leaves the last period's {timed['type']} negative")
    timed["volume"] = float(round(hours, 10))
