"""OCPI charging profiles ↔ OCPP 1.6 smart charging: the partner's ChargingProfile as the TxProfile of
SetChargingProfile, and the charger's GetCompositeSchedule answer as the ActiveChargingProfile the partner
asked for. The fields are the same in both, under other names (OCPP's `chargingSchedulePeriod` is OCPI's
`charging_profile_period`, `scheduleStart` its `start_date_time`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from evroam.charging.commands.models import Command
from evroam.ocpi.chargingprofiles.mapping import ActiveChargingProfile, profile_document
from evroam.ocpp.times import instant

# OCPI rates take one decimal; a charger may compute finer ones (amps from watts): rounded, not refused.
_RATE_STEP = Decimal("0.1")


class NoActiveProfile(Exception):
    """An Accepted GetCompositeSchedule.conf that gives no profile the partner could be sent; says why."""


def tx_profile(command: Command) -> dict[str, Any]:
    """OCPI's ChargingProfile as OCPP 1.6's TxProfile for the session's transaction; the transaction id is
    the profile's id too, so a new profile for the session replaces the last."""
    ocpi = (command.details or {})["charging_profile"]
    schedule: dict[str, Any] = {
        "chargingRateUnit": ocpi["charging_rate_unit"],
        "chargingSchedulePeriod": [{"startPeriod": period["start_period"], "limit": period["limit"]}
                                   for period in ocpi.get("charging_profile_period", [])],
    }
    for ours, theirs in (("duration", "duration"), ("startSchedule", "start_date_time"),
                         ("minChargingRate", "min_charging_rate")):
        if theirs in ocpi:
            schedule[ours] = ocpi[theirs]
    return {"chargingProfileId": int(command.transaction_id or 0), "transactionId": int(command.transaction_id or 0),
            "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Absolute" if "start_date_time" in ocpi else "Relative",
            "chargingSchedule": schedule}


def active_profile(conf: Any, answered_at: datetime) -> dict[str, Any]:
    """The OCPI ActiveChargingProfile of an Accepted GetCompositeSchedule.conf (the library hands its
    objects in snake_case); NoActiveProfile if it has none. The composite schedule counts from
    `scheduleStart`; a charger that leaves it out means its answer's moment (it computed it from now)."""
    schedule = conf.charging_schedule
    if not schedule:
        raise NoActiveProfile("the charger answered Accepted without a charging schedule")
    profile: dict[str, Any] = {
        "charging_rate_unit": schedule.get("charging_rate_unit"),
        "charging_profile_period": [{"start_period": period.get("start_period"), "limit": _rate(period.get("limit"))}
                                    for period in schedule.get("charging_schedule_period") or []],
    }
    for ours, theirs in (("duration", "duration"), ("start_date_time", "start_schedule"),
                         ("min_charging_rate", "min_charging_rate")):
        if schedule.get(theirs) is not None:
            profile[ours] = _rate(schedule[theirs]) if ours == "min_charging_rate" else schedule[theirs]
    try:
        start = instant(conf.schedule_start) if conf.schedule_start else answered_at
    except (ValueError, OverflowError):
        raise NoActiveProfile(f"the charger's scheduleStart {conf.schedule_start!r} is not a date-time") from None
    try:
        active = ActiveChargingProfile.model_validate({"start_date_time": start, "charging_profile": profile})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        problem = f"the charger's composite schedule is not a charging profile: {where}: {first['msg']}"
        raise NoActiveProfile(problem) from None
    return profile_document(active)


def _rate(value: Any) -> Any:
    try:
        return Decimal(str(value)).quantize(_RATE_STEP)
    except ArithmeticError:  # not a number: validation names it
        return value
