"""create_cdr: the priced CDR of a finished session, stored once per session whatever races, announced."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from evroam.charging.cdrs.builder import money
from evroam.charging.cdrs.models import Cdr
from evroam.errors import NotFound
from evroam.events import Change
from tests.charging.cdrs.conftest import TARIFF, Stops
from tests.ocpi.factories import schema_errors


async def count_cdrs(stops: Stops) -> int:
    async with stops.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Cdr))


async def test_the_cdr_of_a_session_is_priced_and_complete(stops: Stops, changes: list[Change]) -> None:
    cdr = await stops.stop()
    document = cdr.document
    assert schema_errors("cdrs", "CDR", document) == []
    # 10 kWh x 0.30 + 30 min parking x 2.00/h + 1.00 start fee, VAT 24 %
    assert money(document["total_energy_cost"]) == (Decimal("3"), Decimal("3.72"))
    assert money(document["total_parking_cost"]) == (Decimal("1"), Decimal("1.24"))
    assert money(document["total_fixed_cost"]) == (Decimal("1"), Decimal("1.24"))
    assert money(document["total_cost"]) == (Decimal("5"), Decimal("6.2"))
    assert (cdr.total_cost_excl_vat, cdr.total_cost_incl_vat, cdr.total_energy) == (Decimal("5"), Decimal("6.2"), Decimal(10))
    assert (document["total_time"], document["total_parking_time"]) == (1.5, 0.5)
    assert document["tariffs"] == [TARIFF]
    assert [period["tariff_id"] for period in document["charging_periods"]] == ["TARIFF-1", "TARIFF-1"]
    # POWER is for Sessions only; MAX_POWER may stay
    assert [d["type"] for d in document["charging_periods"][0]["dimensions"]] == ["ENERGY", "TIME", "MAX_POWER"]
    assert document["cdr_location"]["evse_id"] == "BE*BEC*E041503001"
    assert document["cdr_location"]["connector_standard"] == "IEC_62196_T2"
    assert (document["auth_method"], document["authorization_reference"], document["meter_id"]) == (
        "AUTH_REQUEST", "AUTH-REF-1", "METER-7")
    assert len(document["id"]) <= 36 and "signed_data" not in document
    assert (cdr.session_id, cdr.site_id, cdr.charger_id, cdr.credit) == ("SESSION-1", stops.site_id, "CH-CDR-1", False)
    assert [change.cdr_ids for change in changes] == [frozenset({cdr.id})]


async def test_a_second_stop_of_the_session_returns_the_stored_cdr(stops: Stops, changes: list[Change]) -> None:
    first = await stops.stop()
    again = await stops.stop()
    assert again.id == first.id
    assert await count_cdrs(stops) == 1
    assert len(changes) == 1


async def test_concurrent_stops_create_one_cdr(stops: Stops, database_url: str) -> None:
    results = await asyncio.gather(*(stops.stop() for _ in range(8)))
    assert {cdr.id for cdr in results} == {results[0].id}
    assert await count_cdrs(stops) == 1


async def test_each_session_gets_its_own_cdr(stops: Stops) -> None:
    first, second = await asyncio.gather(stops.stop("SESSION-A"), stops.stop("SESSION-B", charger_id="CH-CDR-2"))
    assert first.id != second.id
    assert await count_cdrs(stops) == 2


async def test_an_unknown_charger_is_refused_and_nothing_stored(stops: Stops) -> None:
    with pytest.raises(NotFound):
        await stops.stop(charger_id="CH-NOT-HERE")
    assert await count_cdrs(stops) == 0
