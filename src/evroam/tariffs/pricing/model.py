"""The pricing engine's vocabulary: a normalised tariff, a session's periods and the priced result.

Money, prices and energy are `Decimal`; durations are whole seconds. A tariff from any source
(OCPI 2.2.1, OCPI 2.1.1, evroam's own shape) becomes the same `Tariff`, so the engine knows one
shape only.

The tariff's values and `Money` are immutable: a parsed tariff is shared by every call that prices
the same tariff content (see pricing_tariff_cache.py), and ZERO_MONEY by every result. What a call
builds afresh, SessionPeriod, LineItem and PricingResult, is not frozen: a frozen dataclass takes
about five times as long to build, and pricing builds these per period and per line item. The frozen
ones get a faster __init__ (see _slot_setting_init), as a tariff not seen before is parsed per call.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

ZERO = Decimal(0)
_SECONDS_PER_DAY = 86_400
_HALF_SECOND_US = 500_000
_Frozen = TypeVar("_Frozen", bound=type)


def _slot_setting_init(cls: _Frozen) -> _Frozen:
    """Gives a frozen slots dataclass an __init__ that sets each slot through its member descriptor.

    The dataclass's own __init__ gets past the frozen __setattr__ with object.__setattr__, which takes
    almost twice as long. Same parameters and defaults; the instances stay frozen (only __init__ is
    new). The function is written out, as dataclasses writes its own: a loop over the fields would
    cost more than it saves.
    """
    names = [field.name for field in fields(cls)]
    namespace = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    exec(f"def __init__(self, {', '.join(names)}):\n{body}", namespace)  # built from the field names only
    init = namespace["__init__"]
    init.__defaults__ = cls.__init__.__defaults__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    return cls


class Dimension(StrEnum):
    """What a price component prices in a session. Spot components price ENERGY."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"


class PeriodState(StrEnum):
    RESERVATION = "RESERVATION"
    CHARGING = "CHARGING"
    PARKING = "PARKING"  # plugged in, the EV not requesting power


class ReservationRestriction(StrEnum):
    RESERVATION = "RESERVATION"  # any reservation
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"  # only one that expired unused


class CostField(StrEnum):
    """The CDR total a line item adds to."""

    ENERGY = "total_energy_cost"
    TIME = "total_time_cost"
    PARKING = "total_parking_cost"
    FIXED = "total_fixed_cost"
    RESERVATION = "total_reservation_cost"


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class Money:
    excl_vat: Decimal
    incl_vat: Decimal


ZERO_MONEY = Money(ZERO, ZERO)

_new_object = object.__new__
_set_excl_vat, _set_incl_vat = Money.excl_vat.__set__, Money.incl_vat.__set__


def money(excl_vat: Decimal, incl_vat: Decimal) -> Money:
    """`Money(excl_vat, incl_vat)`, for the engine's per line item path: the frozen dataclass's
    __init__ sets each field through object.__setattr__, which takes twice as long."""
    value = _new_object(Money)
    _set_excl_vat(value, excl_vat)
    _set_incl_vat(value, incl_vat)
    return value


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class PriceLimit:
    """A tariff's min_price or max_price; OCPI makes `incl_vat` optional."""

    excl_vat: Decimal
    incl_vat: Decimal | None


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class SpotRule:
    """How an ENERGY_SPOT / ENERGY_SPOT_LOCKED component turns a spot price into a price per kWh."""

    bidding_zone: str
    locked: bool  # True: the spot price at session start holds for the whole session
    price_cap: Decimal | None
    cost_percentage: Decimal  # share of the spot price above the cap that is passed on
    margin: Decimal  # added per kWh
    margin_percentage: Decimal


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class PriceComponent:
    dimension: Dimension
    price: Decimal  # excl. VAT, per kWh / per hour / per session; not used when `spot` is set
    vat: Decimal | None  # percentage; None means no VAT applies (unlike 0)
    step_size: int  # Wh for ENERGY, seconds for time; 0 means no rounding
    spot: SpotRule | None = None


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class Restrictions:
    """When an element is active. Clock times and dates are local to the location; None = no limit."""

    start_time: time | None = None  # inclusive
    end_time: time | None = None  # exclusive; 00:00 means the end of the day
    start_date: date | None = None  # inclusive
    end_date: date | None = None  # exclusive
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None  # A
    max_current: Decimal | None = None
    min_power: Decimal | None = None  # kW
    max_power: Decimal | None = None
    min_duration: int | None = None  # seconds since the charging session started
    max_duration: int | None = None
    weekdays: frozenset[int] | None = None  # date.weekday() numbers: Monday = 0
    reservation: ReservationRestriction | None = None


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class TariffElement:
    components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None = None


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class Tariff:
    """A tariff as the engine sees it. Monthly components (MONTHLY_FLAT, SOCKET_COUNT,
    CHARGER_COUNT) are not session prices and are left out when parsing."""

    currency: str
    elements: tuple[TariffElement, ...]
    min_price: PriceLimit | None = None
    max_price: PriceLimit | None = None
    id: str | None = None


@dataclass(slots=True)
class SessionPeriod:
    """A stretch of a session during which the active price components cannot change.

    Periods are given in order (reservation first, then charging and parking), usually back to back;
    the engine evaluates restrictions at `start`, min/max_duration by the time from the charging
    session's first start. A CDR period may bill other volumes than its length by the start times
    (see cdr_statement.py): the start still places it. Current and power are what the period saw (lowest and
    highest), when known. From a CDR, pricing_cdr.read_cdr builds them; for a quote described by its
    totals, pricing_quote.described_session_periods does.
    """

    state: PeriodState
    start: datetime  # timezone-aware
    duration_s: int
    energy_kwh: Decimal = ZERO
    min_current_a: Decimal | None = None
    max_current_a: Decimal | None = None
    min_power_kw: Decimal | None = None
    max_power_kw: Decimal | None = None


def whole_seconds(span: timedelta) -> int:
    """The span to the whole second, half up."""
    # from its fields: dividing by a timedelta first converts both to microseconds, which costs more
    return span.days * _SECONDS_PER_DAY + span.seconds + (span.microseconds >= _HALF_SECOND_US)


@dataclass(slots=True)
class LineItem:
    """One priced amount, explaining a part of the result.

    Quantities are kWh for ENERGY, seconds for TIME, PARKING_TIME and RESERVATION_TIME, 1 for FLAT;
    `unit_price` is per kWh, per hour, or per fee. `billed` includes any step_size rounding extra.
    """

    dimension: str  # ENERGY, TIME, PARKING_TIME, RESERVATION_TIME or FLAT
    cost_field: CostField
    period_index: int | None  # None for FLAT fees
    start: datetime
    element_index: int
    consumed: Decimal
    billed: Decimal
    unit_price: Decimal
    vat: Decimal | None
    cost: Money
    spot_price: Decimal | None = None  # the market price a spot component started from


@dataclass(slots=True)
class PricingResult:
    """CDR cost fields. Per-dimension totals are never capped: only `total_cost` is clamped."""

    total_cost: Money
    total_cost_before_limits: Money
    total_energy_cost: Money
    total_time_cost: Money
    total_parking_cost: Money
    total_fixed_cost: Money
    total_reservation_cost: Money
    total_energy_kwh: Decimal
    total_time_s: int  # charging and parking, without reservation
    total_parking_time_s: int
    total_reservation_time_s: int
    line_items: tuple[LineItem, ...]
