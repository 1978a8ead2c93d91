"""Every date-time either API takes, given any moment of years 1 to 9999 with any offset: an answer, or a
400 naming the field (management) or OCPI 2001, never a server error. Year 1 or 9999 with an offset has
no UTC equivalent: those went through to a 500 (OCPI 3000)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.integrations.factories import FULL_SITE, tariff_body
from tests.tariffs.pricing_support import FIXTURES

API = "/api/v2/cpo"
HEAD_XML, PERIOD_XML = (FIXTURES / "entsoe_day_ahead_fi_pt60m_a01.xml").read_text().split("<Period>")


@dataclass(frozen=True)
class Input:
    """One date-time input: how a request carries the moment, and the field a refusal must name."""

    name: str
    field: str
    request: Callable[[str, dict[str, str]], dict[str, Any]]
    ocpi: bool = False


def _spot_item(moment: str) -> dict[str, Any]:
    return {"biddingZone": "FI", "currency": "EUR", "prices": [
        {"start": moment, "end": "2026-11-23T14:00:00Z", "price": 0.1}]}  # fmt: skip


def _quote(moment: str) -> dict[str, Any]:
    return {"start": moment, "chargingMinutes": 40, "energyKwh": 12, "timeZone": "Europe/Helsinki"}


MANAGEMENT = [
    Input("spot list from", "from", lambda m, ids: {"method": "GET", "url": f"{API}/spot-prices", "params": {"from": m}}),
    Input("spot list to", "to", lambda m, ids: {"method": "GET", "url": f"{API}/spot-prices", "params": {"to": m}}),
    Input("spot JSON import", "prices.0.start",
          lambda m, ids: {"method": "POST", "url": f"{API}/spot-prices", "json": _spot_item(m)}),
    Input("spot CSV import", "start", lambda m, ids: {
        "method": "POST", "url": f"{API}/spot-prices/import", "headers": {"content-type": "text/csv"},
        "content": f"bidding_zone,start,end,currency,price_per_mwh\nFI,{m},2026-11-23T14:00:00Z,EUR,96.3\n"}),
    Input("spot XML import", "TimeSeries[0].Period[0].timeInterval.start", lambda m, ids: {
        "method": "POST", "url": f"{API}/spot-prices/import", "params": {"biddingZone": "FI"},
        "headers": {"content-type": "application/xml"},
        "content": HEAD_XML + "<Period>" + PERIOD_XML.replace("2026-11-22T23:00Z", m)}),
    Input("quote start", "start",
          lambda m, ids: {"method": "POST", "url": f"{API}/tariffs/{ids['tariff']}/quote", "json": _quote(m)}),
    Input("tariff endDateTime", "endDateTime",
          lambda m, ids: {"method": "POST", "url": f"{API}/tariffs", "json": tariff_body(endDateTime=m)}),
    Input("tariff startDateTime", "startDateTime",
          lambda m, ids: {"method": "PATCH", "url": f"{API}/tariffs/{ids['tariff']}", "json": {"startDateTime": m}}),
    Input("site exceptional opening", "openingTimes.exceptionalOpenings.0.periodBegin", lambda m, ids: {
        "method": "POST", "url": f"{API}/sites", "json": {**FULL_SITE, "openingTimes": {
            "twentyfourseven": True, "exceptionalOpenings": [{"periodBegin": m, "periodEnd": "2026-06-20T00:00:00Z"}]}}}),
]
OCPI = [
    Input(f"OCPI {module} {name}", name, lambda m, ids, module=module, name=name: {
        "method": "GET", "url": f"/ocpi/2.2.1/{module}", "params": {name: m}}, ocpi=True)
    for module in ("locations", "tariffs")
    for name in ("date_from", "date_to")
] + [
    Input("OCPI hubclientinfo last_updated", "last_updated", lambda m, ids: {
        "method": "PUT", "url": "/ocpi/2.2.1/hubclientinfo/NL/EXA", "json": {
            "party_id": "EXA", "country_code": "NL", "role": "EMSP", "status": "CONNECTED", "last_updated": m}},
        ocpi=True),
]
INPUTS = MANAGEMENT + OCPI

OFFSETS = st.sampled_from([UTC] + [timezone(timedelta(minutes=minutes)) for minutes in (-14 * 60, -90, -1, 1, 330, 14 * 60)])
MOMENTS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=OFFSETS)


@pytest.fixture
async def ids(client) -> dict[str, str]:
    response = await client.post(f"{API}/tariffs", json=tariff_body())
    assert response.status_code == 201, response.text
    return {"tariff": response.json()["id"]}


def check(answer: httpx.Response, case: Input, representable: bool) -> None:
    """Any moment: no server error. One without a UTC equivalent: refused, naming its field."""
    shown = f"{case.name}: {answer.status_code} {answer.text[:300]}"
    assert answer.status_code < 500, shown
    if case.ocpi:
        assert answer.json()["status_code"] in ((1000, 2001) if representable else (2001,)), shown
    elif not representable:
        assert answer.status_code == 400, shown
        assert any(detail["field"].startswith(case.field) for detail in answer.json()["details"]), shown


def has_utc_equivalent(moment: datetime) -> bool:
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(INPUTS), moment=MOMENTS)
@example(case=INPUTS[0], moment=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))))
@example(case=MANAGEMENT[5], moment=datetime(9999, 12, 31, 23, tzinfo=UTC))  # a quote whose session ends after 9999
@example(case=MANAGEMENT[4], moment=datetime(1, 1, 1, 1, tzinfo=UTC))  # a period of two thousand years
async def test_any_moment_is_answered_or_refused_by_name(client, ocpi_client, ids, case: Input, moment: datetime):
    http = ocpi_client if case.ocpi else client
    check(await http.request(**case.request(moment.isoformat(), ids)), case, has_utc_equivalent(moment))


@pytest.mark.parametrize("case", INPUTS, ids=lambda case: case.name)
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_the_edges_of_the_calendar(client, ocpi_client, ids, case: Input, moment: str):
    """Each input at the two moments that have no UTC equivalent: a refusal naming it."""
    http = ocpi_client if case.ocpi else client
    check(await http.request(**case.request(moment, ids)), case, representable=False)
