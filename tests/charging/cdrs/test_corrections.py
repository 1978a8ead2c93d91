"""POST /cdrs/{id}/corrections: a credit CDR and, with corrected figures, the session's new CDR, in one
transaction; a CDR is credited once, also under concurrent corrections."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
from sqlalchemy import func, select

from evroam.charging.cdrs.builder import money
from evroam.charging.cdrs.models import Cdr
from evroam.events import Change
from tests.charging.cdrs.conftest import Stops
from tests.ocpi.factories import schema_errors


def corrections_of(cdr_id: str) -> str:
    return f"/api/v2/cpo/cdrs/{cdr_id}/corrections"


async def count_cdrs(stops: Stops) -> int:
    async with stops.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Cdr))


async def test_a_pure_credit(client: httpx.AsyncClient, stops: Stops, changes: list[Change]) -> None:
    original = await stops.stop()
    response = await client.post(corrections_of(original.id), json={})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["corrected"] is None
    credit = body["credit"]["cdr"]
    assert schema_errors("cdrs", "CDR", credit) == []
    assert (credit["id"], credit["credit"], credit["credit_reference_id"]) == (f"{original.id}-C", True, original.id)
    # the spec: all data of the credited CDR, only total_cost negated
    assert money(credit["total_cost"]) == (Decimal("-5"), Decimal("-6.2"))
    unchanged = {key: value for key, value in original.document.items()
                 if key not in ("id", "total_cost", "last_updated")}  # fmt: skip
    assert {key: credit[key] for key in unchanged} == unchanged
    assert body["credit"]["costs"]["total"] == {"exclVat": -5.0, "inclVat": -6.2, "vat": -1.2}
    assert changes[-1].cdr_ids == frozenset({credit["id"]})


async def test_corrected_energy_gives_a_credit_and_a_repriced_cdr(client: httpx.AsyncClient, stops: Stops,
                                                                  changes: list[Change]) -> None:  # fmt: skip
    original = await stops.stop()
    response = await client.post(corrections_of(original.id), json={"energyKwh": "12.5"})
    assert response.status_code == 201, response.text
    corrected = response.json()["corrected"]
    document = corrected["cdr"]
    assert schema_errors("cdrs", "CDR", document) == []
    assert document["id"] not in (original.id, f"{original.id}-C") and "credit" not in document
    assert (document["session_id"], corrected["sessionId"]) == ("SESSION-1", "SESSION-1")
    assert document["total_energy"] == 12.5
    # 12.5 kWh x 0.30 = 3.75 (4.65 incl. 24 %), parking and start fee as before
    assert money(document["total_energy_cost"]) == (Decimal("3.75"), Decimal("4.65"))
    assert money(document["total_cost"]) == (Decimal("5.75"), Decimal("7.13"))
    assert corrected["costs"]["energy"] == {"exclVat": 3.75, "inclVat": 4.65, "vat": 0.9}
    assert changes[-1].cdr_ids == frozenset({f"{original.id}-C", document["id"]})
    listed = (await client.get("/api/v2/cpo/cdrs", params={"sessionId": "SESSION-1"})).json()
    assert listed["totalRecords"] == 3

    # the new CDR can be corrected in turn: an earlier end shortens the parking
    again = await client.post(corrections_of(document["id"]), json={"endDateTime": "2026-11-02T11:15:00Z"})
    assert again.status_code == 201, again.text
    latest = again.json()["corrected"]["cdr"]
    assert latest["end_date_time"] == "2026-11-02T11:15:00Z"
    assert latest["total_energy"] == 12.5 and latest["total_parking_time"] == 0.25
    assert money(latest["total_parking_cost"]) == (Decimal("0.5"), Decimal("0.62"))


async def test_a_cdr_is_credited_once(client: httpx.AsyncClient, stops: Stops) -> None:
    original = await stops.stop()
    assert (await client.post(corrections_of(original.id), json={})).status_code == 201
    twice = await client.post(corrections_of(original.id), json={"energyKwh": 3})
    assert twice.status_code == 409, twice.text
    assert "already credited" in twice.text
    credit_of_credit = await client.post(corrections_of(f"{original.id}-C"), json={})
    assert credit_of_credit.status_code == 409
    assert await count_cdrs(stops) == 2


async def test_concurrent_corrections_credit_once(client: httpx.AsyncClient, stops: Stops) -> None:
    original = await stops.stop()
    responses = await asyncio.gather(*(client.post(corrections_of(original.id), json={"energyKwh": 11 + n})
                                       for n in range(6)))  # fmt: skip
    assert sorted(response.status_code for response in responses) == [201] + [409] * 5
    assert await count_cdrs(stops) == 3  # the original, one credit, one corrected CDR


async def test_bad_figures_are_refused_and_nothing_written(client: httpx.AsyncClient, stops: Stops) -> None:
    original = await stops.stop()
    before_last_period = await client.post(corrections_of(original.id), json={"endDateTime": "2026-11-02T10:30:00Z"})
    assert before_last_period.status_code == 400
    assert "endDateTime" in before_last_period.text
    for body in ({"energyKwh": -1}, {"energyKwh": None}, {"energy": 3}, {"endDateTime": "yesterday"}):
        response = await client.post(corrections_of(original.id), json=body)
        assert response.status_code == 400, (body, response.text)
    assert await count_cdrs(stops) == 1
    assert (await client.post(corrections_of("NO-SUCH-CDR"), json={})).status_code == 404


async def test_another_operator_cannot_correct(other_client: httpx.AsyncClient, stops: Stops) -> None:
    original = await stops.stop()
    assert (await other_client.post(corrections_of(original.id), json={})).status_code == 404
    assert await count_cdrs(stops) == 1
