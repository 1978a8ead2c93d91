"""Charges (what a period owes per dimension, before money) and the step_size rules of ocpi-notes §13.4.

Rounding happens once per session and per dimension family, on totals, never per period:

* ENERGY: the total billed energy, in Wh, with the step of the last ENERGY component used.
* TIME and PARKING_TIME: only the family of the last billed time-based period (charging time when
  the session ends charging or parking is free, parking time when it ends with paid parking), with
  the step of its last component. The other family is not rounded.
* Reservation TIME: its own total, with its own step.

The rounding extra is added to the last charge of the rounded pool. A step of 0 (or less) means no
rounding: OCPI has such steps on FLAT components, which are never rounded anyway.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, Decimal

from evroam.tariffs.pricing_model import ZERO, CostField, PriceComponent

ENERGY = "ENERGY"
TIME = "TIME"
PARKING_TIME = "PARKING_TIME"
RESERVATION_TIME = "RESERVATION_TIME"
FLAT = "FLAT"

_WH_PER_KWH = Decimal(1000)


class Charge:
    """A quantity one price component bills: kWh (Decimal) for ENERGY, whole seconds for time, 1 for FLAT.

    Mutable on purpose: step rounding adds `extra`, spot pricing sets `spot_price`.
    """

    __slots__ = ("dimension", "cost_field", "period_index", "start", "duration_s", "element_index", "component",
                 "consumed", "extra", "spot_price")  # fmt: skip

    def __init__(
        self,
        dimension: str,
        cost_field: CostField,
        period_index: int | None,
        start: datetime,
        duration_s: int,
        element_index: int,
        component: PriceComponent,
        consumed: Decimal | int,
    ) -> None:
        self.dimension = dimension
        self.cost_field = cost_field
        self.period_index = period_index
        self.start = start
        self.duration_s = duration_s
        self.element_index = element_index
        self.component = component
        self.consumed = consumed
        self.extra: Decimal | int = 0
        self.spot_price: Decimal | None = None


def apply_step_sizes(charges: list[Charge]) -> None:
    energy_kwh = ZERO  # summed in billing order, as Decimal sums are exact only up to 28 digits
    seconds = {TIME: 0, PARKING_TIME: 0, RESERVATION_TIME: 0}
    last: dict[str, Charge] = {}  # per dimension
    last_session_time: Charge | None = None
    for charge in charges:
        dimension = charge.dimension
        if dimension == ENERGY:
            energy_kwh += charge.consumed
        elif dimension != FLAT:
            seconds[dimension] += charge.consumed
            if dimension != RESERVATION_TIME:
                last_session_time = charge
        last[dimension] = charge
    if ENERGY in last:
        charge = last[ENERGY]
        total_wh = energy_kwh * _WH_PER_KWH
        charge.extra = (round_up_to_step(total_wh, charge.component.step_size) - total_wh) / _WH_PER_KWH
    if last_session_time is not None:
        _round_seconds(last_session_time, seconds[last_session_time.dimension])
    if RESERVATION_TIME in last:
        _round_seconds(last[RESERVATION_TIME], seconds[RESERVATION_TIME])


def _round_seconds(last: Charge, total: int) -> None:
    last.extra = round_up_to_step(total, last.component.step_size) - total


def round_up_to_step(amount: Decimal | int, step: int) -> Decimal | int:
    """The smallest multiple of step that is >= amount; an exact multiple stays (the spec's "ceil")."""
    if step <= 0:
        return amount
    if type(amount) is int:
        return -(-amount // step) * step
    return (amount / step).to_integral_value(ROUND_CEILING) * step
