"""Running token pulls against a Tokens Sender of our own on loopback, on both databases: pages followed,
tokens stored, deltas from the last success, tokens gone from a full list marked invalid, failures resumed
from the page that failed, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from evroam.charging.tokens.models import PartnerToken
from evroam.charging.tokens.pulls import flows, service
from evroam.charging.tokens.pulls.models import FAILED, QUEUED, RUNNING, SUCCEEDED, TokenPull
from evroam.charging.tokens.pulls.service import OPERATOR, PullPolicy
from evroam.charging.tokens.records import KeptToken, TokenKey
from evroam.database.base import utcnow
from evroam.integrations.models import Integration
from evroam.ocpi.protocol.envelope import ocpi_timestamp
from evroam.runtime import Runtime
from tests.support.token_sender import TokenSender, sender_partner, uid

TOKEN = "emsp-token-for-evroam"
# Failed attempts are taken up again at once.
NO_WAIT = PullPolicy(retry_base=timedelta(0))


@pytest.fixture
def settings_overrides() -> dict:
    # A hanging page fails in a second, not in the default 30.
    return {"outbound_read_timeout": 1.0, "outbound_total_timeout": 1.5}


async def stored(runtime: Runtime, integration_id: str) -> dict[str, PartnerToken]:
    async with runtime.sessions() as session:
        rows = await session.scalars(select(PartnerToken).where(PartnerToken.integration_id == integration_id))
        return {row.uid: row for row in rows}


async def pull_row(runtime: Runtime, pull_id: int) -> TokenPull:
    async with runtime.sessions() as session:
        return await session.get(TokenPull, pull_id)


async def pull_now(runtime: Runtime, integration_id: str, full: bool, policy: PullPolicy | None = None) -> TokenPull:
    async with runtime.sessions() as session:
        pull, created = await service.open_pull(session, integration_id, full, OPERATOR)
    assert created
    await flows.run_pull(runtime, pull.id, policy)
    return await pull_row(runtime, pull.id)


async def test_a_full_pull_follows_the_links_and_stores_every_token(runtime: Runtime):
    sender = TokenSender(count=25, token=TOKEN, page_size=10)
    async with sender_partner(runtime, sender) as integration_id:
        pull = await pull_now(runtime, integration_id, full=True)
    assert sender.refused == []
    assert [seen.offset for seen in sender.requests] == [0, 10, 20]
    assert [seen.date_from for seen in sender.requests] == [None, None, None]
    assert (pull.status, pull.pages, pull.tokens_seen, pull.tokens_skipped, pull.error) == (SUCCEEDED, 3, 25, 0, None)
    assert pull.finished_at is not None and pull.lease_until is None
    tokens = await stored(runtime, integration_id)
    assert sorted(tokens) == [uid(index) for index in range(25)]
    token = tokens[uid(7)]
    assert (token.country_code, token.party_id, token.contract_id, token.valid) == ("NL", "EMS", "NL-EMS-C00000007", True)


async def test_2_1_1_tokens_are_kept_under_the_party_the_partner_registered(runtime: Runtime):
    sender = TokenSender(count=3, token=TOKEN, version="2.1.1", page_size=2)
    async with sender_partner(runtime, sender) as integration_id:
        pull = await pull_now(runtime, integration_id, full=True)
    assert sender.refused == []
    assert (pull.status, pull.pages, pull.tokens_seen) == (SUCCEEDED, 2, 3)
    token = (await stored(runtime, integration_id))[uid(2)]
    assert (token.country_code, token.party_id, token.contract_id) == ("NL", "EMS", "NL-EMS-C00000002")
    assert token.document["contract_id"] == "NL-EMS-C00000002" and "auth_id" not in token.document


async def test_an_invalid_token_is_skipped_and_reported_and_the_rest_of_its_page_kept(runtime: Runtime):
    sender = TokenSender(count=25, token=TOKEN, page_size=10, invalid_at=12)
    async with sender_partner(runtime, sender) as integration_id:
        pull = await pull_now(runtime, integration_id, full=True)
    assert (pull.status, pull.tokens_seen, pull.tokens_skipped) == (SUCCEEDED, 24, 1)
    assert uid(12) in pull.skipped_problem and "whitelist" in pull.skipped_problem
    tokens = await stored(runtime, integration_id)
    assert len(tokens) == 24 and uid(12) not in tokens and uid(11) in tokens and uid(13) in tokens


async def test_a_delta_pull_asks_from_the_start_of_the_last_successful_pull(runtime: Runtime):
    sender = TokenSender(count=5, token=TOKEN, page_size=10)
    async with sender_partner(runtime, sender) as integration_id:
        first = await pull_now(runtime, integration_id, full=False)
        second = await pull_now(runtime, integration_id, full=False)
    # No successful pull before the first: the whole list.
    assert first.date_from is None and sender.requests[0].date_from is None and first.tokens_seen == 5
    assert second.date_from == first.started_at
    assert sender.requests[1].date_from == ocpi_timestamp(first.started_at)
    # The generated tokens all changed before then.
    assert (second.status, second.tokens_seen) == (SUCCEEDED, 0)


async def test_a_token_a_full_pull_no_longer_lists_is_marked_invalid_not_deleted(runtime: Runtime):
    sender = TokenSender(count=5, token=TOKEN, page_size=2)
    async with sender_partner(runtime, sender) as integration_id:
        await pull_now(runtime, integration_id, full=True)
        sender.absent = {3}
        delta = await pull_now(runtime, integration_id, full=False)
        assert delta.tokens_invalidated == 0
        assert (await stored(runtime, integration_id))[uid(3)].valid is True
        sender.requests.clear()
        full = await pull_now(runtime, integration_id, full=True)
    assert [seen.date_from for seen in sender.requests] == [None, None]
    assert (full.status, full.tokens_seen, full.tokens_invalidated) == (SUCCEEDED, 4, 1)
    tokens = await stored(runtime, integration_id)
    assert len(tokens) == 5
    assert (tokens[uid(3)].valid, tokens[uid(3)].document["valid"]) == (False, False)
    assert all(tokens[uid(index)].valid for index in (0, 1, 2, 4))


@pytest.mark.parametrize("failure, said", [("500", "HTTP 500"), ("garbage", "no OCPI envelope"),
                                            ("hang", "cannot be reached")])
async def test_a_pull_failing_half_way_keeps_its_pages_and_resumes_from_the_page_that_failed(
    runtime: Runtime, failure: str, said: str
):
    sender = TokenSender(count=25, token=TOKEN, page_size=10, fail_at=2, failure=failure)
    async with sender_partner(runtime, sender) as integration_id:
        failed = await pull_now(runtime, integration_id, full=True, policy=NO_WAIT)
        assert (failed.status, failed.attempts, failed.pages, failed.tokens_seen) == (QUEUED, 1, 1, 10)
        assert said in failed.error
        assert "offset=10" in failed.next_url
        assert len(await stored(runtime, integration_id)) == 10
        await flows.run_pull(runtime, failed.id, NO_WAIT)
        done = await pull_row(runtime, failed.id)
    assert [seen.offset for seen in sender.requests] == [0, 10, 10, 20]
    assert (done.status, done.pages, done.tokens_seen, done.attempts, done.error) == (SUCCEEDED, 3, 25, 0, None)
    assert len(await stored(runtime, integration_id)) == 25


async def test_a_pull_failing_every_attempt_ends_failed_and_the_next_starts_from_the_first_page(runtime: Runtime):
    sender = TokenSender(count=25, token=TOKEN, page_size=10, fail_at=2, failures=2)
    policy = PullPolicy(retry_base=timedelta(0), max_attempts=2)
    async with sender_partner(runtime, sender) as integration_id:
        pull = await pull_now(runtime, integration_id, full=True, policy=policy)
        await flows.run_pull(runtime, pull.id, policy)
        failed = await pull_row(runtime, pull.id)
        assert (failed.status, failed.attempts, failed.tokens_seen) == (FAILED, 2, 10)
        assert failed.finished_at is not None and "HTTP 500" in failed.error
        # Nothing is marked invalid by a failed full pull.
        assert all(token.valid for token in (await stored(runtime, integration_id)).values())
        sender.requests.clear()
        again = await pull_now(runtime, integration_id, full=True, policy=policy)
    assert [seen.offset for seen in sender.requests] == [0, 10, 20]
    assert (again.status, again.tokens_seen) == (SUCCEEDED, 25)


async def test_a_queued_pull_waits_out_its_backoff(runtime: Runtime):
    sender = TokenSender(count=25, token=TOKEN, page_size=10, fail_at=1)
    async with sender_partner(runtime, sender) as integration_id:
        pull = await pull_now(runtime, integration_id, full=True)
        waiting = await pull_row(runtime, pull.id)
        assert waiting.status == QUEUED and waiting.lease_until > utcnow()
        await flows.run_pull(runtime, pull.id)
    assert len(sender.requests) == 1
    assert (await pull_row(runtime, pull.id)).attempts == 1


def _token(index: int) -> KeptToken:
    document = TokenSender(count=1, token=TOKEN).document(index)
    return KeptToken(TokenKey("NL", "EMS", document["uid"], "RFID"), document, document["contract_id"], True,
                     "ALLOWED", utcnow())


async def test_a_runner_whose_lease_ran_out_and_was_taken_over_stores_nothing(runtime: Runtime):
    sender = TokenSender(count=1, token=TOKEN)
    async with sender_partner(runtime, sender) as integration_id:
        async with runtime.sessions() as session:
            pull, _ = await service.open_pull(session, integration_id, True, OPERATOR)
        async with runtime.sessions() as session:
            first = await service.claim_pull(session, pull.id, PullPolicy())
        async with runtime.sessions() as session:
            assert await service.claim_pull(session, pull.id, PullPolicy()) is None  # the lease holds
            await session.execute(update(TokenPull).where(TokenPull.id == pull.id)
                                  .values(lease_until=utcnow() - timedelta(seconds=1)))
            await session.commit()
        async with runtime.sessions() as session:
            second = await service.claim_pull(session, pull.id, PullPolicy())
        assert second is not None and second.lease_until != first.lease_until
        async with runtime.sessions() as session:
            late = await service.record_page(session, first, [_token(0)], "http://127.0.0.1/next", 0, None, PullPolicy())
        assert late is None
        assert await stored(runtime, integration_id) == {}
        async with runtime.sessions() as session:
            moved = await service.record_page(session, second, [_token(0)], None, 0, None, PullPolicy())
    assert moved is not None
    row = await pull_row(runtime, pull.id)
    assert (row.status, row.pages, row.tokens_seen) == (SUCCEEDED, 1, 1)
    assert list(await stored(runtime, integration_id)) == [uid(0)]


async def test_the_periodic_job_queues_due_pulls_and_takes_up_abandoned_ones(runtime: Runtime):
    sender = TokenSender(count=3, token=TOKEN)
    off = TokenSender(count=3, token=TOKEN)
    no_sender = TokenSender(count=3, token=TOKEN)
    async with (
        sender_partner(runtime, sender) as integration_id,
        sender_partner(runtime, off, models={"pullTokensAll": False}) as off_id,
        sender_partner(runtime, no_sender, tokens_role="RECEIVER") as no_sender_id,
    ):
        started = await flows.scheduler_round(runtime)
        await runtime.wait_for_background()
        [full] = await _pulls(runtime, integration_id)
        assert started == [full.id]
        assert (full.full, full.requested_by, full.status, full.tokens_seen) == (True, "SCHEDULE", SUCCEEDED, 3)
        assert await _pulls(runtime, off_id) == [] and await _pulls(runtime, no_sender_id) == []

        # Nothing is due again until the delta interval (60 minutes by default) has passed.
        assert await flows.scheduler_round(runtime) == []
        await _age(runtime, integration_id, timedelta(minutes=61))
        started = await flows.scheduler_round(runtime)
        await runtime.wait_for_background()
        delta = (await _pulls(runtime, integration_id))[-1]
        assert started == [delta.id]
        assert (delta.full, delta.status, delta.date_from) == (False, SUCCEEDED, full.started_at)

        # A runner that crashed: RUNNING with a lease that ran out, half-way through the list.
        sender.requests.clear()
        next_url = f"{await _tokens_url(runtime, integration_id)}?offset=2&limit=10"
        async with runtime.sessions() as session:
            abandoned = TokenPull(integration_id=integration_id, full=True, requested_by="SCHEDULE", status=RUNNING,
                                  next_url=next_url,
                                  lease_until=utcnow() - timedelta(seconds=1), started_at=utcnow())
            session.add(abandoned)
            await session.commit()
        started = await flows.scheduler_round(runtime)
        await runtime.wait_for_background()
    assert started == [abandoned.id]
    assert [seen.offset for seen in sender.requests] == [2]
    assert (await pull_row(runtime, abandoned.id)).status == SUCCEEDED


async def _tokens_url(runtime: Runtime, integration_id: str) -> str:
    async with runtime.sessions() as session:
        return flows.tokens_sender_url(await session.get(Integration, integration_id))


async def _pulls(runtime: Runtime, integration_id: str) -> list[TokenPull]:
    async with runtime.sessions() as session:
        return list(await session.scalars(
            select(TokenPull).where(TokenPull.integration_id == integration_id).order_by(TokenPull.id)
        ))


async def _age(runtime: Runtime, integration_id: str, by: timedelta) -> None:
    """Moves the integration's pulls back in time, as if they had been made `by` earlier."""
    async with runtime.sessions() as session:
        for pull in await session.scalars(select(TokenPull).where(TokenPull.integration_id == integration_id)):
            pull.created_at -= by
        await session.commit()
