"""Golden test along the whole events path: the specification's tariff examples (shared/ocpi-vectors),
each told as what a charger reports, become CDRs whose costs are the examples' to the cent, excl. and
incl. VAT (and to the 4 decimals the vectors hold exactly).

For every vector: the tariff is created through the management API (the vector's OCPI Tariff in the
API's camelCase) and linked to the location of a site in the vector's time zone, published to a
connected eMSP integration whose token is whitelisted; `POST /authorize` decides; the charger posts its
events one request each, as live (`POST /chargers/{id}/events`): Preparing, SessionStarted, Charging,
MeterValues register readings every 5 minutes and at every boundary of the vector's periods (power and
current where the vector's periods state them), SuspendedEV where parking starts, SessionStopped and
Available. The CDR issued at the stop (`GET /cdrs?sessionId=`) must carry the vector's costs; the
session's own cost must agree with it. The expected values are the corrected ones: the errata of the
printed examples (T14, T24) are recorded in tests/charging/cdrs/test_golden_vectors.py (SPEC_ERRATA)
and not decided again here.

The vectors are dated 2015 and 2019; the decision is taken now. The charger's SessionStarted carries
the decision's `authorizationReference` (as after a remote start or an OCPP 2.0.1 transaction), which
ties the session to its decision whatever the dates (sessions/service.py decision_for); nothing is
written behind the API's back.

Left out, each because charger events cannot say it (the marks name the reason):
* T16-T21: reservation time (RESERVATION periods, an expired reservation). Charger events carry at most
  a `reservationId`; the reservation's duration is not a charging event, so these examples have no
  events form.

Time-only examples state no energy; their charger delivers 7.2 kW (2 Wh a second) while charging, which
no price component of theirs bills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from pydantic.alias_generators import to_camel

from evroam.charging.cdrs.builder import COST_FIELDS
from tests.charging.sessions.conftest import API, Network
from tests.integrations.factories import make_charger, make_site, ok
from tests.support.authorizing_emsp import AuthorizingEmsp, published_integration, store_token
from tests.tariffs.pricing_support import at_4, dec, load_vectors, stamp, utc

CENT = Decimal("0.01")
SAMPLE_EVERY_S = 300
# Time-only examples: 7.2 kW, 2 Wh a second, an exact register at every whole second.
UNSTATED_WH_PER_S = Decimal(2)
METER_START_WH = Decimal("1234567.890")
# The API's name of each CDR cost field.
COST_NAMES = {"total_cost": "total", "total_fixed_cost": "fixed", "total_energy_cost": "energy",
              "total_time_cost": "time", "total_parking_cost": "parking", "total_reservation_cost": "reservation"}
NO_EVENTS_FORM = "reservation time: charger events carry no reservation period"


def _marks(vector: dict[str, Any]) -> list[pytest.MarkDecorator]:
    if any(period["state"] == "RESERVATION" for period in vector["session"]["periods"]):
        return [pytest.mark.skip(reason=NO_EVENTS_FORM)]
    return []


VECTORS = [pytest.param(vector, id=vector["id"], marks=_marks(vector)) for vector in load_vectors()]


def cents(value: Any) -> Decimal:
    return dec(value).quantize(CENT, ROUND_HALF_UP)


def camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {to_camel(key): camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel(item) for item in value]
    return value


def tariff_body(vector: dict[str, Any]) -> dict[str, Any]:
    """The vector's OCPI Tariff as the management API takes it (the OCPI identity is ours to give)."""
    ocpi = {key: value for key, value in vector["tariff"].items()
            if key not in ("country_code", "party_id", "id", "last_updated")}  # fmt: skip
    return {"name": f"{vector['id']} {vector['name']}"[:255], "useType": "PRICE", **camel(ocpi)}


@dataclass(frozen=True)
class Piece:
    """One of the vector's periods, in UTC, with the register reached at its end."""

    start: datetime
    end: datetime
    state: str
    wh_before: Decimal
    wh_after: Decimal
    power_w: Decimal | None
    current_a: Decimal | None

    def register_at(self, moment: datetime) -> Decimal:
        share = Decimal((moment - self.start).total_seconds()) / Decimal((self.end - self.start).total_seconds())
        return (self.wh_before + (self.wh_after - self.wh_before) * share).quantize(Decimal("0.001"))


def pieces(vector: dict[str, Any]) -> list[Piece]:
    session = vector["session"]
    periods = session["periods"]
    # Where the vector states power or current, the meter reports it, and zero while parked.
    reports_power = any(period.get("max_power_kw") is not None for period in periods)
    reports_current = any(period.get("max_current_a") is not None for period in periods)
    moment = utc(session["cdr_charging_periods"][0]["start_date_time"])
    register = METER_START_WH
    found = []
    for period in periods:
        parked = period["state"] == "PARKING"
        if parked:
            added = Decimal(0)
        elif period.get("energy_kwh") is not None:
            added = dec(period["energy_kwh"]) * 1000
        else:
            added = UNSTATED_WH_PER_S * period["duration_s"]
        end = moment + timedelta(seconds=period["duration_s"])
        power = Decimal(0) if parked else dec(period.get("max_power_kw") or 0) * 1000
        current = Decimal(0) if parked else dec(period.get("max_current_a") or 0)
        found.append(Piece(moment, end, period["state"], register, register + added,
                           power if reports_power else None, current if reports_current else None))  # fmt: skip
        register += added
        moment = end
    return found


def charger_events(vector: dict[str, Any], reference: str) -> list[dict[str, Any]]:
    """What the charger reports, in the order it reports it."""
    parts = pieces(vector)
    start, end = parts[0].start, parts[-1].end
    events: list[dict[str, Any]] = []

    def add(kind: str, moment: datetime, **fields: Any) -> None:
        events.append({"eventId": f"{vector['id']}-{len(events) + 1}", "type": kind, "time": stamp(moment), **fields})

    def status(moment: datetime, value: str) -> None:
        add("StatusChanged", moment, socketId=1, status=value)

    status(start - timedelta(seconds=30), "Preparing")
    add("SessionStarted", start, socketId=1, transactionId="tx-1", idTag="DRIVER1", meterStartWh=str(METER_START_WH),
        authorizationReference=reference)
    status(start, "Charging")
    length_s = int((end - start).total_seconds())
    samples = {start + timedelta(seconds=offset) for offset in range(SAMPLE_EVERY_S, length_s, SAMPLE_EVERY_S)}
    samples |= {part.end for part in parts[:-1]}
    state = "CHARGING"
    for moment in sorted(samples):
        # A reading describes the time since the one before it: the period it closes or lies in.
        part = next(part for part in parts if part.start < moment <= part.end)
        reading: dict[str, Any] = {"transactionId": "tx-1", "energyWh": str(part.register_at(moment))}
        if part.power_w is not None:
            reading["powerW"] = str(part.power_w)
        if part.current_a is not None:
            reading["currentA"] = str(part.current_a)
        add("MeterValues", moment, **reading)
        following = next((p for p in parts if p.start == moment), None)
        if following is not None and following.state != state:
            state = following.state
            status(moment, "SuspendedEV" if state == "PARKING" else "Charging")
    add("SessionStopped", end, transactionId="tx-1", meterStopWh=str(parts[-1].wh_after), reason="EVDisconnected")
    status(end, "Available")
    return events


async def network_in(client: Any, runtime: Any, emsp: AuthorizingEmsp, vector: dict[str, Any]) -> Network:
    """Charger CH-1 at a site in the vector's time zone, published with the vector's tariff to a connected
    eMSP whose token DRIVER1 is whitelisted."""
    site_id = await make_site(client, timezone=vector["session"]["time_zone"])
    await make_charger(client, site_id, "CH-1")
    integration_id = await published_integration(client, runtime, emsp, site_id)
    location_id = ok(await client.get(f"{API}/integrations/{integration_id}/locations"))["items"][0]["id"]
    tariff_id = ok(await client.post(f"{API}/tariffs", json=tariff_body(vector)), 201)["id"]
    ok(await client.post(f"{API}/integrations/{integration_id}/tariffs/{tariff_id}",
                         json={"locations": [{"locationId": location_id}]}))  # fmt: skip
    token = await store_token(runtime, integration_id, "DRIVER1")
    return Network(client, runtime, emsp, site_id, integration_id, location_id, tariff_id, token)


def assert_costs(costs: dict[str, Any], expected: dict[str, Any]) -> None:
    for field in COST_FIELDS:
        if field not in expected:
            continue
        cost = costs[COST_NAMES[field]]
        assert cost is not None, f"{field} missing"
        for side, ours in (("excl_vat", cost["exclVat"]), ("incl_vat", cost["inclVat"])):
            if side in expected[field]:
                assert cents(ours) == cents(expected[field][side]), f"{field}.{side}"
                assert at_4(ours) == at_4(expected[field][side]), f"{field}.{side}"


@pytest.mark.parametrize("vector", VECTORS)
async def test_charger_events_become_the_examples_cdr_to_the_cent(
    client: Any, runtime: Any, emsp: AuthorizingEmsp, vector: dict[str, Any]
) -> None:
    network = await network_in(client, runtime, emsp, vector)
    decision = await network.authorize()
    assert decision["allowed"] is True, decision
    for event in charger_events(vector, decision["authorizationReference"]):
        answer = ok(await network.post(event))
        assert answer["results"] == [{"eventId": event["eventId"], "result": "accepted"}]

    done = await network.only_session()
    assert (done["status"], done["tariffId"]) == ("COMPLETED", network.tariff_id)
    listed = ok(await client.get(f"{API}/cdrs", params={"sessionId": done["id"]}))
    assert listed["totalRecords"] == 1, listed
    cdr = listed["items"][0]
    assert_costs(cdr["costs"], vector["expected"])
    assert done["costs"]["total"] == cdr["costs"]["total"], "the operator sees the session cost the partner is billed"

    totals = vector["session"]["cdr_totals"]
    if totals["total_energy"] is not None:
        assert dec(cdr["totalEnergy"]) == dec(totals["total_energy"])
    for field, name in (("total_time", "totalTime"), ("total_parking_time", "totalParkingTime")):  # hours
        if totals[field] is not None:
            assert abs(dec(cdr[name]) - dec(totals[field])) * 3600 < 2, field
    # The CDR carries the tariff as the partner was given it: the vector's, under our identity.
    document = ok(await client.get(f"{API}/cdrs/{cdr['id']}"))["cdr"]
    ours = {key: value for key, value in document["tariffs"][0].items()
            if key not in ("country_code", "party_id", "id", "last_updated")}  # fmt: skip
    assert ours == {key: value for key, value in vector["tariff"].items()
                    if key not in ("country_code", "party_id", "id", "last_updated")}  # fmt: skip
    assert {period["tariff_id"] for period in document["charging_periods"]} == {network.tariff_id}
    assert document["start_date_time"] == vector["session"]["cdr_charging_periods"][0]["start_date_time"]
