"""Announced changes reach the subscribers of the session's runtime, in the order the changes were made."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from evroam.delivery import outbox
from evroam.events import Change, announce
from evroam.runtime import Runtime
from tests.conftest import make_settings


@pytest.fixture
async def make_runtime(tmp_path: Path) -> AsyncIterator[Callable[[], Runtime]]:
    made: list[Runtime] = []

    def make() -> Runtime:
        made.append(Runtime.from_settings(make_settings("sqlite+aiosqlite:///:memory:", tmp_path)))
        return made[-1]

    yield make
    for runtime in made:
        await runtime.close()


def recorder(seen: list[Change]):
    async def record(_session, change: Change) -> None:
        seen.append(change)

    return record


async def test_two_runtimes_in_one_process_keep_their_subscribers_apart(make_runtime):
    first, second = make_runtime(), make_runtime()
    seen_by_first: list[Change] = []
    seen_by_second: list[Change] = []
    first.subscribe(recorder(seen_by_first))
    second.subscribe(recorder(seen_by_second))

    async with first.sessions() as session:
        await announce(session, Change(operator_id=1))
    async with second.sessions() as session:
        await announce(session, Change(operator_id=2))

    assert seen_by_first == [Change(operator_id=1)]
    assert seen_by_second == [Change(operator_id=2)]


async def test_a_reaction_is_announced_after_the_change_it_reacts_to_reached_every_subscriber(make_runtime):
    runtime = make_runtime()
    cause = Change(operator_id=1, charger_ids=frozenset({"C1"}))
    reaction = Change(operator_id=1, site_ids=frozenset({7}))
    seen: list[Change] = []

    async def react(session, change: Change) -> None:
        if change == cause:
            await announce(session, reaction)

    runtime.subscribe(react)
    runtime.subscribe(recorder(seen))
    async with runtime.sessions() as session:
        await announce(session, cause)

    assert seen == [cause, reaction]


async def test_a_commit_with_outbox_rows_wakes_only_its_own_runtimes_worker(make_runtime):
    """The outbox signal travels with the session as the subscribers do: one mechanism, neither overwritten."""
    first, second = make_runtime(), make_runtime()
    seen: list[Change] = []
    first.subscribe(recorder(seen))
    outbox.wake_worker_on_commit()

    async with first.sessions() as session:
        await announce(session, Change(operator_id=1))
        outbox.wake_worker_after_commit(session)
        await session.commit()

    assert first.outbox_signal.is_set() and not second.outbox_signal.is_set()
    assert seen == [Change(operator_id=1)]
