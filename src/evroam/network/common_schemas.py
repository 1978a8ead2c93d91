"""Value objects shared by sites, integration locations and tariffs (platform camelCase shapes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, Field, StrictBool, StringConstraints, WithJsonSchema

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


# Documented as the list it is checked against: a pattern would promise names that are no zone.
TimeZoneName = Annotated[
    str,
    AfterValidator(_check_time_zone),
    WithJsonSchema({"type": "string", "enum": sorted(_ZONES), "description": "IANA time zone, e.g. Europe/Helsinki"}),
]
CountryAlpha3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
HourMinute = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Latitude = Annotated[
    Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6, description="Degrees north (WGS 84)")
]
Longitude = Annotated[
    Decimal, Field(ge=-180, le=180, max_digits=10, decimal_places=6, description="Degrees east (WGS 84)")
]


class DisplayText(RequestModel):
    language: LanguageCode
    text: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class Image(RequestModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    thumbnail: Annotated[str, StringConstraints(max_length=255)] | None = None
    category: ImageCategory
    type: Annotated[str, StringConstraints(min_length=1, max_length=4)]
    width: Annotated[int, Field(ge=0, le=99999, description="Pixels")] | None = None
    height: Annotated[int, Field(ge=0, le=99999, description="Pixels")] | None = None


class BusinessDetails(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    website: Annotated[str, StringConstraints(max_length=255)] | None = None
    logo: Image | None = None


class EnergySource(RequestModel):
    source: EnergySourceCategory
    percentage: Annotated[JsonNumber, Field(ge=0, le=100, description="Share of the energy, percent")]


class EnvironmentalImpact(RequestModel):
    category: EnvironmentalImpactCategory
    # Bounded: a 1e308 was stored, and then failed every document that carried it.
    amount: Annotated[
        JsonNumber, Field(ge=0, le=1_000_000, max_digits=14, decimal_places=6, description="Grams per kWh")
    ]


class EnergyMix(RequestModel):
    is_green_energy: StrictBool
    energy_sources: list[EnergySource] = []
    environ_impact: list[EnvironmentalImpact] = []
    supplier_name: Annotated[str, StringConstraints(max_length=64)] | None = None
    energy_product_name: Annotated[str, StringConstraints(max_length=64)] | None = None


class RegularHours(RequestModel):
    weekday: Annotated[int, Field(ge=1, le=7, description="1 Monday to 7 Sunday")]
    period_begin: HourMinute
    period_end: HourMinute


class ExceptionalPeriod(RequestModel):
    period_begin: Instant
    period_end: Instant


class OpeningTimes(RequestModel):
    twentyfourseven: StrictBool
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


EXCL_VAT = "Excluding VAT, in the tariff's currency"
INCL_VAT = "Including VAT, in the tariff's currency"


class PriceBound(RequestModel):
    excl_vat: Annotated[JsonNumber, Field(ge=0, description=EXCL_VAT)]
    incl_vat: Annotated[JsonNumber, Field(ge=0, description=INCL_VAT)] | None = None


def as_json(model: RequestModel | None) -> dict | None:
    """Stored form of a value object: camelCase JSON with decimals as JSON numbers."""
    return None if model is None else model.model_dump(mode="json", by_alias=True, exclude_none=True)

