"""Value objects shared by sites, integration locations and tariffs (platform camelCase shapes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, Field, StringConstraints

from evroam.api.schemas import Instant, JsonNumber, RequestModel
from evroam.network.enums import EnergySourceCategory, EnvironmentalImpactCategory, ImageCategory, TokenType

_ZONES = available_timezones()


def _check_time_zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError(f"'{value}' is not an IANA time zone such as Europe/Helsinki")
    try:
        ZoneInfo(value)
    except ZoneInfoNotFoundError as exc:
        raise ValueError(f"'{value}' is not an IANA time zone") from exc
    return value


TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]
CountryAlpha3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
HourMinute = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=10, decimal_places=6)]


class DisplayText(RequestModel):
    language: LanguageCode
    text: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class Image(RequestModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    thumbnail: Annotated[str, StringConstraints(max_length=255)] | None = None
    category: ImageCategory
    type: Annotated[str, StringConstraints(min_length=1, max_length=4)]
    width: Annotated[int, Field(ge=0, le=99999)] | None = None
    height: Annotated[int, Field(ge=0, le=99999)] | None = None


class BusinessDetails(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    website: Annotated[str, StringConstraints(max_length=255)] | None = None
    logo: Image | None = None


class EnergySource(RequestModel):
    source: EnergySourceCategory
    percentage: Annotated[JsonNumber, Field(ge=0, le=100)]


class EnvironmentalImpact(RequestModel):
    category: EnvironmentalImpactCategory
    amount: Annotated[JsonNumber, Field(ge=0)]


class EnergyMix(RequestModel):
    is_green_energy: bool
    energy_sources: list[EnergySource] = []
    environ_impact: list[EnvironmentalImpact] = []
    supplier_name: Annotated[str, StringConstraints(max_length=64)] | None = None
    energy_product_name: Annotated[str, StringConstraints(max_length=64)] | None = None


class RegularHours(RequestModel):
    weekday: Annotated[int, Field(ge=1, le=7)]
    period_begin: HourMinute
    period_end: HourMinute


class ExceptionalPeriod(RequestModel):
    period_begin: Instant
    period_end: Instant


class OpeningTimes(RequestModel):
    twentyfourseven: bool
    regular_hours: list[RegularHours] = []
    exceptional_openings: list[ExceptionalPeriod] = []
    exceptional_closings: list[ExceptionalPeriod] = []


class AdditionalGeoLocation(RequestModel):
    latitude: Latitude
    longitude: Longitude
    name: DisplayText | None = None


class PublishTokenType(RequestModel):
    uid: Annotated[str, StringConstraints(max_length=36)] | None = None
    type: TokenType | None = None
    visual_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    issuer: Annotated[str, StringConstraints(max_length=64)] | None = None
    group_id: Annotated[str, StringConstraints(max_length=36)] | None = None


class PriceBound(RequestModel):
    excl_vat: Annotated[JsonNumber, Field(ge=0)]
    incl_vat: Annotated[JsonNumber, Field(ge=0)] | None = None


def as_json(model: RequestModel | None) -> dict | None:
    """Stored form of a value object: camelCase JSON with decimals as JSON numbers."""
    return None if model is None else model.model_dump(mode="json", by_alias=True, exclude_none=True)

