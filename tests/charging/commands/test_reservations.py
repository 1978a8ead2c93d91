"""Reservation ids: the charger gets an integer of evroam's, unique at the operator, never the eMSP's; two
eMSPs using the same reservation_id get different ones; a RESERVE_NOW reusing its id replaces the
reservation (the same id at the charger); an eMSP cancels only a reservation it made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from evroam.background import start_periodic_jobs
from evroam.charging.reservations import flows as reservations
from evroam.charging.reservations.flows import expire_reservations
from evroam.charging.reservations.models import ACTIVE, CANCELLED, EXPIRED, Reservation
from tests.charging.commands.conftest import Network, in_an_hour, instant
from tests.integrations.factories import ok
from tests.ocpi.factories import eventually
from tests.support.command_emsp import V221, CommandSender

EMSP_RESERVATION = {"2.2.1": "RES-7", "2.1.1": 777777}


async def reserve(network: Network, sender: CommandSender, location_id: str, expiry_date: str | None = None) -> dict:
    """An accepted RESERVE_NOW of EMSP_RESERVATION at socket 1, answered ACCEPTED by the charger: its command."""
    uid, _ = network.evses[0]
    sent = await sender.reserve_now(EMSP_RESERVATION[network.version], location_id, uid, expiry_date or in_an_hour())
    assert sent.result == "ACCEPTED", sent.envelope
    [command] = (await network.commands(status="PENDING", type="RESERVE_NOW",
                                        integrationId=sender.partner.integration_id))["items"]
    ok(await network.answer(command["commandId"], "ACCEPTED"))
    return command


async def test_each_emsps_reservation_gets_an_id_of_the_operator(network: Network) -> None:
    other, other_location = await network.another_emsp()
    ours = await reserve(network, network.sender, network.location_id)
    theirs = await reserve(network, other, other_location)
    for command in (ours, theirs):
        assert isinstance(command["reservationId"], int)
        assert str(command["reservationId"]) != str(EMSP_RESERVATION[network.version]), "never the eMSP's id"
    assert ours["reservationId"] != theirs["reservationId"], "the same eMSP id of two eMSPs: two reservations"


async def test_the_same_reservation_id_replaces_the_reservation(network: Network) -> None:
    first = await reserve(network, network.sender, network.location_id)
    later = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    again = await reserve(network, network.sender, network.location_id, expiry_date=later)
    assert again["reservationId"] == first["reservationId"]
    assert again["commandId"] != first["commandId"], "two commands, one reservation"


@pytest.mark.parametrize("ocpi_version", [V221])
async def test_an_emsp_cancels_only_its_own_reservations(network: Network) -> None:
    ours = await reserve(network, network.sender, network.location_id)
    other, _ = await network.another_emsp()
    for sender, reservation_id in ((network.sender, "NO-SUCH-RESERVATION"), (other, EMSP_RESERVATION[V221])):
        sent = await sender.cancel_reservation(reservation_id)
        assert (sent.response.status_code, sent.envelope["status_code"], sent.result) == (200, 1000, "REJECTED")
        assert " ".join(message["text"] for message in sent.data["message"]), "a refusal says why"
    assert (await network.commands(status="PENDING", type="CANCEL_RESERVATION"))["totalRecords"] == 0

    cancelled = await network.sender.cancel_reservation(EMSP_RESERVATION[V221])
    assert cancelled.result == "ACCEPTED", cancelled.envelope
    [command] = (await network.commands(status="PENDING", type="CANCEL_RESERVATION"))["items"]
    assert command["reservationId"] == ours["reservationId"]


# -- what partners see of the reserved EVSE: its status, set through the charger events' ingest path ----

FREE, RESERVED = ["AVAILABLE", "AVAILABLE"], ["RESERVED", "AVAILABLE"]


async def reservation_row(network: Network, command: dict) -> Reservation:
    async with network.runtime.sessions() as session:
        return await session.get_one(Reservation, command["reservationId"])


async def test_an_accepted_reservation_shows_the_evse_reserved_to_every_emsp(network: Network) -> None:
    other, other_location = await network.another_emsp()
    uid, _ = network.evses[0]
    sent = await network.sender.reserve_now(EMSP_RESERVATION[network.version], network.location_id, uid, in_an_hour())
    command = await network.only_pending()
    assert await network.evse_statuses() == FREE, "nothing is reserved before the charger says so"
    ok(await network.answer(command["commandId"], "ACCEPTED"))
    assert await network.evse_statuses() == RESERVED
    assert await network.evse_statuses(other, other_location) == RESERVED, "every partner sees it"
    socket = ok(await network.client.get("/api/v2/cpo/chargers/CH-1"))["sockets"][0]
    assert socket["status"] == "Reserved", "recorded as the charger's own status"
    await network.deliver()
    network.assert_told(network.emsp.results(sent.name)[0].body, "ACCEPTED")


async def test_a_reservation_the_charger_refuses_leaves_the_evse_free(network: Network) -> None:
    uid, _ = network.evses[0]
    await network.sender.reserve_now(EMSP_RESERVATION[network.version], network.location_id, uid, in_an_hour())
    command = await network.only_pending()
    ok(await network.answer(command["commandId"], "EVSE_OCCUPIED"))
    assert await network.evse_statuses() == FREE
    assert (await reservation_row(network, command)).status == CANCELLED
    assert await expire_reservations(network.runtime, datetime.now(UTC) + timedelta(hours=2)) == 0


@pytest.mark.parametrize("ocpi_version", [V221])
async def test_a_cancelled_reservation_frees_the_evse(network: Network) -> None:
    reserved = await reserve(network, network.sender, network.location_id)
    sent = await network.sender.cancel_reservation(EMSP_RESERVATION[V221])
    assert sent.result == "ACCEPTED", sent.envelope
    cancel = await network.only_pending()
    assert await network.evse_statuses() == RESERVED, "held until the charger cancels it"
    ok(await network.answer(cancel["commandId"], "ACCEPTED"))
    assert await network.evse_statuses() == FREE
    assert (await reservation_row(network, reserved)).status == CANCELLED
    assert await expire_reservations(network.runtime, datetime.now(UTC) + timedelta(hours=2)) == 0, \
        "a cancelled reservation does not expire later"


@pytest.mark.parametrize("ocpi_version", [V221])
async def test_a_cancellation_the_charger_refuses_keeps_the_reservation(network: Network) -> None:
    reserved = await reserve(network, network.sender, network.location_id)
    await network.sender.cancel_reservation(EMSP_RESERVATION[V221])
    ok(await network.answer((await network.only_pending())["commandId"], "UNKNOWN_RESERVATION"))
    assert await network.evse_statuses() == RESERVED
    assert (await reservation_row(network, reserved)).status == ACTIVE


async def test_a_reservation_expires_at_its_expiry_date(network: Network) -> None:
    reserved = await reserve(network, network.sender, network.location_id)
    assert await expire_reservations(network.runtime) == 0, "not before its expiry_date"
    assert await network.evse_statuses() == RESERVED
    assert await expire_reservations(network.runtime, datetime.now(UTC) + timedelta(hours=2)) == 1
    assert await network.evse_statuses() == FREE
    assert (await reservation_row(network, reserved)).status == EXPIRED


async def test_the_periodic_job_expires_reservations(network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await reserve(network, network.sender, network.location_id, expiry_date=soon)
    assert await network.evse_statuses() == RESERVED
    monkeypatch.setattr(reservations, "EXPIRY_CHECK_EVERY", 0.2)
    stop = start_periodic_jobs(network.runtime)
    try:
        await eventually(lambda: _statuses_are(network, FREE), timeout=10)
    finally:
        stop()


async def _statuses_are(network: Network, wanted: list[str]) -> bool:
    return await network.evse_statuses() == wanted


async def test_an_expiry_leaves_a_socket_the_driver_took(network: Network) -> None:
    """A driver who plugged in meanwhile made the socket Preparing: the expiry must not free it."""
    await reserve(network, network.sender, network.location_id)
    ok(await network.post({"eventId": "plugged", "type": "StatusChanged", "time": datetime.now(UTC).isoformat(),
                           "socketId": 1, "status": "Preparing"}))
    assert await expire_reservations(network.runtime, datetime.now(UTC) + timedelta(hours=2)) == 1
    assert (await network.evse_statuses())[0] == "CHARGING", "Preparing, as partners see it, stands"


async def test_a_replacing_reservation_at_another_evse_frees_the_first(network: Network) -> None:
    first = await reserve(network, network.sender, network.location_id)
    assert await network.evse_statuses() == RESERVED
    uid, _ = network.evses[1]
    sent = await network.sender.reserve_now(EMSP_RESERVATION[network.version], network.location_id, uid,
                                            in_an_hour())
    assert sent.result == "ACCEPTED", sent.envelope
    moved = await network.only_pending()
    assert (moved["reservationId"], moved["socketId"]) == (first["reservationId"], 2)
    ok(await network.answer(moved["commandId"], "ACCEPTED"))
    assert await network.evse_statuses() == ["AVAILABLE", "RESERVED"]
    assert await expire_reservations(network.runtime, datetime.now(UTC) + timedelta(hours=2)) == 1
    assert await network.evse_statuses() == FREE


async def test_a_replacement_the_charger_refuses_keeps_the_reservation_it_had(network: Network) -> None:
    first = await reserve(network, network.sender, network.location_id)
    uid, _ = network.evses[1]
    await network.sender.reserve_now(EMSP_RESERVATION[network.version], network.location_id, uid,
                                     (datetime.now(UTC) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    ok(await network.answer((await network.only_pending())["commandId"], "REJECTED"))
    assert await network.evse_statuses() == RESERVED
    kept = await reservation_row(network, first)
    assert (kept.status, kept.socket_id, kept.expiry_date) == (ACTIVE, 1, instant(first["expiryDate"]))
    assert await expire_reservations(network.runtime, datetime.now(UTC) + timedelta(hours=2)) == 1, \
        "it expires when the reservation the charger kept does"
    assert await network.evse_statuses() == FREE
