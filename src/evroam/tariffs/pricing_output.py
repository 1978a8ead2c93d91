"""The JSON edge of the engine: a PricingResult as a dict `json.dumps` can write.

This is the only place floats appear. Amounts of money are rounded to 4 decimals (half up) and then
written as JSON numbers, as OCPI does; no arithmetic happens after that. Quantities and unit prices
are written as they are (a spot unit price can carry more than 4 decimals). Durations are hours, as
in OCPI CDRs; line item time quantities are whole seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evroam.tariffs.pricing_model import ZERO_MONEY, LineItem, Money, PricingResult

_FOUR_DECIMALS = Decimal("0.0001")
_UNITS = {"ENERGY": "kWh", "FLAT": "fee", "TIME": "s", "PARKING_TIME": "s", "RESERVATION_TIME": "s"}
_PRICED_PER = {"ENERGY": "kWh", "FLAT": "fee", "TIME": "hour", "PARKING_TIME": "hour", "RESERVATION_TIME": "hour"}
_TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))


def pricing_result_json(result: PricingResult, period_sources: Sequence[int] | None = None) -> dict[str, Any]:
    """`period_sources` maps the engine's period indices to the caller's (a CDR's charging periods)."""
    writer = _Writer()
    money = writer.money
    # converted in this order, as a total often equals what was converted just before (see _Writer.money)
    line_items = [writer.line_item(item, period_sources) for item in result.line_items]
    energy_cost = money(result.total_energy_cost)
    time_cost = money(result.total_time_cost)
    parking_cost = money(result.total_parking_cost)
    reservation_cost = money(result.total_reservation_cost)
    fixed_cost = money(result.total_fixed_cost)
    before_limits = money(result.total_cost_before_limits)
    return {
        "total_cost": money(result.total_cost),
        "total_fixed_cost": fixed_cost,
        "total_energy": float(result.total_energy_kwh),
        "total_energy_cost": energy_cost,
        "total_time": result.total_time_s / 3600,
        "total_time_cost": time_cost,
        "total_parking_time": result.total_parking_time_s / 3600,
        "total_parking_cost": parking_cost,
        "total_reservation_cost": reservation_cost,
        "total_cost_before_limits": before_limits,
        "line_items": line_items,
    }


class _Writer:
    """Writes one result. Rounding a Decimal and turning it into a float is the costly part of the
    output, so a value equal to the one written just before reuses its floats (a total made of one
    line item, an unclamped total_cost), as does a line item starting when the one before did."""

    __slots__ = ("_money", "_amounts", "_start", "_timestamp")

    def __init__(self) -> None:
        self._money = ZERO_MONEY
        self._amounts = (0.0, 0.0)
        self._start: datetime | None = None
        self._timestamp = ""

    def money(self, money: Money) -> dict[str, float]:
        if money is ZERO_MONEY:  # most CDR cost fields: skip the rounding work
            return {"excl_vat": 0.0, "incl_vat": 0.0}
        last = self._money
        # zero is left out of the comparison, as -0 equals 0 but is written -0.0
        if money is not last and not (money.excl_vat == last.excl_vat != 0 and money.incl_vat == last.incl_vat != 0):
            self._money = money
            self._amounts = (
                float(money.excl_vat.quantize(_FOUR_DECIMALS, ROUND_HALF_UP)),
                float(money.incl_vat.quantize(_FOUR_DECIMALS, ROUND_HALF_UP)),
            )
        excl_vat, incl_vat = self._amounts
        return {"excl_vat": excl_vat, "incl_vat": incl_vat}

    def timestamp(self, moment: datetime) -> str:
        if moment is not self._start:
            utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
            self._start = moment
            if utc.microsecond or utc.year < 1000:
                self._timestamp = utc.isoformat().replace("+00:00", "Z")
            else:  # what isoformat writes, in under half the time
                d = _TWO_DIGITS
                self._timestamp = f"{utc.year}-{d[utc.month]}-{d[utc.day]}T{d[utc.hour]}:{d[utc.minute]}:{d[utc.second]}Z"
        return self._timestamp

    def line_item(self, item: LineItem, period_sources: Sequence[int] | None) -> dict[str, Any]:
        dimension = item.dimension
        unit = _UNITS[dimension]
        time_based = unit == "s"
        period_index = item.period_index
        if period_sources is not None and period_index is not None:
            period_index = period_sources[period_index]
        vat = item.vat
        line = {
            "dimension": dimension,
            "cost_field": str(item.cost_field),
            "period_index": period_index,
            "start_date_time": self.timestamp(item.start),
            "element_index": item.element_index,
            "consumed_quantity": int(item.consumed) if time_based else float(item.consumed),
            "billed_quantity": int(item.billed) if time_based else float(item.billed),
            "unit": unit,
            "unit_price": float(item.unit_price),
            "priced_per": _PRICED_PER[dimension],
            "vat": None if vat is None else float(vat),
            "cost": self.money(item.cost),
        }
        if item.spot_price is not None:
            line["spot_price"] = float(item.spot_price)
        return line
