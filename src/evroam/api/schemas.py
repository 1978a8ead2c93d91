"""Shapes shared by the management API: camelCase models and the paginated list envelope."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Generic, TypeVar, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema


# RFC 3339, as the schema's `format: date-time` promises: the framework alone would also take a number of
# seconds (`to=0.5`), a date-time without seconds or with a comma, as a moment.
_RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc_3339_text(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC_3339.match(value)):
        return value
    raise PydanticCustomError("datetime_parsing", "must be a date-time with an offset, such as 2025-01-31T12:00:00Z")


def _representable_in_utc(moment: datetime) -> datetime:
    """Year 1 or 9999 with an offset parses, but has no UTC equivalent: refused here, not a 500 later."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the range of dates evroam can store (years 1 to 9999 in UTC)") from None
    return moment


T = TypeVar("T")

# Every date-time the management API takes: with an offset, and with a UTC equivalent.
Instant = Annotated[AwareDatetime, BeforeValidator(_rfc_3339_text), AfterValidator(_representable_in_utc)]


# JSON numbers on output (the platform's documents show numbers), exact Decimal inside.
JsonNumber = Annotated[Decimal, PlainSerializer(lambda value: float(value), return_type=float, when_used="json")]
# A decimal comes as a JSON number or as a decimal string ("0.25", exact whatever the client's floats): a
# string in plain notation only, as documented; the framework alone also took " 1", "1_000" and "١".
DECIMAL_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL_TEXT = re.compile(DECIMAL_TEXT)


def _tidy_schema(schema: dict[str, Any]) -> None:
    """Each property says what it is at its top, where readers look: a unit or VAT note given on a type
    (`KiloWatts`) would otherwise sit inside the `anyOf` of an optional field. A decimal's string branch
    (`anyOf: [number, string]`) documents the plain notation it takes."""
    for node in schema.get("properties", {}).values():
        choices = _choices(node)
        if "description" not in node:
            described = next((choice["description"] for choice in choices if "description" in choice), None)
            if described:
                node["description"] = described
        if "number" in {choice.get("type") for choice in choices}:
            for choice in choices:
                if choice.get("type") == "string":
                    choice["pattern"] = DECIMAL_TEXT


def _choices(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a property, nested `anyOf`s flattened."""
    found = []
    for choice in node.get("anyOf", ()):
        found += [choice, *_choices(choice)]
    return found


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        from_attributes=True,
        json_schema_extra=lambda schema, _: _tidy_schema(schema),
    )


class RequestModel(CamelModel):
    """A shape the management API takes (and the value objects inside it): a field it does not know is
    refused with 400 naming it, as a misspelt field silently dropped would lose what the caller meant;
    a decimal given as a string is in plain notation."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_as_documented(cls, value: Any, info: ValidationInfo) -> Any:
        """The framework alone takes "7" and true for an integer, and " 1", "1_000" and "١" for a decimal."""
        kind = _number_fields(cls).get(info.field_name or "")
        if kind is not None:
            for item in value if isinstance(value, list) else [value]:
                _check_number(item, kind)
        return value


def _check_number(value: Any, kind: type) -> None:
    if isinstance(value, bool) or (isinstance(value, str) and (kind is int or not _DECIMAL_TEXT.match(value))):
        raise PydanticCustomError("number_type", "must be an integer" if kind is int else "must be a number")


@cache
def _number_fields(model: type[BaseModel]) -> dict[str, type]:
    """Field name -> int or Decimal, for the fields (or lists) of numbers."""
    found = {}
    for name, field in model.model_fields.items():
        kinds = _mentioned(field.annotation) & {int, Decimal}
        if len(kinds) == 1:
            found[name] = kinds.pop()
    return found


def _mentioned(annotation: Any) -> set[Any]:
    mentioned = {annotation}
    for arg in get_args(annotation):
        mentioned |= _mentioned(arg)
    return mentioned


class _NotNull:
    """Marks a field that may be left out (None inside) but not sent as `null`: refused when sent, and
    documented without `null`, as the schema must not promise what the API refuses."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(_refuse_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented = handler(schema)
        if "anyOf" not in documented:
            return documented
        choices = [choice for choice in documented["anyOf"] if choice != {"type": "null"}]
        rest = {key: value for key, value in documented.items() if key != "anyOf"}
        return {**choices[0], **rest} if len(choices) == 1 else {"anyOf": choices, **rest}


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "cannot be null")
    return value


# `name: Omittable[Name] = None`: in a PATCH, left out changes nothing, and null is refused.
Omittable = Annotated[T | None, _NotNull()]


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    page: int
    limit: int
    total_records: int
    has_next_page: bool
    has_previous_page: bool
    items: list[T]
