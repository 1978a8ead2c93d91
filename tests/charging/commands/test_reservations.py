"""Reservation ids: the charger gets an integer of evroam's, unique at the operator, never the eMSP's; two
eMSPs using the same reservation_id get different ones; a RESERVE_NOW reusing its id replaces the
reservation (the same id at the charger); an eMSP cancels only a reservation it made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.charging.commands.conftest import Network, in_an_hour
from tests.integrations.factories import ok
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
