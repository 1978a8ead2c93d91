"""Races on PostgreSQL, where answers arrive on many connections at once: of two different answers to one
command exactly one wins (200, the other 409), and of an answer and the time-out job exactly one; either
way the eMSP is sent exactly one result, the winner's."""

from __future__ import annotations

import asyncio

import pytest

from evroam.charging.commands import flows
from evroam.runtime import Runtime
from tests.charging.commands.conftest import Network, past_deadline
from tests.support.command_emsp import Sent

COMMANDS = 6


@pytest.fixture(autouse=True)
def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes one writer at a time: nothing races")


async def unlocks(network: Network, count: int = COMMANDS) -> list[tuple[Sent, dict]]:
    """`count` accepted UNLOCK_CONNECTOR commands and their items, in the order sent."""
    uid, connector_id = network.evses[0]
    made: list[tuple[Sent, dict]] = []
    for _ in range(count):
        sent = await network.sender.unlock_connector(network.location_id, uid, connector_id)
        assert sent.result == "ACCEPTED", sent.envelope
        known = {command["commandId"] for _, command in made}
        [new] = [item for item in (await network.commands(status="PENDING", limit=100))["items"]
                 if item["commandId"] not in known]
        made.append((sent, new))
    return made


async def test_two_different_answers_at_once(network: Network) -> None:
    commands = await unlocks(network)
    winners = {}
    for sent, command in commands:
        answers = await asyncio.gather(network.answer(command["commandId"], "ACCEPTED"),
                                       network.answer(command["commandId"], "FAILED"))
        assert sorted(answer.status_code for answer in answers) == [200, 409], [a.text for a in answers]
        winners[sent.name] = next(answer.json()["result"] for answer in answers if answer.status_code == 200)
    await network.deliver()
    for sent, command in commands:
        [post] = network.emsp.results(sent.name)
        network.assert_told(post.body, winners[sent.name])
        assert (await network.command(command["commandId"]))["result"] == winners[sent.name]


async def test_an_answer_and_the_time_out_at_once(network: Network, runtime: Runtime) -> None:
    runtime.settings.command_timeout = 1  # below the setting's floor: the deadline passes within the test
    commands = await unlocks(network)
    await past_deadline(commands[-1][1])
    outcome = await asyncio.gather(flows.time_out_commands(runtime),
                                   *(network.answer(command["commandId"], "ACCEPTED") for _, command in commands))
    answers = outcome[1:]
    await network.deliver()
    for (sent, command), answer in zip(commands, answers, strict=True):
        assert answer.status_code in (200, 409), answer.text
        expected = ("ANSWERED", "ACCEPTED") if answer.status_code == 200 else ("TIMED_OUT", "TIMEOUT")
        final = await network.command(command["commandId"])
        assert (final["status"], final["result"]) == expected
        [post] = network.emsp.results(sent.name)
        network.assert_told(post.body, expected[1])
