"""Reading values out of JSON (as `json.loads` returns it) with errors that name the field.

Each reader raises `PricingInputError(field, problem)` with the field it was given; callers add the
enclosing path with `PricingInputError.within`, so paths are only built when something is wrong.
A JSON `null` counts as absent. Numbers become `Decimal` through their text (`Decimal(str(0.1))`
is 0.1, not the binary double); decimal strings are accepted too, as evroam stores tariff numbers
as strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from evroam.tariffs.pricing.errors import PricingInputError

_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_from_isoformat = datetime.fromisoformat
_RFC3339_SEPARATORS = frozenset({"--T:", "--t:", "-- :"})
_INFINITY = float("inf")


def to_decimal(value: Any, field: str) -> Decimal:
    kind = type(value)
    if kind is float:
        if value - value != 0:  # NaN or infinity: json.loads accepts them, money cannot
            raise PricingInputError(field, "not a finite number")
        return Decimal(str(value))
    if kind is int:
        return Decimal(value)
    if kind is str or kind is Decimal:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise PricingInputError(field, "not a number") from None
        if not number.is_finite():
            raise PricingInputError(field, "not a finite number")
        return number
    raise PricingInputError(field, "required" if value is None else "not a number")


def to_non_negative(value: Any, field: str) -> Decimal:
    if type(value) is float and 0 <= value < _INFINITY:  # the usual price or VAT rate: no second call
        return Decimal(str(value))
    number = to_decimal(value, field)
    if number < 0:
        raise PricingInputError(field, "must not be negative")
    return number


def to_whole_number(value: Any, field: str) -> int:
    """A non-negative integer (a step size, a duration in seconds, a position)."""
    if type(value) is not int:
        number = to_decimal(value, field)
        if number != number.to_integral_value():
            raise PricingInputError(field, "not a whole number")
        value = int(number)
    if value < 0:
        raise PricingInputError(field, "must not be negative")
    return value


def to_text(value: Any, field: str) -> str:
    if type(value) is not str or not value:
        raise PricingInputError(field, "required" if value is None else "not a non-empty string")
    return value


def to_datetime(value: Any, field: str) -> datetime:
    """An RFC 3339 timestamp, in UTC. OCPI: no zone designator means UTC."""
    # the shape first: fromisoformat also takes ISO 8601 forms RFC 3339 does not (a bare date, week
    # dates, basic format). One slice holds the separators at 4, 7, 10 and 13.
    if type(value) is str and len(value) >= 19 and value[4:14:3] in _RFC3339_SEPARATORS:
        try:
            moment = _from_isoformat(value.upper() if "z" in value else value)  # it refuses a lowercase z
        except ValueError:
            pass
        else:
            zone = moment.tzinfo
            if zone is UTC:
                return moment
            if zone is None:
                return moment.replace(tzinfo=UTC)
            try:
                return moment.astimezone(UTC)
            except OverflowError:  # year 1 or 9999 with an offset
                raise PricingInputError(field, "outside the range of dates (years 1 to 9999 in UTC)") from None
    raise PricingInputError(field, "required" if value is None else "not an RFC 3339 date-time")


def to_clock_time(value: Any, field: str) -> time:
    return _clock_time(value, field, end_of_day_allowed=False)


def to_end_clock_time(value: Any, field: str) -> time:
    """Also `24:00`, which can only mean the end of the day: OCPI spells that `00:00`."""
    return _clock_time(value, field, end_of_day_allowed=True)


def _clock_time(value: Any, field: str, *, end_of_day_allowed: bool) -> time:
    found = _CLOCK.fullmatch(value) if type(value) is str else None
    if found is None or (found[1] == "24" and (found[2] != "00" or not end_of_day_allowed)):
        raise PricingInputError(field, "not a time of day HH:MM")
    return time(int(found[1]) % 24, int(found[2]))


def to_date(value: Any, field: str) -> date:
    try:
        if type(value) is str and _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise PricingInputError(field, "not a date YYYY-MM-DD")


def json_object(value: Any, field: str) -> Mapping[str, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):
        raise PricingInputError(field, "not a JSON object")
    return value


def to_list(value: Any, field: str) -> list[Any]:
    """A required, non-empty JSON array (OCPI's `+` cardinality)."""
    if type(value) is not list:
        raise PricingInputError(field, "required" if value is None else "not a JSON array")
    if not value:
        raise PricingInputError(field, "must not be empty")
    return value


def number(data: Mapping[str, Any], key: str) -> Decimal:
    return to_decimal(data.get(key), key)


def text(data: Mapping[str, Any], key: str) -> str:
    return to_text(data.get(key), key)


def optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or (type(value) is str and value):  # the usual cases, without a call
        return value
    return to_text(value, key)


def optional_object(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    return None if value is None else json_object(value, key)


def object_list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if type(value) is list and value else to_list(value, key)
