"""Request and response shapes of POST /tariffs/{tariffId}/quote.

A quote describes a session by its totals: when it starts, how long it reserves, charges and parks,
how much energy it takes, and where (for the time zone restrictions are read in). The answer is the
engine's result (pricing_output.py) in camelCase: money rounded to 4 decimals, totals of time in
hours as in OCPI CDRs, line item time quantities in seconds; `totalCostBeforeLimits` only when
minPrice or maxPrice changed the total.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic.alias_generators import to_camel

from evroam.api.schemas import CamelModel, Instant, RequestModel
from evroam.network.common_schemas import EXCL_VAT, INCL_VAT, TimeZoneName
from evroam.tariffs.pricing.model import PricingResult, SessionPeriod
from evroam.tariffs.pricing.output import pricing_result_json
from evroam.tariffs.schemas import MAX_INT, Quantity, UtcTimestamp

MAX_MINUTES = 31 * 24 * 60  # a month: a longer session is no roaming session
Minutes = Annotated[Decimal, Field(ge=0, le=MAX_MINUTES, max_digits=10, decimal_places=4)]
# Reservation, charging and parking of a month each, and a day for the local time: still in the calendar.
LATEST_START = datetime(9999, 12, 31, tzinfo=UTC) - timedelta(minutes=3 * MAX_MINUTES, days=1)


def _session_fits_the_calendar(start: datetime) -> datetime:
    if start > LATEST_START:
        raise ValueError(f"must be before {LATEST_START.date().isoformat()}, so that the session ends within the calendar")
    return start


class QuoteRequest(RequestModel):
    start: Annotated[Instant, AfterValidator(_session_fits_the_calendar), Field(description="RFC 3339 with offset: when the session (or reservation) starts")]
    charging_minutes: Annotated[Minutes | None, Field(description="Minutes charging")] = None
    duration_minutes: Annotated[
        Minutes | None, Field(description="Instead of chargingMinutes: minutes of the whole session, parking included")
    ] = None
    energy_kwh: Annotated[Quantity, Field(description="Energy charged, kWh")]
    parking_minutes: Annotated[Minutes, Field(description="Minutes plugged in after charging")] = Decimal(0)
    reservation_minutes: Annotated[Minutes, Field(description="Minutes reserved before charging starts")] = Decimal(0)
    max_power_kw: Annotated[
        Quantity | None, Field(description="kW, for power restrictions (default: the average power)")
    ] = None
    site_id: Annotated[int, Field(ge=1, le=MAX_INT)] | None = None
    integration_location_id: Annotated[str, StringConstraints(min_length=1, max_length=36)] | None = None
    time_zone: Annotated[TimeZoneName | None, Field(description="Wins over the place's time zone")] = None


class MoneyOut(CamelModel):
    excl_vat: Annotated[float, Field(description=EXCL_VAT)]
    incl_vat: Annotated[float, Field(description=INCL_VAT)]


class QuotePeriodOut(CamelModel):
    """A stretch of the described session in which no active price component can change."""

    state: Literal["RESERVATION", "CHARGING", "PARKING"]
    start_date_time: UtcTimestamp
    duration_seconds: Annotated[int, Field(description="Seconds")]
    energy_kwh: Annotated[float, Field(description="kWh")]


class QuoteLineItemOut(CamelModel):
    dimension: Literal["ENERGY", "FLAT", "TIME", "PARKING_TIME", "RESERVATION_TIME"]
    cost_field: Literal["totalEnergyCost", "totalTimeCost", "totalParkingCost", "totalFixedCost",
                        "totalReservationCost"]  # fmt: skip
    period_index: Annotated[int | None, Field(description="Index into periods; absent for fees")] = None
    start_date_time: UtcTimestamp
    element_index: int
    consumed_quantity: Annotated[int | float, Field(description="kWh, seconds, or 1 fee (see unit)")]
    billed_quantity: Annotated[int | float, Field(description="consumedQuantity after stepSize rounding")]
    unit: Literal["kWh", "fee", "s"]
    unit_price: Annotated[float, Field(description="Excluding VAT, in the tariff's currency, per pricedPer")]
    priced_per: Literal["kWh", "fee", "hour"]
    vat: Annotated[float | None, Field(description="Percentage; absent when no VAT applies")] = None
    cost: MoneyOut
    spot_price: Annotated[
        float | None, Field(description="Market price per kWh, excluding VAT, a spot price started from")
    ] = None


class QuoteOut(CamelModel):
    tariff_id: str
    currency: str
    time_zone: str
    total_cost: MoneyOut
    total_cost_before_limits: MoneyOut | None = None
    total_energy_cost: MoneyOut
    total_time_cost: MoneyOut
    total_parking_cost: MoneyOut
    total_fixed_cost: MoneyOut
    total_reservation_cost: MoneyOut
    total_energy: Annotated[float, Field(description="kWh")]
    total_time: Annotated[float, Field(description="Hours charging and parking")]
    total_parking_time: Annotated[float, Field(description="Hours")]
    total_reservation_time: Annotated[float, Field(description="Hours")]
    periods: list[QuotePeriodOut]
    line_items: list[QuoteLineItemOut]


def quote_out(
    tariff_id: str, currency: str, time_zone: str, periods: tuple[SessionPeriod, ...], result: PricingResult
) -> QuoteOut:
    priced = pricing_result_json(result)
    if result.total_cost_before_limits == result.total_cost:
        del priced["total_cost_before_limits"]
    return QuoteOut.model_validate({
        **priced,
        "tariff_id": tariff_id,
        "currency": currency,
        "time_zone": time_zone,
        "total_reservation_time": result.total_reservation_time_s / 3600,
        "periods": [
            {"state": str(period.state), "start_date_time": period.start, "duration_seconds": period.duration_s,
             "energy_kwh": period.energy_kwh}
            for period in periods
        ],  # fmt: skip
        "line_items": [{**item, "cost_field": to_camel(item["cost_field"])} for item in priced["line_items"]],
    })
