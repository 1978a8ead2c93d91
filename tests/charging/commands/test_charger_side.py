"""The charger side (a CSMS through the management API) finds the pending commands and answers them; the
answer reaches the eMSP exactly once, at its response_url, with our token and (2.2.1) the routing
headers, in the words of its version. A repeated answer sends nothing more; a different one is a conflict."""

from __future__ import annotations

import uuid

import httpx

from evroam.charging.commands import flows
from tests.charging.commands.conftest import Network
from tests.integrations.factories import ok
from tests.support.command_emsp import V221, Sent

# Every CommandResultType the charger side may post (TIMEOUT is evroam's alone).
RESULTS = ("ACCEPTED", "CANCELED_RESERVATION", "EVSE_OCCUPIED", "EVSE_INOPERATIVE", "FAILED", "NOT_SUPPORTED",
           "REJECTED", "UNKNOWN_RESERVATION")


async def unlock(network: Network) -> tuple[Sent, dict]:
    """An accepted UNLOCK_CONNECTOR and its command item (the only one pending)."""
    uid, connector_id = network.evses[0]
    sent = await network.sender.unlock_connector(network.location_id, uid, connector_id)
    assert sent.result == "ACCEPTED", sent.envelope
    return sent, await network.only_pending()


def assert_result_body(network: Network, body: dict, result: str, message: str | None = None) -> None:
    network.assert_told(body, result)
    if network.version == V221:
        assert [text["text"] for text in body.get("message", [])] == ([message] if message else []), body


async def test_the_charger_side_lists_what_is_pending(network: Network) -> None:
    _, command = await unlock(network)
    for params in ({"status": "PENDING", "chargerId": "CH-1"}, {"integrationId": network.integration_id},
                   {"type": "UNLOCK_CONNECTOR", "status": "PENDING"}):
        assert [item["commandId"] for item in (await network.commands(**params))["items"]] == [command["commandId"]]
    for params in ({"chargerId": "CH-OTHER"}, {"status": "ANSWERED"}, {"type": "START_SESSION"},
                   {"integrationId": str(uuid.uuid4())}):
        assert (await network.commands(**params))["totalRecords"] == 0, params


async def test_an_answer_reaches_the_emsp_once(network: Network) -> None:
    sent, command = await unlock(network)
    answered = ok(await network.answer(command["commandId"], "ACCEPTED"))
    assert (answered["status"], answered["result"]) == ("ANSWERED", "ACCEPTED")
    assert answered["answeredAt"]
    assert (await network.commands(status="PENDING"))["totalRecords"] == 0
    await network.deliver()
    [post] = network.emsp.results(sent.name)
    assert post.taken
    network.assert_sent_as_ours(post)
    assert_result_body(network, post.body, "ACCEPTED")

    assert ok(await network.answer(command["commandId"], "ACCEPTED"))["status"] == "ANSWERED", "idempotent"
    await network.deliver()
    assert len(network.emsp.results(sent.name)) == 1, "the same answer again sends nothing"

    refused = await network.answer(command["commandId"], "FAILED")
    assert refused.status_code == 409, refused.text
    assert "ACCEPTED" in refused.text, "the conflict names what the partner was told"
    await network.deliver()
    assert len(network.emsp.results(sent.name)) == 1
    assert (await network.command(command["commandId"]))["result"] == "ACCEPTED"


async def test_each_result_in_the_words_of_the_version(network: Network) -> None:
    answers = {}
    for result in RESULTS:
        sent, command = await unlock(network)
        ok(await network.answer(command["commandId"], result, message=f"the charger said {result}"))
        answers[sent.name] = result
    await network.deliver()
    for name, result in answers.items():
        [post] = network.emsp.results(name)
        assert_result_body(network, post.body, result, message=f"the charger said {result}")


async def test_timeout_cannot_be_posted(network: Network) -> None:
    sent, command = await unlock(network)
    response = await network.answer(command["commandId"], "TIMEOUT")
    assert response.status_code == 400, response.text
    assert (await network.answer(command["commandId"], "MAYBE")).status_code == 400
    assert (await network.command(command["commandId"]))["status"] == "PENDING"
    await network.deliver()
    assert network.emsp.results(sent.name) == []


async def test_an_unknown_or_another_operators_command_is_not_found(network: Network,
                                                                    other_client: httpx.AsyncClient) -> None:
    _, command = await unlock(network)
    for client, command_id in ((network.client, str(uuid.uuid4())), (other_client, command["commandId"])):
        assert (await client.get(f"/api/v2/cpo/commands/{command_id}")).status_code == 404
        answer = await client.post(f"/api/v2/cpo/commands/{command_id}/result", json={"result": "ACCEPTED"})
        assert answer.status_code == 404, answer.text
    assert ok(await other_client.get("/api/v2/cpo/commands"))["totalRecords"] == 0
    assert (await network.command(command["commandId"]))["status"] == "PENDING"


async def test_a_command_within_its_deadline_is_not_timed_out(network: Network) -> None:
    sent, command = await unlock(network)
    await flows.time_out_commands(network.runtime)
    assert (await network.command(command["commandId"]))["status"] == "PENDING"
    await network.deliver()
    assert network.emsp.results(sent.name) == []
