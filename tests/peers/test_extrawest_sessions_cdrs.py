"""A charging session reaches a real third-party eMSP, extrawest-ocpi, pushed by the outbox worker, and so
does its CDR, on 2.2.1 and on 2.1.1.

The operator connects the peer through the management API, publishes a site-backed location with a tariff
to it, evroam pulls the peer's token, the charger has it authorized and reports the session's events.
Step by step the peer's store follows: the session ACTIVE as soon as it starts (a PUT), then with the
period the meter values closed (a PATCH), then COMPLETED with evroam's energy and cost (a PUT). On 2.2.1
the CDR evroam issued is POSTed once, with evroam's totals, and the `Location` the peer answered is kept
on the delivery.

The site and tariff avoid the conformant values extrawest-ocpi 2025.7.16 refuses with HTTP 422 (see
test_extrawest_pushes.py: `EnergyMix.environ_impact` as a list, 2.1.1 `Hours` without
`twentyfourseven`); the CDR carries the tariff, so the tariff's energy mix matters here too.

On 2.1.1 extrawest refuses every CDR evroam sends, with HTTP 422, for a field of its own `Cdr` model
(py_ocpi/modules/cdrs/v_2_1_1/schemas.py) that disagrees with OCPI 2.1.1 (mod_cdrs): it requires
`end_date_time`, where 2.1.1 names the CDR's end `stop_date_time` (`end_date_time` is 2.2's name), which
evroam sends; no conformant CDR can satisfy extrawest here, so no test input avoids it. (It also
requires `location.time_zone` and the connector's `tariff_id`, both optional in 2.1.1: evroam's CDR
location says both, from the partner's location and the CDR's tariff.) The 2.1.1 test asserts that this
field, and nothing else, is refused (so the rest of evroam's CDR reads as extrawest's model), and that
evroam keeps the CDR's delivery trying rather than losing it or counting it delivered.

Left as extrawest does it (the tests do not lean on it): a PATCH of `charging_periods` replaces the list
it holds (py_ocpi's `partially_update_attributes` sets every field given), where 2.2.1 says the periods
of a PATCH are added to those held; the session here closes one period before it ends, so the one PATCH
shows the same either way, and the final PUT carries every period. py_ocpi's cdrs Receiver lives at
`.../cdrs/` and redirects a POST to `.../cdrs` there (HTTP 307), and the `Location` it answers is
`https://` with its enums' names in the path (`VersionNumber.v_2_2_1/ModuleID.cdrs`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from tests.integrations.factories import API, ok
from tests.ocpi.factories import eventually, worker_running
from tests.peers.management import INTEGRATIONS
from tests.peers.tokens_support import TokensPeer, publish_charger_to_the_peer

if TYPE_CHECKING:
    from tests.peers.conftest import ExtrawestEmsp

pytestmark = pytest.mark.peer
CHARGER = "XW-SESSION-1"
# 0.30/kWh and a 0.50 start fee, both with 24 % VAT.
ELEMENTS = [{"priceComponents": [{"type": "ENERGY", "price": 0.30, "vat": 24, "stepSize": 1},
                                 {"type": "FLAT", "price": 0.50, "vat": 24, "stepSize": 1}]}]
# What extrawest's 2.1.1 Cdr refuses in every CDR evroam sends (see the module docstring).
EXTRAWEST_211_CDR_DEFECTS = {("body", "end_date_time")}


class Charger:
    """The charger's events for one transaction on socket 1, starting at the next whole minute (after the
    authorization, as at a charger)."""

    def __init__(self, client) -> None:
        self.client = client
        self.start = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)

    def at(self, minutes: float) -> str:
        return (self.start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def send(self, event: dict[str, Any]) -> None:
        event = {"eventId": f"xw-{event['type']}-{event['time']}", "transactionId": "xw-tx-1", **event}
        ok(await self.client.post(f"{API}/chargers/{CHARGER}/events", json={"events": [event]}))

    async def started(self, id_tag: str, reference: str | None) -> None:
        await self.send({"type": "SessionStarted", "time": self.at(0), "socketId": 1, "idTag": id_tag,
                         "meterStartWh": 1000, "authorizationReference": reference})

    async def meter(self, minutes: float, energy_wh: float) -> None:
        await self.send({"type": "MeterValues", "time": self.at(minutes), "energyWh": energy_wh})

    async def stopped(self, minutes: float, energy_wh: float) -> None:
        await self.send({"type": "SessionStopped", "time": self.at(minutes), "meterStopWh": energy_wh,
                         "reason": "EVDisconnected"})


@dataclass
class Charged:
    """One session charged at the published charger, the peer watching: what it held on the way."""

    peer: TokensPeer
    driver: dict[str, Any]
    decision: dict[str, Any]
    charger: Charger
    location_id: str
    session_id: str
    # The peer's session right after the start, and after the meter values closed the first period.
    started: dict[str, Any]
    one_period_closed: dict[str, Any]
    held: Callable[[str], dict[str, dict[str, Any]]]
    deliveries: Callable[[], Awaitable[list[dict[str, Any]]]]


async def charge(client, runtime, extrawest: ExtrawestEmsp) -> Charged:
    """Connects the peer, publishes the location and tariff, pulls the peer's token, authorizes it and
    charges 14 kWh in 50 minutes with the worker running, waiting at each step for the peer to hold the
    session as it should by then; returns once the CDR's POST has been answered."""
    published = await publish_charger_to_the_peer(client, runtime, extrawest, CHARGER, ELEMENTS)
    peer, driver, location_id = published.peer, published.driver, published.location_id
    decision = ok(await client.post(f"{API}/authorize", json={"chargerId": CHARGER, "socketId": 1,
                                                              "idTag": driver["uid"]}))
    assert decision["allowed"] and decision["integrationId"] == peer.integration_id, decision
    charger = Charger(client)
    session_id = ""

    def held(module: str) -> dict[str, dict[str, Any]]:
        # extrawest keys its objects by id, lower-case where the id is a CiString.
        return {key.lower(): value for key, value in extrawest.store()["objects"].get(module, {}).items()}

    def the_peers_session() -> dict[str, Any]:
        return held("sessions").get(session_id.lower(), {})

    async def the_peer_holds_the_session(status: str, periods: int) -> bool:
        session = the_peers_session()
        return (session.get("status"), len(session.get("charging_periods", []))) == (status, periods)

    async def deliveries() -> list[dict[str, Any]]:
        return ok(await client.get(f"{INTEGRATIONS}/{peer.integration_id}/deliveries"))["items"]

    async def the_cdr_answered() -> bool:
        return any(row["module"] == "cdrs" and row.get("lastHttpStatus") for row in await deliveries())

    async with worker_running(runtime):
        try:
            await charger.started(driver["uid"], decision["authorizationReference"])
            session_id = ok(await client.get(f"{API}/sessions"))["items"][0]["id"]
            await eventually(lambda: the_peer_holds_the_session("ACTIVE", periods=0), timeout=20)
            started = the_peers_session()
            await charger.meter(20, 7000)  # closes the period 0-15 (cut every 15 minutes)
            await eventually(lambda: the_peer_holds_the_session("ACTIVE", periods=1), timeout=20)
            one_period_closed = the_peers_session()
            await charger.stopped(50, 15000)
            await eventually(lambda: the_peer_holds_the_session("COMPLETED", periods=4), timeout=20)
            await eventually(the_cdr_answered, timeout=20)
        except AssertionError as failure:
            store = extrawest.store()
            raise AssertionError(f"{failure}; deliveries: {await deliveries()}; pushes: {store['pushes']}; "
                                 f"refusals: {store['refusals'][:1]}") from failure
    return Charged(peer, driver, decision, charger, location_id, session_id, started, one_period_closed, held,
                   deliveries)


@pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1", "2.1.1"])
async def test_the_peer_follows_the_session_from_its_start_to_its_end(client, runtime, live_evroam, extrawest,
                                                                      extrawest_versions):
    charged = await charge(client, runtime, extrawest)
    at = charged.charger.at
    assert charged.peer.version == extrawest_versions.split(",")[0]
    ours = ok(await client.get(f"{API}/sessions/{charged.session_id}"))
    assert ours["status"] == "COMPLETED" and ours["integrationId"] == charged.peer.integration_id
    theirs = charged.held("sessions")[charged.session_id.lower()]
    assert _number(theirs["kwh"]) == _number(ours["kwh"]) == Decimal(14)
    assert [period["start_date_time"] for period in theirs["charging_periods"]] == [at(0), at(15), at(30), at(45)]
    # Before it ended: 0 kWh and no period at the start; then the first period, closed by the meter
    # values at minute 20, with the energy measured by then (6 kWh).
    assert _number(charged.started["kwh"]) == 0
    assert [period["start_date_time"] for period in charged.one_period_closed["charging_periods"]] == [at(0)]
    assert _number(charged.one_period_closed["kwh"]) == 6
    if charged.peer.version == "2.1.1":
        # 2.1.1 says one total, excluding VAT, and the token by its contract id.
        assert _number(theirs["total_cost"]) == _number(ours["costs"]["total"]["exclVat"])
        assert (theirs["start_datetime"], theirs["end_datetime"]) == (at(0), at(50))
        assert theirs["auth_id"].upper() == charged.driver["contract_id"]
        assert theirs["location"]["id"].lower() == charged.location_id.lower()
    else:
        assert _price(theirs["total_cost"]) == _price(ours["costs"]["total"])
        assert (theirs["start_date_time"], theirs["end_date_time"]) == (at(0), at(50))
        assert theirs["cdr_token"]["uid"].upper() == charged.driver["uid"]
        assert theirs["authorization_reference"].lower() == charged.decision["authorizationReference"].lower()
        assert theirs["location_id"].lower() == charged.location_id.lower()
    pushes = [push for push in extrawest.store()["pushes"] if "/sessions/" in push["path"]]
    assert [(push["method"], push["status"]) for push in pushes] == [("PUT", 200), ("PATCH", 200), ("PUT", 200)]


@pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1"])
async def test_the_peer_receives_the_cdr_once(client, runtime, live_evroam, extrawest, extrawest_versions):
    charged = await charge(client, runtime, extrawest)
    [cdr] = ok(await client.get(f"{API}/cdrs", params={"integrationId": charged.peer.integration_id}))["items"]
    [theirs] = charged.held("cdrs").values()
    assert theirs["id"].lower() == cdr["id"].lower()
    assert theirs["session_id"].lower() == charged.session_id.lower()
    assert _number(theirs["total_energy"]) == _number(cdr["totalEnergy"]) == Decimal(14)
    assert _price(theirs["total_cost"]) == _price(cdr["costs"]["total"])
    assert theirs["authorization_reference"].lower() == charged.decision["authorizationReference"].lower()

    pushes = [push for push in extrawest.store()["pushes"] if "/cdrs" in push["path"]]
    # py_ocpi serves its cdrs Receiver at `.../cdrs/` and redirects a POST to `.../cdrs` there (HTTP 307),
    # which evroam follows: the CDR arrives once.
    assert [(push["method"], push["status"]) for push in pushes] == [("POST", 307), ("POST", 200)]
    [delivery] = [row for row in await charged.deliveries() if row["module"] == "cdrs"]
    assert (delivery["objectId"], delivery["method"], delivery["status"], delivery["attempts"]) == (
        cdr["id"], "POST", "DELIVERED", 1)
    # The CDR's URL as the peer answered it, kept as it is (py_ocpi builds it wrong: https, and its
    # enums' names for the version and module).
    assert delivery["partnerLocation"] == pushes[-1]["location"]
    assert delivery["partnerLocation"].lower().endswith(f"/{cdr['id'].lower()}")


@pytest.mark.parametrize("extrawest_versions", ["2.1.1"])
async def test_extrawest_refuses_the_211_cdr_for_its_own_defects_and_evroam_keeps_it(
        client, runtime, live_evroam, extrawest, extrawest_versions):
    """See the module docstring: the 2.1.1 CDR evroam sends is refused for one field only, extrawest's
    defect; the delivery keeps trying, the CDR neither lost nor counted delivered."""
    charged = await charge(client, runtime, extrawest)
    [cdr] = ok(await client.get(f"{API}/cdrs", params={"integrationId": charged.peer.integration_id}))["items"]
    [delivery] = [row for row in await charged.deliveries() if row["module"] == "cdrs"]
    assert (delivery["objectId"], delivery["lastHttpStatus"]) == (cdr["id"], 422)
    assert delivery["status"] in ("RETRYING", "IN_FLIGHT")
    assert charged.held("cdrs") == {}
    refusals = [refusal for refusal in extrawest.store()["refusals"] if "/cdrs" in refusal["path"]]
    assert refusals
    for refusal in refusals:
        assert {tuple(error["loc"]) for error in refusal["errors"]} == EXTRAWEST_211_CDR_DEFECTS, refusal


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


def _price(price: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """(excl. VAT, incl. VAT) of an OCPI Price or of the management API's cost."""
    return (_number(price.get("excl_vat", price.get("exclVat"))), _number(price.get("incl_vat", price.get("inclVat"))))
