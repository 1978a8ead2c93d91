"""Parallel decisions: each gets its own reference and its own row, whatever the batches they share."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from evroam.charging.authorization.models import Authorization
from tests.charging.authorization.conftest import AUTHORIZE, Published
from tests.support.authorizing_emsp import info, store_token, token_document


async def test_parallel_decisions_are_all_recorded_with_distinct_references(published: Published, database_url) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("parallel transactions: PostgreSQL")
    await store_token(published.runtime, published.integration_id, "L0CA1")
    await store_token(published.runtime, published.integration_id, "REA1", whitelist="NEVER")
    # The eMSP gives the same reference to every real-time request: the database's uniqueness decides.
    published.emsp.script["REA1"] = info("ALLOWED", token_document("REA1"), "ONE-REF")

    async def authorize(number: int) -> dict:
        body = {"chargerId": "CH-1", "socketId": number % 2 + 1, "idTag": "REA1" if number % 5 == 0 else "L0CA1"}
        response = await published.client.post(AUTHORIZE, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    answers = await asyncio.gather(*(authorize(number) for number in range(60)))
    references = [answer["authorizationReference"] for answer in answers]
    assert len(set(references)) == 60 and references.count("ONE-REF") == 1
    assert all(answer["allowed"] for answer in answers)
    async with published.runtime.sessions() as session:
        stored = set(await session.scalars(select(Authorization.authorization_reference)))
        assert await session.scalar(select(func.count()).select_from(Authorization)) == 60
    assert stored == set(references)
