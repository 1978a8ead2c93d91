"""Request and response shapes of /tariffs: the platform's tariff, as in GET integration details.

Stored form (`Tariff.elements`): camelCase JSON exactly as the API takes it, absent fields left out,
and every number as a canonical decimal string ("0.25", "22", never "2.2E+1"), so no precision is lost
to binary floats and an equal value always stores equal; the pricing engine reads them with
`Decimal(str(x))`. Responses show these numbers as JSON numbers, like the platform's documents.
Input takes JSON numbers or decimal strings, and the platform's v1 integer codes for `type` and
`useType`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StringConstraints, WithJsonSchema
from pydantic.alias_generators import to_camel

from evroam.api.schemas import Instant, JsonNumber, Omittable, RequestModel
from evroam.network.common_schemas import EXCL_VAT, INCL_VAT, DisplayText, EnergyMix, HourMinute, PriceBound
from evroam.tariffs.models import Tariff
from evroam.tariffs.pricing.component_types import V1_COMPONENT_TYPES

PriceComponentType = Literal[V1_COMPONENT_TYPES]  # type: ignore[valid-type]  # the names, in v1 code order
UseType = Literal["COST", "PRICE", "OTHER"]  # v1 codes 0-2
TariffType = Literal["AD_HOC_PAYMENT", "PROFILE_CHEAP", "PROFILE_FAST", "PROFILE_GREEN", "REGULAR"]
DayOfWeek = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
ReservationRestriction = Literal["RESERVATION", "RESERVATION_EXPIRES"]

SPOT_TYPES = frozenset({"ENERGY_SPOT", "ENERGY_SPOT_LOCKED"})
# OCPI: a reservation element is priced by the reservation's duration or as a fee, nothing else.
RESERVATION_TYPES = frozenset({"FLAT", "TIME"})
# Restriction pairs whose lower bound must not exceed the upper one.
_RANGES = (("min_kwh", "max_kwh"), ("min_current", "max_current"), ("min_power", "max_power"),
           ("min_duration", "max_duration"))  # fmt: skip
MAX_INT = 2_147_483_647
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _v1_code(names: tuple[str, ...]) -> BeforeValidator:
    def name_of(value: Any) -> Any:
        if type(value) is int and 0 <= value < len(names):
            return names[value]
        return value

    return BeforeValidator(name_of)


def _check_date(value: str) -> str:
    try:
        if _DATE.match(value):
            date.fromisoformat(value)
            return value
    except ValueError:
        pass
    raise ValueError(f"'{value}' is not a date YYYY-MM-DD")


# Bounds keep every value finite and exact at the stored precision: NaN or 1E+999 is refused, not stored.
UnitPrice = Annotated[JsonNumber, Field(ge=0, max_digits=18, decimal_places=8)]
SignedUnitPrice = Annotated[JsonNumber, Field(max_digits=18, decimal_places=8)]
Percentage = Annotated[JsonNumber, Field(ge=0, max_digits=12, decimal_places=4)]
VatPercentage = Annotated[JsonNumber, Field(ge=0, le=100, max_digits=7, decimal_places=4)]
Quantity = Annotated[JsonNumber, Field(ge=0, max_digits=18, decimal_places=6)]
Seconds = Annotated[int, Field(ge=0, le=MAX_INT)]
IsoDate = Annotated[str, AfterValidator(_check_date), WithJsonSchema({"type": "string", "format": "date"})]
# Shown in UTC, as stored: a response must not depend on whether it was read back from the database.
UtcTimestamp = Annotated[Instant, AfterValidator(lambda moment: moment.astimezone(UTC))]
BiddingZone = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Za-z0-9_-]{0,30}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
ComponentType = Annotated[PriceComponentType, _v1_code(get_args(PriceComponentType))]
TariffUseType = Annotated[UseType, _v1_code(get_args(UseType))]


class PriceComponent(RequestModel):
    type: ComponentType
    # Required except on spot components, whose price follows the market.
    price: Annotated[UnitPrice | None, Field(description=(
        "Excluding VAT, in the tariff's currency, per kWh (ENERGY), per session (FLAT), per hour (TIME, "
        "PARKING_TIME), per month (MONTHLY_FLAT, SOCKET_COUNT, CHARGER_COUNT); not used by spot components"
    ))] = None
    vat: Annotated[VatPercentage | None, Field(description="VAT percent added to the price (24 for 24 %)")] = None
    margin: Annotated[SignedUnitPrice | None, Field(
        description="Spot components: added to the spot price per kWh, excluding VAT; may be negative")] = None
    step_size: Annotated[int, Field(ge=0, le=MAX_INT, description=(
        "Billed in blocks of this size (OCPI step_size): Wh for ENERGY, seconds for TIME and PARKING_TIME"))] = 1
    margin_percentage: Annotated[Percentage | None, Field(
        description="Spot components: percent added to the (capped) spot price")] = None
    price_cap: Annotated[UnitPrice | None, Field(
        description="Spot components: the most the spot price counts for, per kWh, excluding VAT")] = None
    cost_percentage: Annotated[Percentage | None, Field(
        description="Spot components: percent of the spot price above priceCap that is billed")] = None
    bidding_zone: BiddingZone | None = None


class Restrictions(RequestModel):
    start_time: HourMinute | None = None
    end_time: HourMinute | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    min_kwh: Annotated[Quantity | None, Field(description="Energy charged so far, kWh")] = None
    max_kwh: Annotated[Quantity | None, Field(description="Energy charged so far, kWh")] = None
    min_current: Annotated[Quantity | None, Field(description="Charging current, A")] = None
    max_current: Annotated[Quantity | None, Field(description="Charging current, A")] = None
    min_power: Annotated[Quantity | None, Field(description="Charging power, kW")] = None
    max_power: Annotated[Quantity | None, Field(description="Charging power, kW")] = None
    min_duration: Annotated[Seconds | None, Field(description="Session duration so far, seconds")] = None
    max_duration: Annotated[Seconds | None, Field(description="Session duration so far, seconds")] = None
    day_of_week: list[DayOfWeek] | None = None
    reservation: ReservationRestriction | None = None


class TariffElement(RequestModel):
    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: Restrictions | None = None


class TariffPriceBound(PriceBound):
    """minPrice / maxPrice, bounded to what the tariff's price columns hold exactly."""

    excl_vat: Annotated[JsonNumber, Field(ge=0, max_digits=14, decimal_places=4, description=EXCL_VAT)]
    incl_vat: Annotated[JsonNumber, Field(ge=0, max_digits=14, decimal_places=4, description=INCL_VAT)] | None = None


Elements = Annotated[list[TariffElement], Field(min_length=1)]


class TariffFields(RequestModel):
    """Every optional tariff field; create and update share them."""

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    type: TariffType | None = None
    tariff_alt_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=255)] | None = None
    min_price: TariffPriceBound | None = None
    max_price: TariffPriceBound | None = None
    start_date_time: UtcTimestamp | None = None
    end_date_time: UtcTimestamp | None = None
    tariff_energy_mix: EnergyMix | None = None


class TariffCreate(TariffFields):
    name: Name
    currency: Currency
    common: StrictBool = False
    use_type: TariffUseType = "PRICE"
    tariff_alt_text: list[DisplayText] = []
    elements: Elements


class TariffUpdate(TariffFields):
    """PATCH: only the fields given change; `elements`, when given, replaces all elements."""

    name: Omittable[Name] = None
    currency: Omittable[Currency] = None
    common: Omittable[StrictBool] = None
    use_type: Omittable[TariffUseType] = None
    tariff_alt_text: list[DisplayText] | None = None  # null: none
    elements: Omittable[Elements] = None


class TariffOut(TariffCreate):
    id: str
    created: datetime
    last_updated: datetime


def problems(tariff: TariffCreate) -> list[dict[str, str]]:
    """The rules that tie fields together, each named by its JSON path (`elements.0.priceComponents.1.price`)."""
    found = []
    for index, element in enumerate(tariff.elements):
        found += _element_problems(element, f"elements.{index}")
    start, end = tariff.start_date_time, tariff.end_date_time
    if start is not None and end is not None and start >= end:
        found.append({"field": "endDateTime", "problem": "must be after startDateTime"})
    if tariff.min_price is not None and tariff.max_price is not None:
        for name in ("excl_vat", "incl_vat"):
            low, high = getattr(tariff.min_price, name), getattr(tariff.max_price, name)
            if low is not None and high is not None and low > high:
                camel = to_camel(name)
                found.append({"field": f"maxPrice.{camel}", "problem": f"must not be less than minPrice.{camel}"})
    return found


def _element_problems(element: TariffElement, path: str) -> list[dict[str, str]]:
    found = []
    reservation = element.restrictions is not None and element.restrictions.reservation is not None
    for index, component in enumerate(element.price_components):
        where = f"{path}.priceComponents.{index}"
        if component.type in SPOT_TYPES and component.bidding_zone is None:
            found.append({"field": f"{where}.biddingZone", "problem": f"is required for {component.type} components"})
        if component.type not in SPOT_TYPES and component.price is None:
            found.append({"field": f"{where}.price", "problem": f"is required for {component.type} components"})
        if reservation and component.type not in RESERVATION_TYPES:
            found.append({
                "field": f"{where}.type",
                "problem": "a reservation element (restrictions.reservation) may contain only FLAT and TIME",
            })
    if element.restrictions is not None:
        for low, high in _RANGES:
            low_value, high_value = getattr(element.restrictions, low), getattr(element.restrictions, high)
            if low_value is not None and high_value is not None and low_value > high_value:
                problem = f"must not be less than {to_camel(low)}"
                found.append({"field": f"{path}.restrictions.{to_camel(high)}", "problem": problem})
    return found


def stored_elements(elements: list[TariffElement]) -> list[dict[str, Any]]:
    """The stored form described at the top of this module."""
    return [_decimals_as_text(element.model_dump(by_alias=True, exclude_none=True)) for element in elements]


def _decimals_as_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {key: _decimals_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals_as_text(item) for item in value]
    return value


def _price_bound(excl_vat: Decimal | None, incl_vat: Decimal | None) -> dict[str, Decimal] | None:
    if excl_vat is None:
        return None
    return {"exclVat": excl_vat, "inclVat": incl_vat} if incl_vat is not None else {"exclVat": excl_vat}


def tariff_document(tariff: Tariff) -> dict[str, Any]:
    """A stored tariff in the API's shape (without id and timestamps)."""
    return {
        "name": tariff.name,
        "externalId": tariff.external_id,
        "currency": tariff.currency,
        "common": tariff.common,
        "useType": tariff.use_type,
        "type": tariff.type,
        "tariffAltText": tariff.tariff_alt_text,
        "tariffAltUrl": tariff.tariff_alt_url,
        "minPrice": _price_bound(tariff.min_price_excl_vat, tariff.min_price_incl_vat),
        "maxPrice": _price_bound(tariff.max_price_excl_vat, tariff.max_price_incl_vat),
        "elements": tariff.elements,
        "startDateTime": tariff.start_date_time,
        "endDateTime": tariff.end_date_time,
        "tariffEnergyMix": tariff.energy_mix,
    }


def tariff_out(tariff: Tariff) -> TariffOut:
    return TariffOut.model_validate(
        {**tariff_document(tariff), "id": tariff.id, "created": tariff.created, "lastUpdated": tariff.last_updated}
    )
