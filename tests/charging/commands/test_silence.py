"""A charger side that stays silent: past the deadline the time-out job tells the eMSP TIMEOUT (2.2.1 a
CommandResult, 2.1.1 a CommandResponse), once; an answer after that is a conflict; a session that starts
after the TIMEOUT is still the commanding eMSP's."""

from __future__ import annotations

import pytest

from evroam.charging.commands import flows
from evroam.runtime import Runtime
from tests.charging.commands.conftest import Network, past_deadline, started
from tests.integrations.factories import ok
from tests.support.command_emsp import V221

SHORT = 1  # seconds: the deadline of these tests' commands


@pytest.fixture(autouse=True)
def short_deadline(runtime: Runtime) -> None:
    # The setting's floor keeps operators from a deadline no charger can meet; tests move it below.
    runtime.settings.command_timeout = SHORT


async def test_a_command_nobody_answers_times_out(network: Network) -> None:
    uid, connector_id = network.evses[0]
    sent = await network.sender.start_session(network.location_id, uid, connector_id)
    if network.version == V221:
        assert sent.data["timeout"] == SHORT, "the eMSP is told the deadline evroam keeps"
    command = await network.only_pending()
    await past_deadline(command)
    await flows.time_out_commands(network.runtime)
    timed_out = await network.command(command["commandId"])
    assert (timed_out["status"], timed_out["result"]) == ("TIMED_OUT", "TIMEOUT")
    assert (await network.commands(status="PENDING"))["totalRecords"] == 0, "the charger side is not offered it"

    await network.deliver()
    [post] = network.emsp.results(sent.name)
    network.assert_told(post.body, "TIMEOUT")
    network.assert_sent_as_ours(post)

    late = await network.answer(command["commandId"], "ACCEPTED")
    assert late.status_code == 409, late.text
    assert "TIMEOUT" in late.text, "the conflict names what the partner was told"
    await flows.time_out_commands(network.runtime)
    await network.deliver()
    assert len(network.emsp.results(sent.name)) == 1, "told once"


async def test_a_session_started_after_the_timeout_is_the_commanding_emsps(network: Network) -> None:
    uid, connector_id = network.evses[0]
    sent = await network.sender.start_session(network.location_id, uid, connector_id,
                                              authorization_reference="LATE-1")
    command = await network.only_pending()
    await past_deadline(command)
    await flows.time_out_commands(network.runtime)

    ok(await network.post(started(command)))
    session = await network.only_session()
    assert (session["integrationId"], session["authorizationReference"], session["idTag"]) == (
        network.integration_id, command["authorizationReference"], "APPDRIVER1")
    await network.deliver()
    [post] = network.emsp.results(sent.name)
    network.assert_told(post.body, "TIMEOUT")
    assert {push.session_id for push in network.emsp.session_pushes} == {session["id"]}, \
        "the eMSP is sent the session all the same"
