"""OCPI DateTime on input: a DateTime without designator is UTC (ocpi-notes §1), one with an offset is
converted to UTC, and one that has no UTC equivalent is refused (not a 500 when it is stored)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        raise ValueError("is outside the range of dates (years 1 to 9999 in UTC)") from None


OcpiDateTime = Annotated[datetime, AfterValidator(as_utc)]


def _given_as_text(value: object) -> object:
    # Pydantic would read a number as seconds since 1970: OCPI DateTime is a string.
    if not isinstance(value, str | datetime):
        raise ValueError("must be a date-time such as 2024-05-01T12:00:00Z")
    return value


# OcpiDateTime that takes only text, as the OpenAPI files type it (format date-time, type string).
OcpiDateTimeText = Annotated[OcpiDateTime, BeforeValidator(_given_as_text)]
