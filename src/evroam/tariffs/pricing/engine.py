"""The tariff pricing engine: (tariff, session periods, time zone, spot prices) -> CDR costs.

Pure: no I/O, no framework. `price_session` works on the normalised model; `price_cdr` is the JSON
contract for OCPI documents. The rules are ocpi-notes §13 and §16:

* Per dimension, the active component is the first element (in list order) holding that dimension
  whose restrictions all hold at the period's start, in the location's time zone. A dimension
  without one is free.
* Charging periods price ENERGY and TIME, parking periods PARKING_TIME (and ENERGY, should a
  parking period report any), reservation periods TIME from reservation elements only. Elements
  with a `reservation` restriction apply only to reservation time, and for an expired reservation
  (a session of reservation periods only) RESERVATION_EXPIRES elements come first.
* FLAT is billed once per phase, chosen at its start: once for the charging session, once for the
  reservation.
* step_size: see pricing_charges.py. Costs are quantity x price per component, incl. VAT per
  component (no `vat` means no VAT applies).
* min_price / max_price clamp `total_cost`, excl. and incl. VAT independently (§13.5). Decision
  (§16.3): the per-dimension totals are reported uncapped, so after a clamp they no longer add up to
  `total_cost`; `total_cost_before_limits` is their sum. When a limit has no `incl_vat` (optional in
  OCPI), the incl. VAT side is clamped at the excl. limit times the session's own incl/excl ratio.
* Money stays exact (`Decimal`, no rounding) until output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from evroam.tariffs.pricing.cdr import read_cdr
from evroam.tariffs.pricing.charges import (
    ENERGY,
    FLAT,
    PARKING_TIME,
    RESERVATION_TIME,
    TIME,
    Charge,
    apply_step_sizes,
)
from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.model import (
    ZERO,
    ZERO_MONEY,
    CostField,
    LineItem,
    Money,
    PeriodState,
    PriceLimit,
    PricingResult,
    SessionPeriod,
    Tariff,
    money,
    whole_seconds,
)
from evroam.tariffs.pricing.output import pricing_result_json, warning_json
from evroam.tariffs.pricing.plan import Candidates, TariffPlan
from evroam.tariffs.pricing.spot import price_spot_charges, spot_unit_price
from evroam.tariffs.pricing.tariff_cache import plan_of, tariff_plan
from evroam.tariffs.pricing.time_zones import zone_named
from evroam.tariffs.pricing.spot_prices import SpotPriceSource

_SECONDS_PER_HOUR = Decimal(3600)
_HUNDRED = Decimal(100)
_CHARGING = PeriodState.CHARGING
_RESERVATION = PeriodState.RESERVATION

# enum members as module constants: looking them up on the enum class is slow in hot loops
_ENERGY_COST, _TIME_COST, _PARKING_COST = CostField.ENERGY, CostField.TIME, CostField.PARKING
_FIXED_COST, _RESERVATION_COST = CostField.FIXED, CostField.RESERVATION


def price_cdr(
    tariff: Mapping[str, Any],
    cdr: Mapping[str, Any],
    time_zone: str | None = None,
    *,
    spot_prices: SpotPriceSource | None = None,
) -> dict[str, Any]:
    """Price an OCPI CDR (2.2.1, or 2.1.1 field names) under an OCPI 2.2.1 / 2.1.1 or evroam tariff.

    The time zone is `time_zone`, else the CDR location's `time_zone`, else the zone of its country
    (see pricing_time_zones.py). Returns the CDR cost fields, `total_energy`, `total_time`,
    `total_parking_time`, `line_items` and `warnings` as JSON-ready values (see pricing_output.py).
    Each period bills the volumes the CDR states for it, what no period states comes from the CDR's
    totals, and `warnings` lists where the periods' volumes, their start times and the totals
    disagree by more than rounding (see cdr_statement.py).
    Raises PricingInputError for bad input and MissingSpotPriceError for an unknown spot price.
    A tariff is parsed once per content (see pricing_tariff_cache.py).
    """
    try:
        plan = tariff_plan(tariff)
    except PricingInputError as error:
        raise error.within("tariff") from None
    parsed = plan.tariff
    session = read_cdr(cdr, time_zone)
    if session.currency is not None and session.currency != parsed.currency:
        raise PricingInputError("currency", f"the CDR is in {session.currency} but the tariff in {parsed.currency}")
    if parsed.id is not None:
        for index, tariff_id in session.tariff_ids:
            if tariff_id != parsed.id:
                raise PricingInputError(
                    f"charging_periods[{index}].tariff_id", f"{tariff_id!r} is not the tariff given ({parsed.id!r})"
                )
    result = _price(plan, session.periods, session.time_zone, spot_prices)
    priced = pricing_result_json(result, session.sources)
    priced["warnings"] = [warning_json(warning) for warning in session.warnings]
    return priced


def price_session(
    tariff: Tariff,
    periods: Sequence[SessionPeriod],
    time_zone: tzinfo | str,
    *,
    spot_prices: SpotPriceSource | None = None,
) -> PricingResult:
    """Price a session given as periods in order, back to back (see SessionPeriod).

    A session whose periods are all reservation periods is a reservation that expired unused.
    """
    zone = zone_named(time_zone, "time_zone") if isinstance(time_zone, str) else time_zone
    return _price(plan_of(tariff), periods, zone, spot_prices)


def _price(
    plan: TariffPlan, periods: Sequence[SessionPeriod], zone: tzinfo, spot_prices: SpotPriceSource | None
) -> PricingResult:
    walk = _walk(plan, periods, zone)
    charges = walk.charges
    if plan.has_spot:
        charges = price_spot_charges(charges, spot_prices, plan.tariff.currency, walk.start)
    apply_step_sizes(charges)
    return _result(charges, plan.tariff, walk)


class _Walk:
    """What walking a session's periods found: the charges the active components bill, and the totals."""

    __slots__ = ("charges", "start", "energy_kwh", "session_s", "parking_s", "reservation_s")

    def __init__(self, charges: list[Charge], start: datetime | None, energy_kwh: Decimal, session_s: int,
                 parking_s: int, reservation_s: int) -> None:  # fmt: skip
        self.charges = charges
        self.start = start  # of the charging session
        self.energy_kwh = energy_kwh
        self.session_s = session_s  # charging and parking
        self.parking_s = parking_s
        self.reservation_s = reservation_s


def _walk(plan: TariffPlan, periods: Sequence[SessionPeriod], zone: tzinfo) -> _Walk:
    # reservation periods come first, so a session ending in one never got to charge
    expired = bool(periods) and periods[-1].state is _RESERVATION
    reservation_time = plan.expired_time if expired else plan.reservation_time
    reservation_flat = plan.expired_flat if expired else plan.reservation_flat
    energy, time, parking, local_time, elapsed_time = plan.energy, plan.time, plan.parking, plan.local_time, \
        plan.elapsed_time  # fmt: skip
    charges: list[Charge] = []
    start = None
    energy_kwh = ZERO
    session_s = parking_s = reservation_s = 0
    for index, period in enumerate(periods):
        moment, duration_s, period_kwh, state = period.start, period.duration_s, period.energy_kwh, period.state
        # ZERO, not 0: comparing a Decimal with an int converts the int first, per period
        if moment.tzinfo is None or duration_s < 0 or period_kwh < ZERO:
            raise PricingInputError(f"periods[{index}]", "start must carry a time zone, duration and energy not be negative")
        # the local time is costly to work out: only when a restriction may ask for it
        local = moment.astimezone(zone) if local_time else None
        if state is _RESERVATION:
            if start is not None:
                raise PricingInputError(f"periods[{index}].state", "a reservation cannot follow the charging session")
            if index == 0 and reservation_flat:
                _bill(charges, reservation_flat, period, None, FLAT, _RESERVATION_COST, 1, local, ZERO, reservation_s)
            if reservation_time:
                _bill(charges, reservation_time, period, index, RESERVATION_TIME, _RESERVATION_COST, duration_s, local,
                      ZERO, reservation_s)  # fmt: skip
            reservation_s += duration_s
            continue
        if start is None:
            start = moment
            if plan.session_flat:
                _bill(charges, plan.session_flat, period, None, FLAT, _FIXED_COST, 1, local, energy_kwh, session_s)
        # by the start times, which place a period even where it bills less or more than its length
        elapsed_s = whole_seconds(moment - start) if elapsed_time else session_s
        if energy and (state is _CHARGING or period_kwh):
            _bill(charges, energy, period, index, ENERGY, _ENERGY_COST, period_kwh, local, energy_kwh, elapsed_s)
        if state is _CHARGING:
            if time:
                _bill(charges, time, period, index, TIME, _TIME_COST, duration_s, local, energy_kwh, elapsed_s)
        else:
            if parking:
                _bill(charges, parking, period, index, PARKING_TIME, _PARKING_COST, duration_s, local, energy_kwh,
                      elapsed_s)  # fmt: skip
            parking_s += duration_s
        energy_kwh += period_kwh
        session_s += duration_s
    return _Walk(charges, start, energy_kwh, session_s, parking_s, reservation_s)


def _bill(
    charges: list[Charge],
    candidates: Candidates,
    period: SessionPeriod,
    period_index: int | None,
    dimension: str,
    cost_field: CostField,
    quantity: Decimal | int,
    local: datetime | None,
    energy_before: Decimal,
    elapsed_s: int,
) -> None:
    """Bills `quantity` with the first candidate whose restrictions hold as the period starts, if any."""
    for element_index, check, component in candidates:
        if check is None or check(local, energy_before, elapsed_s, period):
            duration_s = 0 if period_index is None else period.duration_s
            charges.append(Charge(dimension, cost_field, period_index, period.start, duration_s, element_index,
                                  component, quantity))  # fmt: skip
            return


def _result(charges: list[Charge], tariff: Tariff, session: _Walk) -> PricingResult:
    line_items = tuple(map(_line_item, charges))
    # per cost field: the Money of its only line item, or [excl, incl] sums once it has several
    by_field: dict[CostField, Money | list[Decimal]] = {}
    for item in line_items:
        field = item.cost_field
        cost = item.cost
        so_far = by_field.get(field)
        if so_far is None:
            # as a sum starting at 0 would, a negative zero counts as 0
            by_field[field] = cost if cost.excl_vat and cost.incl_vat else money(ZERO + cost.excl_vat,
                                                                                 ZERO + cost.incl_vat)  # fmt: skip
        elif type(so_far) is list:
            so_far[0] += cost.excl_vat
            so_far[1] += cost.incl_vat
        else:
            by_field[field] = [so_far.excl_vat + cost.excl_vat, so_far.incl_vat + cost.incl_vat]
    # a total of one term is that term's own Money: the output then converts it only once
    for field, total in by_field.items():
        if type(total) is list:
            by_field[field] = money(*total)
    totals = by_field.values()
    if len(totals) == 1:
        (before_limits,) = totals
    else:
        before_limits = money(sum([total.excl_vat for total in totals], ZERO),
                              sum([total.incl_vat for total in totals], ZERO))  # fmt: skip
    min_price, max_price = tariff.min_price, tariff.max_price
    total = before_limits
    if min_price is not None or max_price is not None:
        total = _within_price_limits(before_limits, min_price, max_price)
    get = by_field.get
    return PricingResult(
        total,
        before_limits,
        get(_ENERGY_COST, ZERO_MONEY),
        get(_TIME_COST, ZERO_MONEY),
        get(_PARKING_COST, ZERO_MONEY),
        get(_FIXED_COST, ZERO_MONEY),
        get(_RESERVATION_COST, ZERO_MONEY),
        session.energy_kwh,
        session.session_s,
        session.parking_s,
        session.reservation_s,
        line_items,
    )


def _line_item(charge: Charge) -> LineItem:
    component = charge.component
    consumed = charge.consumed
    if type(consumed) is not Decimal:
        consumed = Decimal(consumed)
    extra = charge.extra
    billed = consumed + extra if extra else consumed
    unit_price = component.price if component.spot is None else spot_unit_price(component.spot, charge.spot_price)
    dimension = charge.dimension
    if dimension == FLAT:
        excl_vat = unit_price
    elif dimension == ENERGY:
        excl_vat = billed * unit_price
    else:
        excl_vat = billed * unit_price / _SECONDS_PER_HOUR
    vat = component.vat
    incl_vat = excl_vat if vat is None else excl_vat * (_HUNDRED + vat) / _HUNDRED
    # positional, in field order: keyword arguments cost time in the per-item hot path
    return LineItem(
        dimension,
        charge.cost_field,
        charge.period_index,
        charge.start,
        charge.element_index,
        consumed,
        billed,
        unit_price,
        vat,
        money(excl_vat, incl_vat),
        charge.spot_price,
    )


def _within_price_limits(total: Money, min_price: PriceLimit | None, max_price: PriceLimit | None) -> Money:
    excl_vat, incl_vat = total.excl_vat, total.incl_vat
    if min_price is not None:
        excl_vat = max(excl_vat, min_price.excl_vat)
        incl_vat = max(incl_vat, _incl_vat_limit(min_price, total))
    if max_price is not None:
        excl_vat = min(excl_vat, max_price.excl_vat)
        incl_vat = min(incl_vat, _incl_vat_limit(max_price, total))
    return total if (excl_vat, incl_vat) == (total.excl_vat, total.incl_vat) else Money(excl_vat, incl_vat)


def _incl_vat_limit(limit: PriceLimit, total: Money) -> Decimal:
    if limit.incl_vat is not None:
        return limit.incl_vat
    if total.excl_vat:
        return limit.excl_vat * total.incl_vat / total.excl_vat
    return limit.excl_vat
