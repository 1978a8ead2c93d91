"""The ChargingProfiles Receiver (2.2.1), end to end: an eMSP sets, asks for and clears the profile of its
session under way; each request waits PENDING for the charger side, whose answer reaches the eMSP's
response_url once as the request's own result (ChargingProfileResult, ActiveChargingProfileResult with
the profile, ClearProfileResult), REJECTED when nobody answered by the deadline. A session that is not the
eMSP's is UNKNOWN_SESSION (HTTP 200, OCPI 1000: "the Session in the requested command is not known by
this CPO", and evroam does not tell one eMSP of another's sessions), one that ended is REJECTED. When the
charger side reports a new active profile, the eMSP that set one is PUT the ActiveChargingProfile."""

from __future__ import annotations

from typing import Any

import pytest

from evroam.charging.commands import flows
from tests.charging.commands.conftest import API, ROUTING_HEADERS, Network, past_deadline
from tests.charging.sessions.test_session_lifecycle import stopped
from tests.charging.sessions.timeline import at
from tests.integrations.factories import ok
from tests.ocpi.factories import schema_errors
from tests.support.command_emsp import (
    CLEAR_PROFILE,
    GET_ACTIVE_CHARGING_PROFILE,
    SET_CHARGING_PROFILE,
    V221,
    Sent,
)

pytestmark = pytest.mark.parametrize("ocpi_version", [V221])

PROFILE = {"start_date_time": "2026-12-01T10:00:00Z", "duration": 3600, "charging_rate_unit": "W",
           "min_charging_rate": 1400.5,
           "charging_profile_period": [{"start_period": 0, "limit": 11000.0}, {"start_period": 1800, "limit": 7400.1}]}
# The same profile as the charger side reports it through the management API (camelCase).
ACTIVE_IN = {"startDateTime": "2026-12-01T10:00:00Z",
             "chargingProfile": {"startDateTime": "2026-12-01T10:00:00Z", "duration": 3600,
                                 "chargingRateUnit": "W", "minChargingRate": 1400.5,
                                 "chargingProfilePeriod": [{"startPeriod": 0, "limit": 11000.0},
                                                           {"startPeriod": 1800, "limit": 7400.1}]}}
ACTIVE_OCPI = {"start_date_time": "2026-12-01T10:00:00Z", "charging_profile": PROFILE}
# The schema of what each request's result is, at the response_url.
RESULT_SCHEMAS = {SET_CHARGING_PROFILE: "ChargingProfileResult",
                  GET_ACTIVE_CHARGING_PROFILE: "ActiveChargingProfileResult", CLEAR_PROFILE: "ClearProfileResult"}


async def session_under_way(network: Network) -> dict[str, Any]:
    """The eMSP's session at socket 1, started by its START_SESSION (answered, so nothing else is pending)."""
    command, session = await network.start_by_command()
    ok(await network.answer(command["commandId"], "ACCEPTED"))
    return session


def assert_taken(sent: Sent, timeout: int) -> None:
    """A ChargingProfileResponse ACCEPTED with the deadline evroam keeps, in an OCPI 1000 envelope."""
    assert (sent.response.status_code, sent.envelope["status_code"]) == (200, 1000), sent.response.text
    assert schema_errors("chargingprofiles", "ChargingProfileResponse", sent.data) == []
    assert sent.data == {"result": "ACCEPTED", "timeout": timeout}


async def pending_request(network: Network, request_type: str) -> dict[str, Any]:
    command = await network.only_pending()
    assert command["type"] == request_type, command
    return command


async def result_at_emsp(network: Network, sent: Sent) -> dict[str, Any]:
    """The one result POSTed to the request's response_url, checked against its schema and our headers."""
    await network.deliver()
    [post] = network.emsp.results(sent.name)
    network.assert_sent_as_ours(post)
    assert schema_errors("chargingprofiles", RESULT_SCHEMAS[sent.command], post.body) == [], post.body
    return post.body


async def set_and_accept(network: Network, session_id: str, headers: dict[str, str] | None = None) -> Sent:
    sent = await network.sender.set_charging_profile(session_id, PROFILE, headers)
    assert sent.result == "ACCEPTED", sent.envelope
    command = await pending_request(network, SET_CHARGING_PROFILE)
    ok(await network.answer(command["commandId"], "ACCEPTED"))
    return sent


async def test_a_profile_set_goes_to_the_charger_side_and_its_result_to_the_emsp(network: Network) -> None:
    session = await session_under_way(network)
    sent = await network.sender.set_charging_profile(session["id"], PROFILE)
    assert_taken(sent, network.runtime.settings.command_timeout)

    command = await pending_request(network, SET_CHARGING_PROFILE)
    assert (command["sessionId"], command["transactionId"], command["chargerId"], command["socketId"]) == (
        session["id"], "tx-1", "CH-1", 1)
    assert command["details"] == {"charging_profile": PROFILE}, "the charger side is handed the profile as sent"

    ok(await network.answer(command["commandId"], "ACCEPTED"))
    assert await result_at_emsp(network, sent) == {"result": "ACCEPTED"}


async def test_the_active_profile_asked_for_comes_back_with_the_result(network: Network) -> None:
    session = await session_under_way(network)
    sent = await network.sender.get_active_profile(session["id"], duration=600)
    assert_taken(sent, network.runtime.settings.command_timeout)
    command = await pending_request(network, GET_ACTIVE_CHARGING_PROFILE)
    assert (command["sessionId"], command["details"]) == (session["id"], {"duration": 600})

    body = {"result": "ACCEPTED", "activeChargingProfile": ACTIVE_IN}
    ok(await network.client.post(f"{API}/commands/{command['commandId']}/result", json=body))
    assert await result_at_emsp(network, sent) == {"result": "ACCEPTED", "profile": ACTIVE_OCPI}


async def test_an_active_profile_is_required_to_accept_a_get(network: Network) -> None:
    session = await session_under_way(network)
    sent = await network.sender.get_active_profile(session["id"])
    command = await pending_request(network, GET_ACTIVE_CHARGING_PROFILE)
    refused = await network.answer(command["commandId"], "ACCEPTED")
    assert refused.status_code == 400 and "activeChargingProfile" in refused.text, refused.text
    ok(await network.answer(command["commandId"], "REJECTED"))
    assert await result_at_emsp(network, sent) == {"result": "REJECTED"}


async def test_a_cleared_profile_is_answered_with_a_clear_profile_result(network: Network) -> None:
    session = await session_under_way(network)
    sent = await network.sender.clear_profile(session["id"])
    assert_taken(sent, network.runtime.settings.command_timeout)
    command = await pending_request(network, CLEAR_PROFILE)
    assert command["sessionId"] == session["id"]
    ok(await network.answer(command["commandId"], "UNKNOWN", message="no profile was set"))
    assert await result_at_emsp(network, sent) == {"result": "UNKNOWN"}


async def test_a_request_nobody_answers_is_rejected_at_its_deadline(network: Network) -> None:
    session = await session_under_way(network)
    network.runtime.settings.command_timeout = 1
    sent = await network.sender.get_active_profile(session["id"])
    command = await pending_request(network, GET_ACTIVE_CHARGING_PROFILE)
    await past_deadline(command)
    assert await flows.time_out_commands(network.runtime) == 1
    # ChargingProfileResultType has no TIMEOUT
    assert await result_at_emsp(network, sent) == {"result": "REJECTED"}


async def test_the_charger_side_answers_in_profile_results_only(network: Network) -> None:
    session = await session_under_way(network)
    await network.sender.set_charging_profile(session["id"], PROFILE)
    command = await pending_request(network, SET_CHARGING_PROFILE)
    refused = await network.answer(command["commandId"], "FAILED")
    assert refused.status_code == 400 and "result" in refused.text, refused.text
    with_profile = {"result": "ACCEPTED", "activeChargingProfile": ACTIVE_IN}
    refused = await network.client.post(f"{API}/commands/{command['commandId']}/result", json=with_profile)
    assert refused.status_code == 400 and "activeChargingProfile" in refused.text, refused.text
    assert (await network.command(command["commandId"]))["status"] == "PENDING"


@pytest.mark.parametrize("whose", ["unknown", "another eMSP's"])
async def test_a_session_not_the_emsps_is_an_unknown_session(network: Network, whose: str) -> None:
    session = await session_under_way(network)
    sender = network.sender
    if whose == "unknown":
        session_id = "NO-SUCH-SESSION"
    else:
        sender, _ = await network.another_emsp()
        session_id = session["id"]
    for sent in (await sender.set_charging_profile(session_id, PROFILE), await sender.get_active_profile(session_id),
                 await sender.clear_profile(session_id)):
        assert (sent.response.status_code, sent.envelope["status_code"]) == (200, 1000), sent.response.text
        assert sent.result == "UNKNOWN_SESSION", sent.envelope
        assert schema_errors("chargingprofiles", "ChargingProfileResponse", sent.data) == []
    assert (await network.commands(status="PENDING"))["totalRecords"] == 0


async def test_a_session_that_ended_is_rejected(network: Network) -> None:
    session = await session_under_way(network)
    ok(await network.post(stopped("tx-1-stop", at(60), 4000)))
    sent = await network.sender.set_charging_profile(session["id"], PROFILE)
    assert (sent.result, sent.envelope["status_code"]) == ("REJECTED", 1000), sent.envelope
    assert "COMPLETED" in sent.envelope["status_message"]
    assert (await network.commands(status="PENDING"))["totalRecords"] == 0


@pytest.mark.parametrize(("body", "naming"), [
    ({**PROFILE, "charging_rate_unit": "kW"}, "charging_rate_unit"),
    ({**PROFILE, "charging_profile_period": [{"start_period": 0, "limit": 7.25}]}, "limit"),
])
async def test_a_malformed_profile_is_2001_naming_the_field(network: Network, body: Any, naming: str) -> None:
    session = await session_under_way(network)
    sent = await network.sender.set_charging_profile(session["id"], body)
    assert (sent.response.status_code, sent.envelope["status_code"]) == (200, 2001), sent.response.text
    assert naming in sent.envelope["status_message"], sent.envelope
    assert (await network.commands(status="PENDING"))["totalRecords"] == 0


async def test_a_get_without_response_url_is_2001(network: Network) -> None:
    session = await session_under_way(network)
    response = await network.sender.ocpi.get(f"/ocpi/{V221}/chargingprofiles/{session['id']}",
                                             params={"duration": 60})
    assert (response.status_code, response.json()["status_code"]) == (200, 2001), response.text
    assert "response_url" in response.json()["status_message"]


async def test_a_new_active_profile_is_put_to_the_emsp_that_set_one(network: Network) -> None:
    session = await session_under_way(network)
    report = f"{API}/sessions/{session['id']}/active-charging-profile"
    before = ok(await network.client.put(report, json=ACTIVE_IN))
    assert (before["sent"], before["integrationId"]) == (False, network.integration_id), before
    assert "never set" in before["reason"]

    await set_and_accept(network, session["id"])
    after = ok(await network.client.put(report, json=ACTIVE_IN))
    assert after["sent"] is True, after
    await network.deliver()
    [(session_id, headers, body)] = network.emsp.profile_pushes
    assert session_id == session["id"]
    assert headers["authorization"] == network.authorization
    assert schema_errors("chargingprofiles", "ActiveChargingProfile", body) == []
    assert body == ACTIVE_OCPI


async def test_an_active_profile_report_is_checked(network: Network) -> None:
    session = await session_under_way(network)
    report = f"{API}/sessions/{session['id']}/active-charging-profile"
    bad = {**ACTIVE_IN, "chargingProfile": {**ACTIVE_IN["chargingProfile"], "chargingRateUnit": "kW"}}
    refused = await network.client.put(report, json=bad)
    assert refused.status_code == 400 and "chargingRateUnit" in refused.text, refused.text
    missing = await network.client.put(f"{API}/sessions/NO-SUCH-SESSION/active-charging-profile", json=ACTIVE_IN)
    assert missing.status_code == 404, missing.text


async def test_the_active_profile_is_addressed_to_the_party_that_set_it(network: Network) -> None:
    """Through a hub, the eMSP that set the profile is not the integration's own party."""
    session = await session_under_way(network)
    await set_and_accept(network, session["id"], {"OCPI-from-country-code": "DE", "OCPI-from-party-id": "HUE"})
    assert ok(await network.client.put(f"{API}/sessions/{session['id']}/active-charging-profile",
                                       json=ACTIVE_IN))["sent"] is True
    await network.deliver()
    [(_, headers, _)] = network.emsp.profile_pushes
    routing = {name: headers.get(name) for name in ROUTING_HEADERS}
    assert routing == dict(zip(ROUTING_HEADERS, ("FI", "EVR", "DE", "HUE"), strict=True)), routing
