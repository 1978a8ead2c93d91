"""The whole chain over loopback: a simulated OCPP 1.6J charger (evroam's simulator), evroam's gateway and
the real extrawest-ocpi eMSP.

The eMSP's driver token, pulled from its Tokens Sender, is presented at the simulated charger's reader:
the gateway's Authorize answers from the authorization decision, and the StartTransaction opens a session
the eMSP receives (a PUT), then its meter values (PATCHes), then the end (a PUT) and the priced CDR
(POSTed once). Half-way the charger loses its WebSocket, keeps charging, and on reconnecting sends what
it queued, in order, with the times it happened: the eMSP's session and CDR hold every Wh of it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from ocpp.v16 import call

from evroam.simulate.run import connected
from tests.integrations.factories import API, ok
from tests.ocpi.factories import eventually, worker_running
from tests.peers.management import INTEGRATIONS
from tests.peers.tokens_support import publish_charger_to_the_peer

if TYPE_CHECKING:
    from tests.peers.conftest import ExtrawestEmsp

pytestmark = pytest.mark.peer
CHARGER = "XW-OCPP-1"
PASSWORD = "xw-ocpp-charger-password-01"
# 0.30/kWh and a 0.50 start fee, both with 24 % VAT.
ELEMENTS = [{"priceComponents": [{"type": "ENERGY", "price": 0.30, "vat": 24, "stepSize": 1},
                                 {"type": "FLAT", "price": 0.50, "vat": 24, "stepSize": 1}]}]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def register(energy_wh: int, at: datetime) -> list[dict[str, Any]]:
    return [{"timestamp": stamp(at), "sampledValue": [
        {"value": str(energy_wh), "context": "Sample.Periodic", "measurand": "Energy.Active.Import.Register",
         "unit": "Wh"}]}]


@pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1"])
async def test_a_driver_charges_at_a_simulated_charger_and_the_emsp_sees_it_all(
        client, runtime, live_evroam, extrawest: ExtrawestEmsp, extrawest_versions):
    published = await publish_charger_to_the_peer(client, runtime, extrawest, CHARGER, ELEMENTS)
    ok(await client.patch(f"{API}/chargers/{CHARGER}", json={"ocppPassword": PASSWORD}))
    gateway = live_evroam.replace("http://", "ws://") + "/ocpp"
    id_tag = published.driver["uid"]

    def held(module: str) -> dict[str, dict[str, Any]]:
        return {key.lower(): value for key, value in extrawest.store()["objects"].get(module, {}).items()}

    async def our_session() -> dict[str, Any] | None:
        items = ok(await client.get(f"{API}/sessions", params={"chargerId": CHARGER}))["items"]
        return items[0] if items else None

    async def the_peer_holds(status: str, kwh: Decimal) -> bool:
        ours = await our_session()
        theirs = held("sessions").get(ours["id"].lower(), {}) if ours else {}
        return (theirs.get("status"), Decimal(str(theirs.get("kwh", "NaN")))) == (status, kwh)

    async def the_cdr_answered() -> bool:
        rows = ok(await client.get(f"{INTEGRATIONS}/{published.peer.integration_id}/deliveries"))["items"]
        return any(row["module"] == "cdrs" and row.get("lastHttpStatus") for row in rows)

    async with worker_running(runtime):
      try:
        async with connected(gateway, CHARGER, PASSWORD) as charger:
            assert await charger.boot() == "Accepted"
            await charger.report_status("Available")
            assert await charger.authorize(id_tag) == "Accepted"
            charger.meter.energy_wh = 100_000
            transaction_id = await charger.start_transaction(id_tag)
            assert charger.id_tag_status == "Accepted"
            await eventually(lambda: the_peer_holds("ACTIVE", Decimal(0)), timeout=20)
            await asyncio.sleep(1.1)  # a reading a second on: whole seconds, as chargers stamp them
            await charger.call(call.MeterValues(connector_id=1, transaction_id=transaction_id,
                                                meter_value=register(104_000, datetime.now(UTC))))
            await eventually(lambda: the_peer_holds("ACTIVE", Decimal(4)), timeout=20)
        # Offline: the charger keeps charging and queues what it would have sent.
        await asyncio.sleep(1.1)
        offline = datetime.now(UTC).replace(microsecond=0)
        queued = [
            call.MeterValues(connector_id=1, transaction_id=transaction_id, meter_value=register(109_000, offline)),
            call.StatusNotification(connector_id=1, error_code="NoError", status="Finishing", timestamp=stamp(offline)),
            call.StopTransaction(meter_stop=112_500, timestamp=stamp(offline), transaction_id=transaction_id,
                                 reason="EVDisconnected"),
        ]
        async with connected(gateway, CHARGER, PASSWORD) as charger:
            for message in queued:
                await charger.call(message)
            await charger.report_status("Available")
            await eventually(lambda: the_peer_holds("COMPLETED", Decimal("12.5")), timeout=20)
            await eventually(the_cdr_answered, timeout=20)
      except AssertionError as failure:
        raise AssertionError(f"{failure}; ours: {await our_session()}; the peer's: {held('sessions')}; "
                             f"pushes: {extrawest.store()['pushes']}") from failure

    ours = await our_session()
    assert (ours["status"], Decimal(str(ours["kwh"]))) == ("COMPLETED", Decimal("12.5"))
    assert ours["integrationId"] == published.peer.integration_id
    [cdr] = ok(await client.get(f"{API}/cdrs", params={"integrationId": published.peer.integration_id}))["items"]
    [theirs] = held("cdrs").values()
    assert theirs["id"].lower() == cdr["id"].lower()
    assert Decimal(str(theirs["total_energy"])) == Decimal(str(cdr["totalEnergy"])) == Decimal("12.5")
    # 12.5 kWh at 0.30 and the 0.50 start fee, excl. VAT.
    assert Decimal(str(theirs["total_cost"]["excl_vat"])) == Decimal("4.25")
    assert theirs["cdr_token"]["uid"].upper() == id_tag
    assert theirs["end_date_time"] == stamp(offline)
    session_pushes = [(push["method"], push["status"]) for push in extrawest.store()["pushes"]
                      if "/sessions/" in push["path"]]
    assert session_pushes[0] == ("PUT", 200) and session_pushes[-1] == ("PUT", 200)
    assert all(status == 200 for _, status in session_pushes)
