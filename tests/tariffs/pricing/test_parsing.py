"""One engine, three tariff inputs: OCPI 2.2.1, OCPI 2.1.1 and evroam's own camelCase shape."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from evroam.tariffs.pricing.engine import price_cdr, price_session
from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.model import Dimension, PeriodState, ReservationRestriction, SessionPeriod
from evroam.tariffs.pricing.parsing import parse_tariff, spot_rule
from tests.tariffs.pricing_support import cdr, period

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin

# An OCPI 2.1.1 tariff: no country_code/party_id, no vat, no min/max_price; prices exclude VAT.
TARIFF_211 = {
    "id": "11",
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "FLAT", "price": 1.00, "step_size": 1}]},
        {"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}],
         "restrictions": {"start_time": "09:00", "end_time": "18:00", "day_of_week": ["MONDAY", "TUESDAY"]}},
        {"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}]},
    ],
    "last_updated": "2017-01-01T00:00:00Z",
}  # fmt: skip

EVROAM_TARIFF = {
    "id": "3f2c",
    "name": "Harbour",
    "currency": "EUR",
    "useType": "PRICE",
    "minPrice": {"exclVat": "1.00", "inclVat": "1.255"},
    "elements": [
        {"priceComponents": [{"type": "TIME", "price": "2", "vat": "25.5", "stepSize": 60}],
         "restrictions": {"startTime": "08:00", "endTime": "20:00", "dayOfWeek": ["MONDAY"], "maxKwh": "50",
                          "minCurrent": 6, "reservation": None}},
        {"priceComponents": [{"type": 0, "price": 0.25, "vat": 25.5, "stepSize": 1, "margin": 0}]},
        {"priceComponents": [{"type": "MONTHLY_FLAT", "price": 9.9}, {"type": "SOCKET_COUNT", "price": 3},
                             {"type": 5, "price": 4}]},
    ],
}  # fmt: skip


def test_ocpi_211_tariff_prices_without_vat() -> None:
    """45 min charging 12 kWh on Monday 10:00: 1.00 + 0.75 h x 2.00 (per 5 min) + 12 x 0.30, VAT-free."""
    session = cdr([period(START, ENERGY=12, TIME=0.75)], START + timedelta(minutes=45))
    result = price_cdr(TARIFF_211, session, "Europe/Berlin")
    assert result["total_cost"] == {"excl_vat": 6.1, "incl_vat": 6.1}
    assert result["total_fixed_cost"]["excl_vat"] == 1.0
    assert result["total_time_cost"]["excl_vat"] == 1.5
    assert result["total_energy_cost"]["excl_vat"] == 3.6


def test_ocpi_211_cdr_field_names_are_accepted() -> None:
    """2.1.1 writes stop_date_time and carries the whole location, with its time_zone."""
    session = {
        "id": "CDR211",
        "currency": "EUR",
        "start_date_time": "2026-11-23T17:00:00Z",  # 18:00 in Berlin: the TIME element no longer applies
        "stop_date_time": "2026-11-23T18:00:00Z",
        "location": {"id": "LOC", "country": "DEU", "time_zone": "Europe/Berlin"},
        "charging_periods": [{"start_date_time": "2026-11-23T17:00:00Z",
                              "dimensions": [{"type": "ENERGY", "volume": 10}, {"type": "TIME", "volume": 1}]}],
    }  # fmt: skip
    result = price_cdr(TARIFF_211, session)
    assert result["total_time_cost"] == {"excl_vat": 0.0, "incl_vat": 0.0}
    assert result["total_cost"]["excl_vat"] == 4.0  # 1.00 + 10 x 0.30
    assert result["total_time"] == 1.0


def test_evroam_shape_with_decimal_strings_and_integer_types() -> None:
    tariff = parse_tariff(EVROAM_TARIFF)
    time_element, energy_element, monthly_element = tariff.elements
    assert time_element.components[0].price == Decimal("2") and time_element.components[0].vat == Decimal("25.5")
    assert time_element.components[0].step_size == 60
    restrictions = time_element.restrictions
    assert (restrictions.start_time, restrictions.end_time) == (time(8), time(20))
    assert restrictions.weekdays == frozenset({0}) and restrictions.max_kwh == Decimal(50)
    assert restrictions.min_current == Decimal(6) and restrictions.reservation is None
    assert energy_element.components[0].dimension is Dimension.ENERGY  # type 0 is ENERGY in the v1 API
    assert monthly_element.components == ()
    assert tariff.min_price.excl_vat == Decimal("1.00") and tariff.min_price.incl_vat == Decimal("1.255")


def test_monthly_components_never_enter_a_session() -> None:
    """Only the ENERGY element bills: 10 kWh x 0.25 at 25.5 % VAT. Monthly fees (9.90, 3, 4) stay out."""
    tariff = parse_tariff({**EVROAM_TARIFF, "minPrice": None, "elements": EVROAM_TARIFF["elements"][1:]})
    periods = [SessionPeriod(PeriodState.CHARGING, START, 3600, Decimal(10))]
    result = price_session(tariff, periods, "Europe/Helsinki")
    assert (result.total_cost.excl_vat, result.total_cost.incl_vat) == (Decimal("2.50"), Decimal("3.1375"))
    assert [item.dimension for item in result.line_items] == ["ENERGY"]


def test_a_tariff_of_monthly_components_only_costs_nothing_per_session() -> None:
    chargers = {"type": "CHARGER_COUNT", "price": 5}
    tariff = parse_tariff({"currency": "EUR", "elements": [{"priceComponents": [chargers]}]})
    result = price_session(tariff, [SessionPeriod(PeriodState.CHARGING, START, 3600, Decimal(10))], "UTC")
    assert result.total_cost.excl_vat == 0 and result.line_items == ()


def test_reservation_and_24_00_end_time_are_read() -> None:
    tariff = parse_tariff({
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "TIME", "price": 1, "step_size": 60}],
                      "restrictions": {"reservation": "RESERVATION_EXPIRES", "start_time": "18:00", "end_time": "24:00",
                                       "day_of_week": []}}],
    })  # fmt: skip
    restrictions = tariff.elements[0].restrictions
    assert restrictions.reservation is ReservationRestriction.RESERVATION_EXPIRES
    assert restrictions.end_time == time(0, 0) and restrictions.weekdays is None


@pytest.mark.parametrize(
    ("tariff", "field"),
    [
        ({"currency": "EUR"}, "elements"),
        ({"currency": "EUR", "elements": []}, "elements"),
        ({"elements": [{"price_components": [{"type": "FLAT", "price": 1}]}]}, "currency"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "GAS", "price": 1}]}]},
         "elements[0].price_components[0].type"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "ENERGY_SPOT", "price": 1}]}]},
         "elements[0].price_components[0].type"),  # OCPI knows no spot components
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "ENERGY"}]}]},
         "elements[0].price_components[0].price"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "ENERGY", "price": -0.1}]}]},
         "elements[0].price_components[0].price"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "ENERGY", "price": "NaN"}]}]},
         "elements[0].price_components[0].price"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "TIME", "price": 1, "step_size": 1.5}]}]},
         "elements[0].price_components[0].step_size"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "TIME", "price": 1}],
                                           "restrictions": {"start_time": "7:00"}}]},
         "elements[0].restrictions.start_time"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "TIME", "price": 1}],
                                           "restrictions": {"end_date": "2026-02-30"}}]},
         "elements[0].restrictions.end_date"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "TIME", "price": 1}],
                                           "restrictions": {"day_of_week": ["MONDAY", "FUNDAY"]}}]},
         "elements[0].restrictions.day_of_week"),
        ({"currency": "EUR", "elements": [{"price_components": [{"type": "TIME", "price": 1}],
                                           "restrictions": {"reservation": ["RESERVATION"]}}]},
         "elements[0].restrictions.reservation"),
        ({"currency": "EUR", "min_price": {"incl_vat": 1},
          "elements": [{"price_components": [{"type": "FLAT", "price": 1}]}]}, "min_price.excl_vat"),
        ({"currency": "EUR", "elements": [{"priceComponents": [{"type": "ENERGY_SPOT", "vat": 24}]}]},
         "elements[0].priceComponents[0].biddingZone"),
    ],
)  # fmt: skip
def test_bad_tariffs_name_the_field(tariff: dict, field: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        parse_tariff(tariff)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")


def test_spot_rule_of_a_stored_component() -> None:
    rule = spot_rule({"type": 7, "biddingZone": "FI", "priceCap": "0.18", "costPercentage": 30, "margin": "0.05"})
    assert (rule.bidding_zone, rule.locked, rule.price_cap) == ("FI", True, Decimal("0.18"))
    assert (rule.cost_percentage, rule.margin, rule.margin_percentage) == (Decimal(30), Decimal("0.05"), Decimal(0))


@pytest.mark.parametrize(
    ("component", "field"),
    [({"type": "ENERGY", "price": "0.30"}, "type"), ({"type": "ENERGY_SPOT", "priceCap": "0.18"}, "biddingZone")],
)
def test_spot_rule_of_something_else_names_the_field(component: dict, field: str) -> None:
    with pytest.raises(PricingInputError) as raised:
        spot_rule(component)
    assert raised.value.field == field
