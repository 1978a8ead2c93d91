"""Central tariffs as OCPI Tariffs: what is published, how spot and monthly components go, both versions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from evroam.ocpi.locations.mapping import party_of_operator
from evroam.ocpi.tariffs.mapping import tariff_document
from tests.ocpi.factories import ENERGY, schema_errors, tariff

PARTY = party_of_operator("FI", "EVR", "Test CPO", None, None)
RESTRICTED = {
    "priceComponents": [{"type": "TIME", "price": "1.20", "stepSize": 60}],
    "restrictions": {
        "startTime": "08:00", "endTime": "18:00", "startDate": "2026-01-01", "endDate": "2027-01-01",
        "minKwh": "0.5", "maxKwh": 80, "minPower": "3.7", "maxPower": 50, "minDuration": 600, "maxDuration": 7200,
        "dayOfWeek": ["MONDAY", "FRIDAY"],
    },
}
CURRENT = {"priceComponents": [{"type": "TIME", "price": "2"}], "restrictions": {"minCurrent": 32, "maxCurrent": "63"}}
RESERVATION = {"priceComponents": [{"type": "FLAT", "price": "1"}], "restrictions": {"reservation": "RESERVATION"}}


def full_tariff(**fields):
    return tariff(
        1,
        elements=[
            {"priceComponents": [ENERGY, {"type": "FLAT", "price": "0.50", "vat": 25.5}]},
            RESTRICTED,
            CURRENT,
            RESERVATION,
        ],
        id="T-1",
        type="REGULAR",
        tariff_alt_text=[{"language": "en", "text": "Peak hours cost more"}],
        tariff_alt_url="https://cpo.example.com/tariffs/1",
        min_price_excl_vat=Decimal("1.0000"), min_price_incl_vat=Decimal("1.2550"),
        max_price_excl_vat=Decimal("50"), max_price_incl_vat=None,
        start_date_time=datetime(2026, 1, 1, tzinfo=UTC), end_date_time=datetime(2027, 1, 1, tzinfo=UTC),
        energy_mix={"isGreenEnergy": False, "environImpact": [{"category": "NUCLEAR_WASTE", "amount": "0.06"}]},
        **fields,
    )


def test_price_tariff_in_2_2_1():
    doc = tariff_document(full_tariff(), PARTY, "2.2.1")
    assert (doc["country_code"], doc["party_id"], doc["id"], doc["currency"], doc["type"]) == (
        "FI", "EVR", "T-1", "EUR", "REGULAR",
    )
    assert doc["tariff_alt_text"] == [{"language": "en", "text": "Peak hours cost more"}]
    assert doc["tariff_alt_url"] == "https://cpo.example.com/tariffs/1"
    assert doc["min_price"] == {"excl_vat": 1, "incl_vat": 1.255} and doc["max_price"] == {"excl_vat": 50}
    assert (doc["start_date_time"], doc["end_date_time"]) == ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
    assert doc["elements"][0] == {"price_components": [
        {"type": "ENERGY", "price": 0.25, "vat": 25.5, "step_size": 1},
        {"type": "FLAT", "price": 0.5, "vat": 25.5, "step_size": 1},
    ]}
    assert doc["elements"][1] == {
        "price_components": [{"type": "TIME", "price": 1.2, "step_size": 60}],
        "restrictions": {
            "start_time": "08:00", "end_time": "18:00", "start_date": "2026-01-01", "end_date": "2027-01-01",
            "min_kwh": 0.5, "max_kwh": 80, "min_power": 3.7, "max_power": 50, "min_duration": 600,
            "max_duration": 7200, "day_of_week": ["MONDAY", "FRIDAY"],
        },
    }
    assert doc["elements"][2]["restrictions"] == {"min_current": 32, "max_current": 63}
    assert doc["elements"][3]["restrictions"] == {"reservation": "RESERVATION"}
    assert doc["energy_mix"] == {"is_green_energy": False, "environ_impact": [{"category": "NUCLEAR_WASTE", "amount": 0.06}]}
    assert "last_updated" not in doc
    assert schema_errors("tariffs", "Tariff", {**doc, "last_updated": "2026-03-01T12:00:00.000Z"}) == []


def test_2_1_1_shape_drops_what_it_cannot_say():
    doc = tariff_document(full_tariff(), PARTY, "2.1.1")
    for absent in ("country_code", "party_id", "type", "min_price", "max_price", "start_date_time", "end_date_time"):
        assert absent not in doc
    assert doc["elements"][0]["price_components"][0] == {"type": "ENERGY", "price": 0.25, "step_size": 1}
    assert len(doc["elements"]) == 2, "current- and reservation-restricted elements cannot be said in 2.1.1"
    assert doc["energy_mix"]["environ_impact"] == [{"source": "NUCLEAR_WASTE", "amount": 0.06}]


@pytest.mark.parametrize("use_type", ["COST", "OTHER"])
def test_cost_and_other_tariffs_are_never_published(use_type):
    assert tariff_document(full_tariff(use_type=use_type), PARTY, "2.2.1") is None


def test_spot_components_go_out_as_energy_at_their_cap():
    elements = [{"priceComponents": [
        {"type": "ENERGY_SPOT", "biddingZone": "FI", "priceCap": "0.30", "margin": "0.02", "marginPercentage": 10,
         "vat": "25.5"},
        {"type": "ENERGY_SPOT_LOCKED", "biddingZone": "FI", "priceCap": "0.20"},
        {"type": "ENERGY_SPOT", "biddingZone": "FI"},
        {"type": "FLAT", "price": "1"},
    ]}]
    doc = tariff_document(tariff(1, elements=elements), PARTY, "2.2.1")
    assert doc["elements"][0]["price_components"] == [
        {"type": "ENERGY", "price": 0.35, "vat": 25.5, "step_size": 1},
        {"type": "ENERGY", "price": 0.2, "step_size": 1},
        {"type": "FLAT", "price": 1, "step_size": 1},
    ], "a spot component without a cap has no price to state"


def test_monthly_components_are_left_out_and_empty_elements_dropped():
    elements = [
        {"priceComponents": [{"type": "MONTHLY_FLAT", "price": "10"}, {"type": "SOCKET_COUNT", "price": "2"}]},
        {"priceComponents": [{"type": "CHARGER_COUNT", "price": "3"}, {"type": "PARKING_TIME", "price": "4"}]},
    ]
    doc = tariff_document(tariff(1, elements=elements), PARTY, "2.2.1")
    assert doc["elements"] == [{"price_components": [{"type": "PARKING_TIME", "price": 4, "step_size": 1}]}]


def test_tariff_without_any_publishable_element_is_not_published():
    elements = [{"priceComponents": [{"type": "MONTHLY_FLAT", "price": "10"}, {"type": "ENERGY_SPOT", "biddingZone": "FI"}]}]
    assert tariff_document(tariff(1, elements=elements), PARTY, "2.2.1") is None


def test_v1_integer_component_types_and_untyped_tariff():
    elements = [{"priceComponents": [{"type": 0, "price": "0.3"}, {"type": 8, "price": "9"}, {"type": 3, "price": "1"}]}]
    doc = tariff_document(tariff(1, elements=elements, type=None), PARTY, "2.2.1")
    assert "type" not in doc
    assert [c["type"] for c in doc["elements"][0]["price_components"]] == ["ENERGY", "TIME"]
