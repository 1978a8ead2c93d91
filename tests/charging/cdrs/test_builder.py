"""The pure builder's edges: free sessions, what a CDR may not carry, refusals naming the field, and the
corrected figures spread over the periods."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from evroam.charging.cdrs.builder import build_cdr, credit_cdr, money
from evroam.charging.cdrs.corrections import corrected_cdr
from evroam.errors import Invalid
from tests.charging.cdrs.conftest import TARIFF, location_document, session_document
from tests.ocpi.factories import schema_errors

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def build(session=None, tariff=TARIFF, location=None, cdr_id="CDR-1"):
    return build_cdr(session or session_document(), tariff, location or location_document(), cdr_id=cdr_id, now=NOW)


def test_a_session_without_tariff_is_free() -> None:
    cdr = build(tariff=None)
    assert schema_errors("cdrs", "CDR", cdr) == []
    assert cdr["tariffs"] == [] and all("tariff_id" not in period for period in cdr["charging_periods"])
    assert money(cdr["total_cost"]) == (Decimal(0), Decimal(0))
    assert (cdr["total_energy"], cdr["total_time"], cdr["total_parking_time"]) == (10.0, 1.5, 0.5)
    assert cdr["last_updated"] == "2026-11-02T12:00:00Z"


def test_the_cdr_location_fits_ocpi_lengths() -> None:
    location = location_document() | {"address": "A" * 60, "city": "C" * 50}
    cdr = build(location=location)
    assert (len(cdr["cdr_location"]["address"]), len(cdr["cdr_location"]["city"])) == (45, 45)


@pytest.mark.parametrize(
    ("session", "location", "field"),
    [
        (session_document(status="ACTIVE"), None, "session.status"),
        (session_document(end_date_time=None), None, "session.end_date_time"),
        (session_document(location_id="LOC2"), None, "session.location_id"),
        (session_document(evse_uid="NOPE"), None, "session.evse_uid"),
        (session_document(connector_id="9"), None, "session.connector_id"),
        (session_document(cdr_token=None), None, "session.cdr_token"),
        (session_document(charging_periods=[]), None, "session.charging_periods"),
        (session_document(currency="SEK"), None, "currency"),
        (None, {k: v for k, v in location_document().items() if k != "address"}, "location.address"),
    ],
)
def test_refusals_name_the_field(session, location, field) -> None:
    with pytest.raises(Invalid) as refused:
        build(session=session, location=location)
    assert refused.value.problems[0].field == field


def test_a_period_of_session_only_readings_states_its_time() -> None:
    session = session_document(kwh=6.0, charging_periods=[
        {"start_date_time": "2026-11-02T10:00:00Z", "dimensions": [{"type": "ENERGY", "volume": 6.0}]},
        {"start_date_time": "2026-11-02T10:45:00Z", "dimensions": [{"type": "POWER", "volume": 0.0},
                                                                   {"type": "STATE_OF_CHARGE", "volume": 80}]},
    ])  # fmt: skip
    cdr = build(session=session)
    assert schema_errors("cdrs", "CDR", cdr) == []
    assert cdr["charging_periods"][1]["dimensions"] == [{"type": "TIME", "volume": 0.75}]
    assert cdr["total_time"] == 1.5


def test_ids_leave_room_for_the_credit_suffix() -> None:
    with pytest.raises(Invalid):
        build(cdr_id="X" * 37)
    credit = credit_cdr(build(cdr_id="X" * 36), now=NOW)
    assert len(credit["id"]) == 38 and schema_errors("cdrs", "CDR", credit) == []
    with pytest.raises(Invalid):
        credit_cdr(credit, now=NOW)


def test_corrected_energy_keeps_the_proportions_and_adds_up() -> None:
    session = session_document(charging_periods=[
        {"start_date_time": "2026-11-02T10:00:00Z", "dimensions": [{"type": "ENERGY", "volume": 1.0}]},
        {"start_date_time": "2026-11-02T10:20:00Z", "dimensions": [{"type": "ENERGY", "volume": 2.0}]},
        {"start_date_time": "2026-11-02T10:40:00Z", "dimensions": [{"type": "ENERGY", "volume": 7.0}]},
    ])  # fmt: skip
    original = build(session=session)
    corrected = corrected_cdr(original, cdr_id="CDR-2", now=NOW, time_zone=None, energy_kwh=Decimal("10.001"))
    volumes = [period["dimensions"][0]["volume"] for period in corrected["charging_periods"]]
    assert volumes == [1.0001, 2.0002, 7.0007]
    assert sum(Decimal(str(volume)) for volume in volumes) == Decimal("10.001") == Decimal(str(corrected["total_energy"]))
    assert money(corrected["total_energy_cost"])[0] == Decimal("10.001") * Decimal("0.3")
    assert original["charging_periods"][0]["dimensions"][0]["volume"] == 1.0  # the original is left as it was


def test_energy_for_a_cdr_that_had_none() -> None:
    original = build(session=session_document(kwh=0.0, charging_periods=[
        {"start_date_time": "2026-11-02T10:00:00Z", "dimensions": [{"type": "TIME", "volume": 1.5}]}]))  # fmt: skip
    assert original["total_energy"] == 0.0
    corrected = corrected_cdr(original, cdr_id="CDR-2", now=NOW, time_zone=None, energy_kwh=Decimal(4))
    assert corrected["charging_periods"][0]["dimensions"][0] == {"type": "ENERGY", "volume": 4.0}
    assert money(corrected["total_energy_cost"]) == (Decimal("1.2"), Decimal("1.488"))


def test_a_later_end_lengthens_the_last_period() -> None:
    original = build()
    end = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    corrected = corrected_cdr(original, cdr_id="CDR-2", now=NOW, time_zone=None, end=end)
    assert corrected["charging_periods"][-1]["dimensions"] == [{"type": "PARKING_TIME", "volume": 1.0}]
    assert (corrected["total_time"], corrected["total_parking_time"]) == (2.0, 1.0)
    assert money(corrected["total_parking_cost"]) == (Decimal(2), Decimal("2.48"))
    with pytest.raises(Invalid):
        corrected_cdr(original, cdr_id="CDR-2", now=NOW, time_zone=None)
