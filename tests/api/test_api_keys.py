"""The API key check remembers a found key for a few seconds, and never remembers a key it did not find."""

from __future__ import annotations

import httpx
from sqlalchemy import delete

from evroam.api.api_keys import KnownKeys
from evroam.network.operators import service as operator_service
from evroam.network.operators.models import ApiKey
from evroam.runtime import Runtime
from evroam.security import hash_secret
from tests.conftest import API_KEY, OTHER_API_KEY

NEW_KEY = "test-key-created-while-running-0123"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _delete_key(runtime: Runtime, key: str) -> None:
    async with runtime.sessions() as session:
        await session.execute(delete(ApiKey).where(ApiKey.key_hash == hash_secret(key)))
        await session.commit()


async def test_a_removed_key_works_only_until_it_is_forgotten(runtime: Runtime) -> None:
    clock = Clock()
    keys = KnownKeys(remembered_seconds=5.0, clock=clock)
    operator_id = await keys.operator_of(runtime.sessions, API_KEY)
    assert operator_id is not None
    other_operator_id = await keys.operator_of(runtime.sessions, OTHER_API_KEY)
    assert other_operator_id not in (None, operator_id)

    await _delete_key(runtime, API_KEY)
    clock.now += 4.9
    assert await keys.operator_of(runtime.sessions, API_KEY) == operator_id  # remembered
    clock.now += 0.2
    assert await keys.operator_of(runtime.sessions, API_KEY) is None
    assert await keys.operator_of(runtime.sessions, OTHER_API_KEY) == other_operator_id


async def test_an_unknown_key_is_not_remembered(runtime: Runtime) -> None:
    keys = KnownKeys(remembered_seconds=5.0, clock=Clock())
    assert await keys.operator_of(runtime.sessions, NEW_KEY) is None
    async with runtime.sessions() as session:
        operator_id = (await operator_service.default_operator(session, runtime.settings)).id
        await operator_service.create_api_key(session, operator_id, "new", NEW_KEY)
        await session.commit()
    assert await keys.operator_of(runtime.sessions, NEW_KEY) == operator_id  # at once, same clock


async def test_a_key_created_after_a_refusal_opens_the_api_at_once(app, runtime: Runtime) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"x-api-key": NEW_KEY}) as client:
        refused = await client.get("/api/v2/cpo/sites")
        assert refused.status_code == 401
        async with runtime.sessions() as session:
            operator_id = (await operator_service.default_operator(session, runtime.settings)).id
            await operator_service.create_api_key(session, operator_id, "new", NEW_KEY)
            await session.commit()
        assert (await client.get("/api/v2/cpo/sites")).status_code == 200
