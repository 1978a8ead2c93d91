"""A session that begins on a reservation (its SessionStarted names our `reservationId`): the reservation is
taken up (USED: it no longer expires, and its socket does not stay Reserved), the session is the reserving
eMSP's with the RESERVE_NOW's authorization_reference, and, in 2.2.1, the session and its CDR begin with
the reservation's time: a RESERVATION_TIME period from the booking to the charging's start, priced by the
tariff's RESERVATION element into total_reservation_cost, the CDR starting at the booking (OCPI: "the
start of the reservation"). 2.1.1 has no RESERVATION_TIME and no reservation tariffs: nothing is billed."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from evroam.charging.reservations.flows import expire_reservations
from evroam.charging.reservations.models import USED, Reservation
from tests.charging.commands.conftest import Network, instant
from tests.charging.commands.test_reservations import reserve
from tests.charging.sessions.conftest import ELEMENTS
from tests.charging.sessions.test_session_lifecycle import document_of
from tests.charging.sessions.timeline import at
from tests.integrations.factories import ok
from tests.ocpi.factories import schema_errors
from tests.support.command_emsp import V221

RESERVATION_PER_HOUR = Decimal("6.00")  # excl. VAT, billed per started minute
RESERVATION_ELEMENT = {"priceComponents": [{"type": "TIME", "price": 6.00, "vat": 24, "stepSize": 60}],
                       "restrictions": {"reservation": "RESERVATION"}}


def started_on(command: dict[str, Any], minutes: float = 5) -> dict[str, Any]:
    """The charger's SessionStarted for the driver who held the reservation: no commandId, no reference."""
    return {"eventId": "tx-r-start", "type": "SessionStarted", "time": at(minutes), "socketId": 1,
            "transactionId": "tx-r", "idTag": command["idTag"], "meterStartWh": 1000,
            "reservationId": command["reservationId"]}


def stopped_at(minutes: float) -> dict[str, Any]:
    return {"eventId": "tx-r-stop", "type": "SessionStopped", "time": at(minutes), "transactionId": "tx-r",
            "meterStopWh": 11000, "reason": "EVDisconnected"}


async def reserved_then_started(network: Network) -> tuple[dict[str, Any], dict[str, Any]]:
    """A reservation the charger accepted, with a reservation element in the tariff, then the session on it."""
    ok(await network.client.patch(f"/api/v2/cpo/tariffs/{network.tariff_id}",
                                  json={"elements": [RESERVATION_ELEMENT, *ELEMENTS]}))
    command = await reserve(network, network.sender, network.location_id)
    results = ok(await network.post(started_on(command)))["results"]
    assert [result["eventId"] for result in results] == ["tx-r-start"], "the answer names the charger's events only"
    return command, await network.only_session()


async def test_a_reservation_a_session_began_on_is_used(network: Network) -> None:
    command, session = await reserved_then_started(network)
    async with network.runtime.sessions() as db:
        assert (await db.get_one(Reservation, command["reservationId"])).status == USED
    assert (await network.evse_statuses())[0] == "CHARGING", "no longer shown RESERVED"
    assert await expire_reservations(network.runtime, datetime.now(UTC) + timedelta(hours=2)) == 0
    assert (await network.evse_statuses())[0] == "CHARGING", "the expiry job leaves it alone"
    assert (session["integrationId"], session["authorizationReference"], session["idTag"]) == (
        network.integration_id, command["authorizationReference"], "APPDRIVER1")


async def test_the_session_and_its_cdr_carry_the_reservation_time(network: Network) -> None:
    command, session = await reserved_then_started(network)
    async with network.runtime.sessions() as db:
        booked = (await db.get_one(Reservation, command["reservationId"])).created_at
    ok(await network.post(stopped_at(35)))
    document = await document_of(network, session["id"])
    [listed] = ok(await network.client.get("/api/v2/cpo/cdrs"))["items"]
    detail = ok(await network.client.get(f"/api/v2/cpo/cdrs/{listed['id']}"))
    cdr = detail["cdr"]
    assert schema_errors("cdrs", "CDR", cdr) == []
    assert cdr["total_time"] == 0.5, "the reservation is no charging time"
    if network.version != V221:
        assert not [dimension for period in document["charging_periods"] + cdr["charging_periods"]
                    for dimension in period["dimensions"] if dimension["type"] == "RESERVATION_TIME"]
        assert (cdr["start_date_time"], detail["costs"]["reservation"]) == (at(5), None), "2.1.1 bills no reservation"
        return

    assert schema_errors("sessions", "Session", document) == []
    first = document["charging_periods"][0]
    reservation_start = instant(first["start_date_time"])
    assert abs((reservation_start - booked).total_seconds()) < 1, (first, booked)
    reserved_s = (instant(at(5)) - reservation_start).total_seconds()
    assert first["dimensions"] == [{"type": "RESERVATION_TIME", "volume": round(reserved_s / 3600, 7)}]
    assert document["charging_periods"][1]["start_date_time"] == at(5), "charging begins where it ends"
    assert document["start_date_time"] == at(5), "the Session starts when it became ACTIVE"

    assert cdr["start_date_time"] == first["start_date_time"], "the CDR starts with the reservation"
    assert cdr["charging_periods"][0]["dimensions"] == first["dimensions"]
    billed_minutes = math.ceil(reserved_s / 60)
    expected = (RESERVATION_PER_HOUR * billed_minutes / 60).quantize(Decimal("0.0001"))
    assert Decimal(str(cdr["total_reservation_cost"]["excl_vat"])) == expected, cdr["total_reservation_cost"]
    assert detail["costs"]["reservation"]["exclVat"] == float(expected)


async def test_a_session_after_the_expiry_does_not_take_the_reservation(network: Network) -> None:
    command = await reserve(network, network.sender, network.location_id,
                            expiry_date=(datetime.now(UTC) + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    late = started_on(command, minutes=10)
    ok(await network.post(late))
    async with network.runtime.sessions() as db:
        assert (await db.get_one(Reservation, command["reservationId"])).status != USED
    document = await document_of(network, (await network.only_session())["id"])
    assert all(dimension["type"] != "RESERVATION_TIME" for period in document["charging_periods"]
               for dimension in period["dimensions"])


async def test_a_session_naming_another_reservation_leaves_this_one(network: Network) -> None:
    command = await reserve(network, network.sender, network.location_id)
    other = {**started_on(command), "reservationId": command["reservationId"] + 1000}
    ok(await network.post(other))
    async with network.runtime.sessions() as db:
        assert (await db.get_one(Reservation, command["reservationId"])).status != USED
