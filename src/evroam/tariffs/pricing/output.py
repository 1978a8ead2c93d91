"""The JSON edge of the engine: a PricingResult as a dict `json.dumps` can write.

This is the only place floats appear. Amounts of money are rounded to 4 decimals (half up) and then
written as JSON numbers, as OCPI does; no arithmetic happens after that. Quantities and unit prices
are written as they are (a spot unit price can carry more than 4 decimals). Durations are hours, as
in OCPI CDRs; line item time quantities are whole seconds. A CDR's disagreements about its own
volumes (see cdr_statement.py) are written by warning_json, each with a sentence naming them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evroam.tariffs.pricing.cdr_statement import StatementWarning
from evroam.tariffs.pricing.model import ZERO_MONEY, CostField, LineItem, Money, PricingResult

_FOUR_DECIMALS = Decimal("0.0001")
# per dimension: unit of its quantities, what its unit price is per, and whether quantities are whole seconds
_DIMENSIONS = {"ENERGY": ("kWh", "kWh", False), "FLAT": ("fee", "fee", False), "TIME": ("s", "hour", True),
               "PARKING_TIME": ("s", "hour", True), "RESERVATION_TIME": ("s", "hour", True)}  # fmt: skip
_COST_FIELDS = {field: str(field) for field in CostField}
_TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))
_SHOWN_DECIMALS = Decimal("0.000001")  # in warnings: a millionth of an hour is under 4 ms


def pricing_result_json(result: PricingResult, period_sources: Sequence[int] | None = None) -> dict[str, Any]:
    """`period_sources` maps the engine's period indices to the caller's (a CDR's charging periods)."""
    writer = _Writer()
    money = writer.money
    # converted in this order, as a total often is the Money converted just before (see _Writer.money)
    line_item = writer.line_item
    line_items = [line_item(item, period_sources) for item in result.line_items]
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
        if money is not self._money:
            if money is ZERO_MONEY:  # most CDR cost fields: skip the rounding work
                return {"excl_vat": 0.0, "incl_vat": 0.0}
            last = self._money
            # zero is left out of the comparison, as -0 equals 0 but is written -0.0
            if not (money.excl_vat == last.excl_vat != 0 and money.incl_vat == last.incl_vat != 0):
                self._amounts = (
                    float(money.excl_vat.quantize(_FOUR_DECIMALS, ROUND_HALF_UP)),
                    float(money.incl_vat.quantize(_FOUR_DECIMALS, ROUND_HALF_UP)),
                )
            self._money = money
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
        unit, priced_per, whole_seconds = _DIMENSIONS[dimension]
        period_index = item.period_index
        if period_sources is not None and period_index is not None:
            period_index = period_sources[period_index]
        consumed, billed = item.consumed, item.billed
        if whole_seconds:
            consumed_quantity = int(consumed)
            billed_quantity = consumed_quantity if billed is consumed else int(billed)
        else:
            consumed_quantity = float(consumed)
            billed_quantity = consumed_quantity if billed is consumed else float(billed)
        vat = item.vat
        line = {
            "dimension": dimension,
            "cost_field": _COST_FIELDS[item.cost_field],
            "period_index": period_index,
            "start_date_time": self.timestamp(item.start),
            "element_index": item.element_index,
            "consumed_quantity": consumed_quantity,
            "billed_quantity": billed_quantity,
            "unit": unit,
            "unit_price": float(item.unit_price),
            "priced_per": priced_per,
            "vat": None if vat is None else float(vat),
            "cost": self.money(item.cost),
        }
        if item.spot_price is not None:
            line["spot_price"] = float(item.spot_price)
        return line


def warning_json(warning: StatementWarning) -> dict[str, Any]:
    """A disagreement between a CDR's statements of a volume, with a sentence saying it."""
    stated, implied = _shown(warning.stated), _shown(warning.implied)
    unit = warning.unit
    if warning.implied_by != "start times":
        says = f"the {warning.implied_by} add up to"
    else:
        says = "the start times imply" if warning.period_index is None else "its start times imply"
    return {
        "source": warning.source,
        "period_index": warning.period_index,
        "dimension": warning.dimension,
        "stated": float(stated),
        "implied": float(implied),
        "implied_by": warning.implied_by,
        "unit": unit,
        "message": f"{warning.source} states {warning.dimension} {stated} {unit}, {says} {implied} {unit}",
    }


def _shown(value: Decimal) -> Decimal:
    """Up to 6 decimals, without trailing zeros: 1.973, not 1.973000."""
    shown = value.quantize(_SHOWN_DECIMALS, ROUND_HALF_UP).normalize()
    return shown.quantize(1) if shown == shown.to_integral_value() else shown
