"""Every command of both versions gets its CommandResponse at once (2.2.1: ACCEPTED with the timeout;
2.1.1: the result alone), and an accepted one waits for the charger side with what the charger needs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.charging.commands.conftest import Network, in_an_hour, instant
from tests.integrations.factories import ok
from tests.ocpi.factories import schema_errors
from tests.support.command_emsp import V211, V221, Sent

DEFAULT_TIMEOUT = 60  # EVROAM_COMMAND_TIMEOUT's default: a charger's ~30 s connection timeout plus margin


def assert_accepted(network: Network, sent: Sent) -> None:
    assert sent.response.status_code == 200, sent.response.text
    assert sent.envelope["status_code"] == 1000, sent.envelope
    if network.version == V221:
        assert schema_errors("commands", "CommandResponse", sent.data) == []
        assert (sent.data["result"], sent.data["timeout"]) == ("ACCEPTED", DEFAULT_TIMEOUT), sent.data
    else:
        assert sent.data == {"result": "ACCEPTED"}, "2.1.1's CommandResponse has no timeout and no message"


def assert_queued(network: Network, item: dict[str, Any], command: str, socket_id: int | None = 1) -> None:
    """An item of the charger side's list: the command, pending at CH-1 for this integration."""
    assert (item["type"], item["status"], item["integrationId"], item["chargerId"], item["ocpiVersion"]) == (
        command, "PENDING", network.integration_id, "CH-1", network.version)
    if socket_id is not None:
        assert item["socketId"] == socket_id
    assert (item["answeredAt"], item["result"]) == (None, None)
    seconds = (instant(item["deadline"]) - instant(item["createdAt"])).total_seconds()
    assert seconds == pytest.approx(DEFAULT_TIMEOUT, abs=1), "the deadline is createdAt + the timeout the eMSP was told"


async def test_start_session(network: Network) -> None:
    uid, connector_id = network.evses[1]
    sent = await network.sender.start_session(network.location_id, uid, connector_id, authorization_reference="APP-1")
    assert_accepted(network, sent)
    item = await network.only_pending()
    assert_queued(network, item, "START_SESSION", socket_id=2)
    assert (item["locationId"], item["evseUid"], item["idTag"]) == (network.location_id, uid, "APPDRIVER1")
    if network.version == V221:
        assert (item["connectorId"], item["authorizationReference"]) == (connector_id, "APP-1")
    else:
        assert item["authorizationReference"], "2.1.1 sends none: evroam makes one"
    assert await network.command(item["commandId"]) == item


async def test_stop_session(network: Network) -> None:
    _, session = await network.start_by_command()
    sent = await network.sender.stop_session(session["id"])
    assert_accepted(network, sent)
    listed = await network.commands(status="PENDING", chargerId="CH-1", type="STOP_SESSION")
    assert listed["totalRecords"] == 1, listed
    item = listed["items"][0]
    assert_queued(network, item, "STOP_SESSION")
    assert item["transactionId"] == "tx-1", "the charger stops its transaction"


async def test_reserve_now(network: Network) -> None:
    uid, _ = network.evses[0]
    reservation_id = "RES-1" if network.version == V221 else 424242
    sent = await network.sender.reserve_now(reservation_id, network.location_id, uid, in_an_hour())
    assert_accepted(network, sent)
    item = await network.only_pending()
    assert_queued(network, item, "RESERVE_NOW")
    assert (item["evseUid"], item["idTag"]) == (uid, "APPDRIVER1")
    assert isinstance(item["reservationId"], int) and item["reservationId"] != 424242
    assert item["expiryDate"]


@pytest.mark.parametrize("ocpi_version", [V221])
async def test_cancel_reservation(network: Network) -> None:
    uid, _ = network.evses[0]
    reserved = await network.sender.reserve_now("RES-1", network.location_id, uid, in_an_hour())
    assert_accepted(network, reserved)
    reservation = await network.only_pending()
    ok(await network.answer(reservation["commandId"], "ACCEPTED"))
    sent = await network.sender.cancel_reservation("RES-1")
    assert_accepted(network, sent)
    item = await network.only_pending()
    assert_queued(network, item, "CANCEL_RESERVATION", socket_id=None)
    assert item["reservationId"] == reservation["reservationId"], "the charger cancels our id, not the eMSP's"


async def test_unlock_connector(network: Network) -> None:
    uid, connector_id = network.evses[1]
    sent = await network.sender.unlock_connector(network.location_id, uid, connector_id)
    assert_accepted(network, sent)
    item = await network.only_pending()
    assert_queued(network, item, "UNLOCK_CONNECTOR", socket_id=2)
    assert (item["locationId"], item["evseUid"], item["connectorId"]) == (network.location_id, uid, connector_id)


@pytest.mark.parametrize("ocpi_version", [V211])
async def test_2_1_1_has_no_cancel_reservation(network: Network) -> None:
    sent = await network.sender.command("CANCEL_RESERVATION", reservation_id=424242)
    assert (sent.response.status_code, sent.envelope["status_code"]) == (404, 2001), sent.response.text
    assert "CANCEL_RESERVATION" in sent.envelope["status_message"]
    assert (await network.commands())["totalRecords"] == 0
