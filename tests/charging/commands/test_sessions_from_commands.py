"""A START_SESSION the charger carried out: its SessionStarted names the command, and the session is the
commanding eMSP's, with the command's token and authorization_reference, in the management API and in
the Session the eMSP is sent."""

from __future__ import annotations

import pytest

from tests.charging.commands.conftest import Network
from tests.support.command_emsp import V211, V221


async def test_a_session_started_by_a_command_is_the_commanding_emsps(network: Network) -> None:
    reference = "APP-REF-1" if network.version == V221 else None
    command, session = await network.start_by_command(authorization_reference=reference)
    assert command["authorizationReference"] == (reference or command["authorizationReference"])
    assert command["authorizationReference"], "evroam makes one when the eMSP gives none"
    assert (session["status"], session["integrationId"], session["idTag"], session["authorizationReference"]) == (
        "ACTIVE", network.integration_id, "APPDRIVER1", command["authorizationReference"])

    await network.deliver()
    pushed = [push for push in network.emsp.session_pushes if push.session_id == session["id"]]
    assert pushed and pushed[0].method == "PUT", network.emsp.session_pushes
    document = pushed[0].body
    token = network.sender.token
    if network.version == V211:
        assert document["auth_id"] == token["contract_id"]
    else:
        assert (document["authorization_reference"], document["auth_method"]) == (
            command["authorizationReference"], "COMMAND")
        assert (document["cdr_token"]["uid"], document["cdr_token"]["contract_id"]) == (
            token["uid"], token["contract_id"])


@pytest.mark.parametrize("ocpi_version", [V221])
async def test_without_an_authorization_reference_evroam_makes_one(network: Network) -> None:
    command, session = await network.start_by_command()
    assert command["authorizationReference"]
    assert session["authorizationReference"] == command["authorizationReference"]
    await network.deliver()
    [first, *_] = [push for push in network.emsp.session_pushes if push.session_id == session["id"]]
    assert first.body["authorization_reference"] == command["authorizationReference"]
