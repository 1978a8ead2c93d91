"""Shapes shared by the management API: camelCase models and the paginated list envelope."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

# JSON numbers on output (the platform's documents show numbers), exact Decimal inside.
JsonNumber = Annotated[Decimal, PlainSerializer(lambda value: float(value), return_type=float, when_used="json")]


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
