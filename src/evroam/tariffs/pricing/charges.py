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

from evroam.tariffs.pricing.model import ZERO, CostField, PriceComponent

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
    time_s = parking_s = reservation_s = 0
    last_energy = last_session_time = last_reservation = None
    for charge in charges:
        dimension = charge.dimension
        if dimension == ENERGY:
            energy_kwh += charge.consumed
            last_energy = charge
        elif dimension == TIME:
            time_s += charge.consumed
            last_session_time = charge
        elif dimension == PARKING_TIME:
            parking_s += charge.consumed
            last_session_time = charge
        elif dimension == RESERVATION_TIME:
            reservation_s += charge.consumed
            last_reservation = charge
    if last_energy is not None:
        total_wh = energy_kwh * _WH_PER_KWH
        extra_wh = round_up_to_step(total_wh, last_energy.component.step_size) - total_wh
        # energy is mostly metered in whole Wh: then nothing is added, and the division can be skipped
        last_energy.extra = extra_wh / _WH_PER_KWH if extra_wh else 0
    if last_session_time is not None:
        _round_seconds(last_session_time, time_s if last_session_time.dimension == TIME else parking_s)
    if last_reservation is not None:
        _round_seconds(last_reservation, reservation_s)


def _round_seconds(last: Charge, total: int) -> None:
    last.extra = round_up_to_step(total, last.component.step_size) - total


def round_up_to_step(amount: Decimal | int, step: int) -> Decimal | int:
    """The smallest multiple of step that is >= amount; an exact multiple stays (the spec's "ceil")."""
    if step <= 0:
        return amount
    if type(amount) is int:
        return -(-amount // step) * step
    if step == 1:
        # the usual Wh step. The amount is a context result (28 digits at most), which dividing and
        # multiplying by 1 would leave as it is: only the rounding is left to do
        return amount.to_integral_value(ROUND_CEILING)
    return (amount / step).to_integral_value(ROUND_CEILING) * step
