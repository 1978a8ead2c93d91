"""Normalising a tariff from JSON into the engine's `Tariff`.

Three inputs share one reader, because they differ only in spelling and in what may appear:

* OCPI 2.2.1 (snake_case).
* OCPI 2.1.1, a subset of 2.2.1 with the same meaning for every field it has: no `vat` (so prices
  carry no VAT, incl = excl), no min/max_price, no current or reservation restrictions.
* evroam's own shape (camelCase, as in GET integration details), which adds the spot components
  ENERGY_SPOT / ENERGY_SPOT_LOCKED with `biddingZone`, `priceCap`, `costPercentage`, `margin` and
  `marginPercentage`, and the monthly components MONTHLY_FLAT, SOCKET_COUNT and CHARGER_COUNT.
  Component types may also be the platform's v1 integers 0-8.

Decisions: monthly components are dropped (they are never part of a session's cost); `price` is
ignored on spot components and the spot fields are ignored on fixed-price components (their price is
already final); JSON `null` means absent; an absent step_size means 1 (OCPI 3.0 drops step_size and
asks 2.2.1 parties to send 1); an empty day_of_week list means no day restriction; a window whose
start equals its end covers the whole day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evroam.tariffs.pricing.component_types import V1_COMPONENT_TYPES
from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.input import (
    json_object,
    number,
    object_list,
    optional_object,
    text,
    to_date,
    to_decimal,
    to_end_clock_time,
    to_clock_time,
    to_non_negative,
    to_text,
    to_whole_number,
)
from evroam.tariffs.pricing.model import (
    ZERO,
    Dimension,
    PriceComponent,
    PriceLimit,
    ReservationRestriction,
    Restrictions,
    SpotRule,
    Tariff,
    TariffElement,
)

_WEEKDAYS = {"MONDAY": 0, "TUESDAY": 1, "WEDNESDAY": 2, "THURSDAY": 3, "FRIDAY": 4, "SATURDAY": 5, "SUNDAY": 6}

# (dimension, spot) per component type: spot is None for fixed prices, else "locked at session
# start?"; dimension None marks a monthly component.
_Kind = tuple[Dimension | None, bool | None]
_OCPI_KINDS: dict[Any, _Kind] = {
    "ENERGY": (Dimension.ENERGY, None),
    "FLAT": (Dimension.FLAT, None),
    "TIME": (Dimension.TIME, None),
    "PARKING_TIME": (Dimension.PARKING_TIME, None),
}
_EVROAM_NAMED_KINDS: dict[Any, _Kind] = {
    **_OCPI_KINDS,
    "ENERGY_SPOT": (Dimension.ENERGY, False),
    "ENERGY_SPOT_LOCKED": (Dimension.ENERGY, True),
    "MONTHLY_FLAT": (None, None),
    "SOCKET_COUNT": (None, None),
    "CHARGER_COUNT": (None, None),
}
_EVROAM_KINDS = {
    **_EVROAM_NAMED_KINDS,
    **{code: _EVROAM_NAMED_KINDS[name] for code, name in enumerate(V1_COMPONENT_TYPES)},
}
_KIND_KEY_TYPES = (str, int)  # exactly: True or 1.0 would find the v1 code 1


def _weekdays(days: Any, field: str) -> frozenset[int] | None:
    if type(days) is not list or not all(type(day) is str and day in _WEEKDAYS for day in days):
        raise PricingInputError(field, "not a list of MONDAY ... SUNDAY")
    return frozenset(_WEEKDAYS[day] for day in days) or None  # an empty list restricts nothing


def _reservation(value: Any, field: str) -> ReservationRestriction:
    if type(value) is not str or value not in _RESERVATIONS:
        raise PricingInputError(field, "not RESERVATION or RESERVATION_EXPIRES")
    return ReservationRestriction(value)


_RESERVATIONS = frozenset(ReservationRestriction.__members__)

# Restrictions field -> reader of its JSON value. Only the keys a tariff actually has are read.
_RESTRICTION_READERS = {
    "start_time": to_clock_time,
    "end_time": to_end_clock_time,
    "start_date": to_date,
    "end_date": to_date,
    "min_kwh": to_non_negative,
    "max_kwh": to_non_negative,
    "min_current": to_non_negative,
    "max_current": to_non_negative,
    "min_power": to_non_negative,
    "max_power": to_non_negative,
    "min_duration": to_whole_number,
    "max_duration": to_whole_number,
    "weekdays": _weekdays,
    "reservation": _reservation,
}
_OCPI_RESTRICTION_KEYS = {
    **{name: name for name in _RESTRICTION_READERS if name != "weekdays"},
    "day_of_week": "weekdays",
}

_KEY_NAMES = ("price_components", "step_size", "min_price", "max_price", "excl_vat", "incl_vat", "bidding_zone",
              "price_cap", "cost_percentage", "margin_percentage")  # fmt: skip


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


@dataclass(frozen=True, slots=True)
class _Shape:
    keys: dict[str, str]  # OCPI field name -> this shape's spelling
    kinds: dict[Any, _Kind]
    restriction_fields: dict[str, str]  # this shape's restriction key -> Restrictions field


_OCPI = _Shape({name: name for name in _KEY_NAMES}, _OCPI_KINDS, _OCPI_RESTRICTION_KEYS)
_EVROAM = _Shape(
    {name: _camel(name) for name in _KEY_NAMES},
    _EVROAM_KINDS,
    {_camel(key): field for key, field in _OCPI_RESTRICTION_KEYS.items()},
)


def parse_tariff(data: Mapping[str, Any]) -> Tariff:
    """An OCPI 2.2.1 / 2.1.1 tariff or an evroam tariff, told apart by how elements spell their components."""
    # JSON objects are dicts (json.loads): `type(...) is dict` spares them the costlier Mapping check
    data = data if type(data) is dict else json_object(data, "")
    elements = object_list(data, "elements")
    first = elements[0]
    is_evroam = (type(first) is dict or isinstance(first, Mapping)) and "priceComponents" in first
    shape = _EVROAM if is_evroam else _OCPI
    keys = shape.keys
    currency = to_text(data.get("currency"), "currency")
    parsed = []
    for index, item in enumerate(elements):
        try:
            parsed.append(_element(item if type(item) is dict else json_object(item, ""), shape))
        except PricingInputError as error:
            raise error.within(f"elements[{index}]") from None
    min_price, max_price = _price_limits(data, keys)
    tariff_id = data.get("id")
    return Tariff(currency, tuple(parsed), min_price, max_price, None if tariff_id is None else str(tariff_id))


def _element(element: Mapping[str, Any], shape: _Shape) -> TariffElement:
    components_key = shape.keys["price_components"]
    components = []
    for position, raw in enumerate(object_list(element, components_key)):
        try:
            component = _component(raw if type(raw) is dict else json_object(raw, ""), shape)
        except PricingInputError as error:
            raise error.within(f"{components_key}[{position}]") from None
        if component is not None:
            components.append(component)
    raw_restrictions = optional_object(element, "restrictions")
    restrictions = None if raw_restrictions is None else _restrictions(raw_restrictions, shape.restriction_fields)
    return TariffElement(tuple(components), restrictions)


def _component(data: Mapping[str, Any], shape: _Shape) -> PriceComponent | None:
    raw_type = data.get("type")
    kind = shape.kinds.get(raw_type) if type(raw_type) in _KIND_KEY_TYPES else None
    if kind is None:
        raise PricingInputError("type", "required" if raw_type is None else "not a known price component type")
    dimension, locked = kind
    if dimension is None:
        return None  # monthly: billed to the operator's customer per month, never per session
    keys = shape.keys
    step_size = data.get(keys["step_size"])
    step_size = 1 if step_size is None else to_whole_number(step_size, keys["step_size"])
    vat = data.get("vat")
    vat = None if vat is None else to_non_negative(vat, "vat")
    if locked is None:
        return PriceComponent(dimension, to_non_negative(data.get("price"), "price"), vat, step_size)
    spot = SpotRule(
        bidding_zone=text(data, keys["bidding_zone"]),
        locked=locked,
        price_cap=_optional(data, keys["price_cap"], to_decimal),
        cost_percentage=_optional(data, keys["cost_percentage"], to_non_negative) or ZERO,
        margin=_optional(data, "margin", to_decimal) or ZERO,
        margin_percentage=_optional(data, keys["margin_percentage"], to_decimal) or ZERO,
    )
    return PriceComponent(dimension, ZERO, vat, step_size, spot)


def spot_rule(component: Mapping[str, Any]) -> SpotRule:
    """The pricing rule of a spot component of evroam's own shape (as tariffs are stored)."""
    parsed = _component(component, _EVROAM)
    if parsed is None or parsed.spot is None:
        raise PricingInputError("type", "not a spot component")
    return parsed.spot


def _optional(data: Mapping[str, Any], key: str, read: Callable[[Any, str], Decimal]) -> Decimal | None:
    value = data.get(key)
    return None if value is None else read(value, key)


def _restrictions(data: Mapping[str, Any], fields: dict[str, str]) -> Restrictions | None:
    values = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is not None and value is not None:
            try:
                parsed = _RESTRICTION_READERS[field](value, key)
            except PricingInputError as error:
                raise error.within("restrictions") from None
            if parsed is not None:  # an empty day_of_week list restricts nothing
                values[field] = parsed
    return Restrictions(**values) if values else None


def _price_limits(data: Mapping[str, Any], keys: dict[str, str]) -> tuple[PriceLimit | None, PriceLimit | None]:
    min_key, max_key = keys["min_price"], keys["max_price"]
    if data.get(min_key) is None and data.get(max_key) is None:  # most tariffs have neither
        return None, None
    return _price_limit(data, min_key, keys), _price_limit(data, max_key, keys)


def _price_limit(data: Mapping[str, Any], key: str, keys: dict[str, str]) -> PriceLimit | None:
    limit = optional_object(data, key)
    if limit is None:
        return None
    try:
        return PriceLimit(number(limit, keys["excl_vat"]), _optional(limit, keys["incl_vat"], to_decimal))
    except PricingInputError as error:
        raise error.within(key) from None
