"""Shapes shared by the management API: camelCase models and the paginated list envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

# JSON numbers on output (the platform's documents show numbers), exact Decimal inside.
JsonNumber = Annotated[Decimal, PlainSerializer(lambda value: float(value), return_type=float, when_used="json")]



def _representable_in_utc(moment: datetime) -> datetime:
    """Year 1 or 9999 with an offset parses, but has no UTC equivalent: refused here, not a 500 later."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the range of dates evroam can store (years 1 to 9999 in UTC)") from None
    return moment


# Every date-time the management API takes: with an offset, and with a UTC equivalent.
Instant = Annotated[AwareDatetime, AfterValidator(_representable_in_utc)]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    page: int
    limit: int
    total_records: int
    has_next_page: bool
    has_previous_page: bool
    items: list[T]
