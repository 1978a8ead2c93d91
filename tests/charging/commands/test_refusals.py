"""Commands evroam refuses at once, in both versions: a location not published to the partner (404, 2003,
REJECTED), an EVSE it does not have, a command without the EVSE a charger needs, a response_url the
outbound guard would refuse, a session that is not the partner's (UNKNOWN_SESSION) or already over;
malformed bodies get 2001 naming the field. Nothing refused is queued for the charger."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.charging.commands.conftest import Network, in_an_hour, started
from tests.charging.sessions.test_session_lifecycle import stopped
from tests.integrations.factories import make_charger, make_site, ok
from tests.support.command_emsp import (
    RESERVE_NOW,
    START_SESSION,
    STOP_SESSION,
    UNLOCK_CONNECTOR,
    V211,
    V221,
    Sent,
)


def assert_refused(network: Network, sent: Sent, result: str = "REJECTED", naming: str | None = None) -> None:
    """HTTP 200, OCPI 1000, the CommandResponse `result`; in 2.2.1 with a message (naming `naming`)."""
    assert (sent.response.status_code, sent.envelope["status_code"]) == (200, 1000), sent.response.text
    if network.version == V211:
        assert sent.data == {"result": result}
        return
    assert sent.data["result"] == result, sent.data
    text = " ".join(message["text"] for message in sent.data["message"])
    assert text, "a refusal says why"
    if naming is not None:
        assert naming in text, text


async def assert_nothing_queued(network: Network) -> None:
    assert (await network.commands(status="PENDING"))["totalRecords"] == 0


async def location_of_another_emsp(network: Network) -> str:
    """A location published to another integration only."""
    site_id = await make_site(network.client)
    await make_charger(network.client, site_id, "CH-2")
    _, location_id = await network.another_emsp(site_id)
    return location_id


@pytest.mark.parametrize("where", ["nowhere", "another eMSP's"])
async def test_a_location_not_published_to_the_partner_is_unknown(network: Network, where: str) -> None:
    location_id = str(uuid.uuid4()) if where == "nowhere" else await location_of_another_emsp(network)
    uid = "CH-2-1" if where != "nowhere" else network.evses[0][0]
    for sent in (await network.sender.start_session(location_id, uid, "1"),
                 await network.sender.unlock_connector(location_id, uid, "1"),
                 await network.sender.reserve_now("RES-1" if network.version == V221 else 1, location_id, uid,
                                                  in_an_hour())):
        assert (sent.response.status_code, sent.envelope["status_code"]) == (404, 2003), sent.response.text
        assert sent.data["result"] == "REJECTED", sent.envelope
    await assert_nothing_queued(network)


async def test_an_evse_the_location_does_not_have_is_rejected(network: Network) -> None:
    assert_refused(network, await network.sender.start_session(network.location_id, "NO-SUCH-EVSE", "1"))
    uid, _ = network.evses[0]
    assert_refused(network, await network.sender.unlock_connector(network.location_id, uid, "99"))
    await assert_nothing_queued(network)


async def test_a_start_or_reservation_without_an_evse_is_rejected(network: Network) -> None:
    assert_refused(network, await network.sender.start_session(network.location_id, None), naming="evse_uid")
    reservation_id = "RES-1" if network.version == V221 else 1
    sent = await network.sender.reserve_now(reservation_id, network.location_id, None, in_an_hour())
    assert_refused(network, sent, naming="evse_uid")
    await assert_nothing_queued(network)


async def test_a_reservation_expiring_in_the_past_is_rejected(network: Network) -> None:
    uid, _ = network.evses[0]
    reservation_id = "RES-1" if network.version == V221 else 1
    sent = await network.sender.reserve_now(reservation_id, network.location_id, uid, "2020-01-01T00:00:00Z")
    assert_refused(network, sent, naming="expiry_date")
    await assert_nothing_queued(network)


@pytest.mark.parametrize("response_url", ["ftp://x", "http://user:pw@emsp.example.com/results/1", "http:///results"])
async def test_a_response_url_the_outbound_guard_refuses_is_rejected(network: Network, response_url: str) -> None:
    uid, connector_id = network.evses[0]
    body = network.sender.body(START_SESSION, "unused", token=network.sender.token, location_id=network.location_id,
                               evse_uid=uid, connector_id=connector_id) | {"response_url": response_url}
    assert_refused(network, await network.sender.send(START_SESSION, body), naming="response_url")
    await assert_nothing_queued(network)


async def test_stop_session_of_a_session_not_the_partners_is_unknown(network: Network) -> None:
    other, other_location = await network.another_emsp()
    uid, connector_id = network.evses[1]
    assert (await other.start_session(other_location, uid, connector_id)).result == "ACCEPTED"
    command = (await network.commands(status="PENDING", integrationId=other.partner.integration_id))["items"][0]
    ok(await network.post(started(command, "tx-other")))
    theirs = (await network.sessions(integrationId=other.partner.integration_id))["items"][0]
    assert theirs["integrationId"] == other.partner.integration_id

    assert_refused(network, await network.sender.stop_session(theirs["id"]), result="UNKNOWN_SESSION")
    assert_refused(network, await network.sender.stop_session("NO-SUCH-SESSION"), result="UNKNOWN_SESSION")
    listed = await network.commands(status="PENDING", type=STOP_SESSION)
    assert listed["totalRecords"] == 0, "the other eMSP's session is not stopped"


async def test_stop_session_of_a_finished_session_is_rejected(network: Network) -> None:
    _, session = await network.start_by_command()
    ok(await network.post(stopped()))
    assert (await network.only_session())["status"] == "COMPLETED"
    assert_refused(network, await network.sender.stop_session(session["id"]))
    assert (await network.commands(status="PENDING", type=STOP_SESSION))["totalRecords"] == 0


def without(field: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {key: value for key, value in body.items() if key != field}


def with_value(field: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: body | {field: value}


def without_token_uid(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"token": {key: value for key, value in body["token"].items() if key != "uid"}}


# (command, what is wrong with its well-formed body, the field the answer names)
MALFORMED = [
    (START_SESSION, without("token"), "token"),
    (START_SESSION, without("location_id"), "location_id"),
    (START_SESSION, without("response_url"), "response_url"),
    (START_SESSION, without_token_uid, "uid"),
    (START_SESSION, with_value("location_id", 17), "location_id"),
    (STOP_SESSION, without("session_id"), "session_id"),
    (RESERVE_NOW, without("expiry_date"), "expiry_date"),
    (RESERVE_NOW, with_value("expiry_date", "tomorrow"), "expiry_date"),
    (RESERVE_NOW, without("reservation_id"), "reservation_id"),
    (UNLOCK_CONNECTOR, without("connector_id"), "connector_id"),
    (UNLOCK_CONNECTOR, without("evse_uid"), "evse_uid"),
]


def well_formed(network: Network, command: str) -> dict[str, Any]:
    uid, connector_id = network.evses[0]
    fields: dict[str, Any] = {
        START_SESSION: dict(token=network.sender.token, location_id=network.location_id, evse_uid=uid),
        STOP_SESSION: dict(session_id="SESSION-1"),
        RESERVE_NOW: dict(token=network.sender.token, expiry_date=in_an_hour(), location_id=network.location_id,
                          evse_uid=uid, reservation_id="RES-1" if network.version == V221 else 1),
        UNLOCK_CONNECTOR: dict(location_id=network.location_id, evse_uid=uid, connector_id=connector_id),
    }[command]
    return network.sender.body(command, "malformed", **fields)


async def assert_malformed(network: Network, sent: Sent, field: str | None, http_status: int = 200) -> None:
    """OCPI 2001 naming the field, as every OCPI module of evroam answers a body that is not the object (HTTP
    200, the OCPI status says it); HTTP 400 only when there is no JSON to read, 404 for a path that names no
    command."""
    assert (sent.response.status_code, sent.envelope["status_code"]) == (http_status, 2001), sent.response.text
    if field is not None:
        assert field in sent.envelope["status_message"], sent.envelope
    assert (await network.commands())["totalRecords"] == 0, "nothing is stored"


@pytest.mark.parametrize(("command", "break_it", "field"), MALFORMED)
async def test_a_malformed_command_names_the_field(network: Network, command: str, break_it, field: str) -> None:
    sent = await network.sender.send(command, break_it(well_formed(network, command)))
    await assert_malformed(network, sent, field)


@pytest.mark.parametrize("ocpi_version", [V211])
async def test_a_2_1_1_reservation_id_is_an_integer(network: Network) -> None:
    body = well_formed(network, RESERVE_NOW) | {"reservation_id": "RES-1"}
    await assert_malformed(network, await network.sender.send(RESERVE_NOW, body), "reservation_id")


async def test_an_unknown_command_or_a_body_that_is_not_json_is_malformed(network: Network) -> None:
    body = well_formed(network, START_SESSION)
    await assert_malformed(network, await network.sender.send("START_CHARGING", body), "command", 404)
    await assert_malformed(network, await network.sender.send(START_SESSION, b'{"response_url": '), "body", 400)
