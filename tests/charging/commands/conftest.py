"""The commands tests' network: charger CH-1 (sockets 1 and 2, one EVSE each) at a site published to an eMSP
integration registered with our token C and connected in each OCPI version in turn (the integration's
`ocpi_version` decides every shape), whose eMSP (tests/support/command_emsp.py) sends the commands and
takes the results; the charger side answers through the management API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from evroam.runtime import Runtime
from tests.charging.sessions.conftest import _session_starts_soon  # noqa: F401 - event times start after the command
from tests.charging.sessions.conftest import ELEMENTS
from tests.charging.sessions.conftest import Network as SessionsNetwork
from tests.charging.sessions.timeline import at
from tests.delivery.outbox_rows import all_delivered
from tests.integrations.factories import add_location, make_tariff, ok
from tests.ocpi.factories import FAST, documents, eventually, schema_errors, set_integration, worker_running
from tests.support.authorizing_emsp import PARTNER_TOKEN, connect, site_with_charger
from tests.support.command_emsp import (
    PARTY,
    V211,
    V221,
    CommandEmsp,
    CommandSender,
    ResultPost,
    ocpi_headers,
    running_command_emsp,
)
from tests.support.ocpi_partner import RegisteredPartner, register_partner

API = "/api/v2/cpo"
ROUTING_HEADERS = ("ocpi-from-country-code", "ocpi-from-party-id", "ocpi-to-country-code", "ocpi-to-party-id")


@pytest.fixture(params=[V221, V211])
def ocpi_version(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def command_emsp() -> AsyncIterator[CommandEmsp]:
    async with running_command_emsp() as emsp:
        yield emsp


# What a 2.1.1 eMSP is told of each CommandResultType (its CommandResponseType has no more words).
TOLD_211 = {"ACCEPTED": "ACCEPTED", "CANCELED_RESERVATION": "ACCEPTED", "EVSE_OCCUPIED": "REJECTED",
            "EVSE_INOPERATIVE": "REJECTED", "FAILED": "REJECTED", "NOT_SUPPORTED": "NOT_SUPPORTED",
            "REJECTED": "REJECTED", "UNKNOWN_RESERVATION": "REJECTED", "TIMEOUT": "TIMEOUT"}


def told(version: str, result: str) -> str:
    """The result a partner of `version` is sent for the charger side's `result`."""
    return TOLD_211[result] if version == V211 else result


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def past_deadline(command: dict[str, Any]) -> None:
    """Waits until the command's deadline has passed (tests shorten it with the `command_timeout` setting)."""
    wait = (instant(command["deadline"]) - datetime.now(UTC)).total_seconds()
    assert wait < 5, f"the deadline is {wait:.0f} s away: was command_timeout shortened?"
    await asyncio.sleep(max(0.0, wait) + 0.05)


def in_an_hour() -> str:
    return (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Network(SessionsNetwork):
    """The sessions tests' network (the events it posts, the sessions it lists), its integration an eMSP of
    token C in `version`; `sender` sends that eMSP's commands; `evses` are the published (uid, connector
    id) of sockets 1 and 2."""

    version: str
    sender: CommandSender
    evses: list[tuple[str, str]]
    app: Any
    stack: AsyncExitStack

    @property
    def integrations(self) -> list[str]:
        return [sender.partner.integration_id for sender in self.senders]

    def __post_init__(self) -> None:
        self.senders = [self.sender]

    async def another_emsp(self, site_id: int | None = None) -> tuple[CommandSender, str]:
        """A second eMSP integration (its own token C, the same version and eMSP server) to which the site
        (or `site_id`) is published; its sender and its location id."""
        sender, location_id = await connected_emsp(self.client, self.runtime, self.app, self.emsp, self.version,
                                                   site_id or self.site_id, self.stack)
        self.senders.append(sender)
        return sender, location_id

    # -- the charger side -------------------------------------------------------------------------------

    async def commands(self, **params: Any) -> dict[str, Any]:
        return ok(await self.client.get(f"{API}/commands", params=params))

    async def command(self, command_id: str) -> dict[str, Any]:
        return ok(await self.client.get(f"{API}/commands/{command_id}"))

    async def evse_statuses(self, sender: CommandSender | None = None, location_id: str | None = None) -> list[str]:
        """The statuses of the EVSEs of sockets 1 and 2 as published to the eMSP of `sender` (ours by default)."""
        integration_id = (sender or self.sender).partner.integration_id
        location = await published_location(self.runtime, integration_id, location_id or self.location_id)
        return [evse["status"] for evse in location["evses"]]

    async def only_pending(self) -> dict[str, Any]:
        """The one command pending at CH-1."""
        listed = await self.commands(status="PENDING", chargerId="CH-1")
        assert listed["totalRecords"] == 1, listed
        return listed["items"][0]

    async def answer(self, command_id: str, result: str, message: str | None = None) -> httpx.Response:
        body = {"result": result} | ({"message": message} if message is not None else {})
        return await self.client.post(f"{API}/commands/{command_id}/result", json=body)

    # -- what reaches the eMSP ---------------------------------------------------------------------------

    @property
    def authorization(self) -> str:
        """What evroam's calls to the eMSP must carry: the token the eMSP gave us (Base64 in 2.2.1)."""
        return RegisteredPartner("", PARTNER_TOKEN, self.version).authorization

    def assert_sent_as_ours(self, post: ResultPost) -> None:
        """A result POST with our token at the eMSP and, in 2.2.1, addressed from us to the eMSP's party."""
        assert post.headers["authorization"] == self.authorization
        routing = {name: post.headers.get(name) for name in ROUTING_HEADERS}
        if self.version == V221:
            assert routing == dict(zip(ROUTING_HEADERS, ("FI", "EVR", *PARTY), strict=True)), routing
        else:
            assert routing == dict.fromkeys(ROUTING_HEADERS), "2.1.1 has no routing headers"

    def assert_told(self, body: dict[str, Any], result: str) -> None:
        """A result body in the partner's version: 2.2.1 a CommandResult, 2.1.1 a CommandResponse in its words."""
        if self.version == V221:
            assert schema_errors("commands", "CommandResult", body) == []
            assert body["result"] == result, body
        else:
            assert body == {"result": told(self.version, result)}, "2.1.1: a CommandResponse, in its words"

    # -- the outbox -------------------------------------------------------------------------------------

    async def deliver(self) -> None:
        """Runs the delivery worker until nothing of this network's integrations waits in the outbox."""
        async with worker_running(self.runtime, FAST):
            await eventually(self._all_delivered)

    async def _all_delivered(self) -> bool:
        return all([await all_delivered(self.runtime, integration_id) for integration_id in self.integrations])

    # -- sessions ---------------------------------------------------------------------------------------

    async def start_by_command(self, **fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """A START_SESSION at socket 1 accepted, and the charger's SessionStarted naming it: (command, session)."""
        uid, connector_id = self.evses[0]
        sent = await self.sender.start_session(self.location_id, uid, connector_id, **fields)
        assert sent.result == "ACCEPTED", sent.envelope
        command = await self.only_pending()
        ok(await self.post(started(command)))
        return command, await self.only_session()


def started(command: dict[str, Any], transaction_id: str = "tx-1") -> dict[str, Any]:
    """The charger's SessionStarted for a START_SESSION command it carried out."""
    return {"eventId": f"{transaction_id}-start", "type": "SessionStarted", "time": at(0),
            "socketId": command["socketId"], "transactionId": transaction_id, "idTag": command["idTag"],
            "meterStartWh": 1000, "commandId": command["commandId"]}


async def connected_emsp(client: httpx.AsyncClient, runtime: Runtime, app: Any, emsp: CommandEmsp, version: str,
                         site_id: int, stack: AsyncExitStack) -> tuple[CommandSender, str]:
    """An eMSP integration holding our token C (as a completed credentials exchange leaves it), connected in
    `version` to `emsp`, with the site as its location: its sender (closed with `stack`) and location id."""
    partner = await register_partner(runtime, version)
    await add_location(client, partner.integration_id, {"siteId": site_id})
    await connect(runtime, partner.integration_id, emsp, version)  # our token at the eMSP, the publication
    await set_integration(runtime, partner.integration_id, version_details=emsp.version_details(version))
    location_id = ok(await client.get(f"{API}/integrations/{partner.integration_id}/locations"))["items"][0]["id"]
    ocpi = await stack.enter_async_context(httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=ocpi_headers(partner)))
    return CommandSender(ocpi, partner, emsp), location_id


async def published_location(runtime: Runtime, integration_id: str, location_id: str) -> dict[str, Any]:
    async with runtime.sessions() as session:
        return (await documents(session, integration_id, "locations"))[location_id]


async def published_evses(runtime: Runtime, integration_id: str, location_id: str) -> list[tuple[str, str]]:
    location = await published_location(runtime, integration_id, location_id)
    return [(evse["uid"], evse["connectors"][0]["id"]) for evse in location["evses"]]


@pytest.fixture
async def network(client: httpx.AsyncClient, runtime: Runtime, app: Any, command_emsp: CommandEmsp,
                  ocpi_version: str) -> AsyncIterator[Network]:
    site_id = await site_with_charger(client)
    async with AsyncExitStack() as stack:
        sender, location_id = await connected_emsp(client, runtime, app, command_emsp, ocpi_version, site_id, stack)
        integration_id = sender.partner.integration_id
        tariff_id = await make_tariff(client, elements=ELEMENTS, minPrice=None, maxPrice=None, useType="PRICE")
        ok(await client.post(f"{API}/integrations/{integration_id}/tariffs/{tariff_id}",
                             json={"locations": [{"locationId": location_id}]}))
        evses = await published_evses(runtime, integration_id, location_id)
        assert len(evses) == 2, evses
        yield Network(client, runtime, command_emsp, site_id, integration_id, location_id, tariff_id, sender.token,
                      ocpi_version, sender, evses, app, stack)
