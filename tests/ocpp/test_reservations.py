"""RESERVE_NOW and CANCEL_RESERVATION from the commands queue reach the simulated charger as ReserveNow and
CancelReservation over its WebSocket; its answer is the command's result (both engines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evroam.simulate.run import connected
from tests.ocpp.conftest import COMMANDS_POLLED_OFTEN, PASSWORD, Gateway, pending, settled

EXPIRY = datetime(2030, 1, 31, 12, 30, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return COMMANDS_POLLED_OFTEN


async def reserve(gateway: Gateway, reservation_id: int, socket_id: int = 1) -> dict[str, Any]:
    command_id = await pending(gateway, "RESERVE_NOW", socket_id=socket_id, id_tag="DRIVER1",
                               reservation_id=reservation_id, expiry_date=EXPIRY)
    return await settled(gateway, command_id)


async def cancel(gateway: Gateway, reservation_id: int) -> dict[str, Any]:
    return await settled(gateway, await pending(gateway, "CANCEL_RESERVATION", socket_id=1,
                                                reservation_id=reservation_id))


async def test_the_charger_holds_a_reservation_until_it_is_cancelled(gateway: Gateway) -> None:
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD) as charger:
        reserved = await reserve(gateway, 7)
        assert (reserved["result"], reserved["message"]) == ("ACCEPTED", "the charger answered Accepted")
        # Our reservation id, the driver's token and the expiry in UTC, at the command's connector.
        assert charger.reservations == {7: {"connector_id": 1, "id_tag": "DRIVER1",
                                            "expiry_date": "2030-01-31T12:30:00Z"}}

        another = await reserve(gateway, 8)
        assert (another["result"], another["message"]) == ("EVSE_OCCUPIED", "the charger answered Occupied")
        elsewhere = await reserve(gateway, 9, socket_id=2)
        assert (elsewhere["result"], elsewhere["message"]) == ("REJECTED", "the charger answered Rejected")

        assert (await cancel(gateway, 7))["result"] == "ACCEPTED"
        assert charger.reservations == {}
        # A reservation the charger does not hold: OCPP's Rejected, which OCPI calls UNKNOWN_RESERVATION.
        unknown = await cancel(gateway, 7)
        assert (unknown["result"], unknown["message"]) == ("UNKNOWN_RESERVATION", "the charger answered Rejected")


async def test_a_charger_charging_is_occupied(gateway: Gateway) -> None:
    async with connected(f"{gateway.url}/ocpp", "CH-1", PASSWORD) as charger:
        await charger.start_transaction("DRIVER1")
        assert (await reserve(gateway, 7))["result"] == "EVSE_OCCUPIED"
    assert charger.reservations == {}
