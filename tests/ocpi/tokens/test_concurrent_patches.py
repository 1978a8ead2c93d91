"""Parallel PATCHes of one token (PostgreSQL, where they truly run in parallel): each reads the stored token,
merges its fields and writes the whole document back, so without the row lock one PATCH's change was lost
to another's write of what both had read."""

from __future__ import annotations

import asyncio

import pytest

from tests.ocpi.tokens.test_receiver import URL, stored, token

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

ROUNDS = 5


def changes(round_: int) -> list[dict]:
    """Each PATCH of a round changes another field; all carry the same last_updated (none is older)."""
    return [
        {"valid": round_ % 2 == 1},
        {"whitelist": ("ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER")[round_ % 4]},
        {"visual_number": f"card {round_}"},
        {"group_id": f"group-{round_}"},
        {"language": ("fi", "sv")[round_ % 2]},
        {"issuer": f"issuer {round_}"},
        {"contract_id": f"NL-EMS-C{round_:08d}"},
        {"default_profile_type": ("CHEAP", "FAST", "GREEN")[round_ % 3]},
    ]


async def test_parallel_patches_of_one_token_all_survive(ocpi_client, runtime):
    assert (await ocpi_client.put(f"{URL}/NL/EMS/012345678", json=token())).status_code == 201
    for round_ in range(ROUNDS):
        last_updated = f"2030-01-0{round_ + 1}T00:00:00Z"
        answers = await asyncio.gather(*(
            ocpi_client.patch(f"{URL}/NL/EMS/012345678", json={**change, "last_updated": last_updated})
            for change in changes(round_)
        ))  # fmt: skip
        assert [answer.json()["status_code"] for answer in answers] == [1000] * len(answers)
        [row] = await stored(runtime)
        for change in changes(round_):
            assert {name: row.document[name] for name in change} == change, round_
        assert (row.valid, row.whitelist, row.contract_id) == (
            row.document["valid"], row.document["whitelist"], row.document["contract_id"])


async def test_parallel_puts_of_a_new_token_create_it_once(ocpi_client, runtime):
    """The first PUT of a token answers 201, each later one 200: also when they arrive together."""
    answers = await asyncio.gather(*(
        ocpi_client.put(f"{URL}/NL/EMS/NEW{number}", json=token(uid=f"NEW{number}"))
        for number in range(3) for _ in range(4)
    ))  # fmt: skip
    assert sorted(answer.status_code for answer in answers) == [200] * 9 + [201] * 3
    assert len(await stored(runtime)) == 3
