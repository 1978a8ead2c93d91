"""The token-pulls endpoints of the management API: 202 with the pull, one open pull whatever the number
of parallel requests, the list and one pull, and the refusals (404, 409, 400)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from evroam.charging.tokens.pulls.models import TokenPull
from evroam.integrations.models import Integration
from evroam.runtime import Runtime
from tests.support.token_sender import TokenSender, sender_partner

TOKEN = "emsp-token-for-evroam"


def url(integration_id: str) -> str:
    return f"/api/v2/cpo/integrations/{integration_id}/token-pulls"


async def test_a_requested_pull_is_answered_202_and_runs(runtime: Runtime, client: httpx.AsyncClient):
    sender = TokenSender(count=15, token=TOKEN, page_size=10)
    async with sender_partner(runtime, sender) as integration_id:
        response = await client.post(url(integration_id), json={"full": True})
        assert response.status_code == 202, response.text
        body = response.json()
        assert (body["full"], body["requestedBy"], body["status"], body["pages"]) == (True, "OPERATOR", "QUEUED", 0)
        await runtime.wait_for_background()
        second = await client.post(url(integration_id), json={"full": False})
        assert second.status_code == 202
        await runtime.wait_for_background()
    listed = await client.get(url(integration_id))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [item["id"] for item in items] == [second.json()["id"], body["id"]]  # newest first
    delta, full = items
    assert (full["status"], full["pages"], full["tokensSeen"], full["tokensInvalidated"]) == ("SUCCEEDED", 2, 15, 0)
    assert full["startedAt"] and full["finishedAt"] and "error" not in full
    assert (delta["full"], delta["status"], delta["dateFrom"]) == (False, "SUCCEEDED", full["startedAt"])
    one = await client.get(f"{url(integration_id)}/{body['id']}")
    assert one.status_code == 200 and one.json() == full


async def test_parallel_requests_give_one_pull(runtime: Runtime, client: httpx.AsyncClient):
    # The first page takes a second: the pull is still running when every request has been answered.
    sender = TokenSender(count=5, token=TOKEN, page_size=10, fail_at=1, failure="hang", hang_seconds=1.0)
    async with sender_partner(runtime, sender) as integration_id:
        responses = await asyncio.gather(*(client.post(url(integration_id), json={"full": True}) for _ in range(8)))
        await runtime.wait_for_background()
    assert [response.status_code for response in responses] == [202] * 8
    assert len({response.json()["id"] for response in responses}) == 1
    async with runtime.sessions() as session:
        assert await session.scalar(
            select(func.count()).select_from(TokenPull).where(TokenPull.integration_id == integration_id)
        ) == 1
    assert [seen.offset for seen in sender.requests] == [0]


async def test_another_operators_integration_and_unknown_pulls_are_not_found(
    runtime: Runtime, client: httpx.AsyncClient, other_client: httpx.AsyncClient
):
    sender = TokenSender(count=1, token=TOKEN)
    async with sender_partner(runtime, sender) as integration_id:
        mine = (await client.post(url(integration_id), json={"full": True})).json()
        await runtime.wait_for_background()
        assert (await other_client.post(url(integration_id), json={"full": True})).status_code == 404
        assert (await other_client.get(url(integration_id))).status_code == 404
        assert (await other_client.get(f"{url(integration_id)}/{mine['id']}")).status_code == 404
        assert (await client.get(f"{url(integration_id)}/{mine['id'] + 1000}")).status_code == 404
        assert (await client.get(url("no-such-integration"))).status_code == 404
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TokenPull)) == 1


async def test_a_partner_without_a_tokens_sender_or_not_connected_is_409(runtime: Runtime, client: httpx.AsyncClient):
    async with sender_partner(runtime, TokenSender(count=1, token=TOKEN), tokens_role="RECEIVER") as no_sender_id:
        response = await client.post(url(no_sender_id), json={"full": True})
        assert response.status_code == 409
        assert "no tokens SENDER endpoint" in response.text
    async with sender_partner(runtime, TokenSender(count=1, token=TOKEN)) as integration_id:
        async with runtime.sessions() as session:
            (await session.get(Integration, integration_id)).integration_status = "SUSPENDED"
            await session.commit()
        response = await client.post(url(integration_id), json={"full": True})
        assert response.status_code == 409
        assert "SUSPENDED" in response.text and "CONNECTED" in response.text
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TokenPull)) == 0


@pytest.mark.parametrize("body, field", [({}, "full"), ({"full": "yes"}, "full"), ({"full": 1}, "full"),
                                         ({"full": True, "since": "now"}, "since")])
async def test_a_bad_body_is_400_naming_the_field(runtime: Runtime, client: httpx.AsyncClient, body: dict, field: str):
    async with sender_partner(runtime, TokenSender(count=1, token=TOKEN)) as integration_id:
        response = await client.post(url(integration_id), json=body)
    assert response.status_code == 400
    assert field in [detail["field"] for detail in response.json()["details"]]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TokenPull)) == 0
