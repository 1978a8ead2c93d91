"""The token policy of an integration over the management API: defaults, replacement, validation, isolation."""

from __future__ import annotations

import asyncio

import pytest

from evroam.charging.tokens.models import POLICY_DEFAULTS, TokenPolicy
from evroam.charging.tokens.policies.service import policy_of
from tests.support.ocpi_partner import register_partner


def _url(integration_id: str) -> str:
    return f"/api/v2/cpo/integrations/{integration_id}/token-policy"


async def test_an_integration_without_a_policy_shows_the_defaults(client, runtime):
    partner = await register_partner(runtime)
    answer = await client.get(_url(partner.integration_id))
    assert answer.status_code == 200
    assert answer.json() == {
        "integrationId": partner.integration_id,
        "realtimeTimeoutMs": POLICY_DEFAULTS["realtime_timeout_ms"],
        "realtimeFallback": POLICY_DEFAULTS["realtime_fallback"],
        "fullPullEveryHours": POLICY_DEFAULTS["full_pull_every_hours"],
        "deltaPullEveryMinutes": POLICY_DEFAULTS["delta_pull_every_minutes"],
    }


async def test_a_replaced_policy_is_what_the_services_read(client, runtime):
    partner = await register_partner(runtime)
    answer = await client.put(_url(partner.integration_id),
                              json={"realtimeTimeoutMs": 1500, "realtimeFallback": "REFUSE", "fullPullEveryHours": 0})
    assert answer.status_code == 200
    assert answer.json()["realtimeTimeoutMs"] == 1500
    async with runtime.sessions() as session:
        policy = await policy_of(session, partner.integration_id)
    assert (policy.realtime_timeout_ms, policy.realtime_fallback, policy.full_pull_every_hours,
            policy.delta_pull_every_minutes) == (1500, "REFUSE", 0, POLICY_DEFAULTS["delta_pull_every_minutes"])

    # A second PUT replaces the whole policy: what it leaves out returns to the default.
    answer = await client.put(_url(partner.integration_id), json={"deltaPullEveryMinutes": 5})
    assert answer.json()["realtimeFallback"] == POLICY_DEFAULTS["realtime_fallback"]
    assert answer.json()["deltaPullEveryMinutes"] == 5


@pytest.mark.parametrize(("body", "field"), [
    ({"realtimeTimeoutMs": 50}, "realtimeTimeoutMs"),
    ({"realtimeTimeoutMs": "fast"}, "realtimeTimeoutMs"),
    ({"realtimeFallback": "MAYBE"}, "realtimeFallback"),
    ({"fullPullEveryHours": -1}, "fullPullEveryHours"),
    ({"deltaPullEvery": 5}, "deltaPullEvery"),
])
async def test_bad_input_is_refused_naming_the_field_and_changes_nothing(client, runtime, body, field):
    partner = await register_partner(runtime)
    await client.put(_url(partner.integration_id), json={"realtimeTimeoutMs": 2000})
    answer = await client.put(_url(partner.integration_id), json=body)
    assert answer.status_code == 400
    assert field in answer.text
    assert (await client.get(_url(partner.integration_id))).json()["realtimeTimeoutMs"] == 2000


async def test_another_operators_integration_is_not_found(client, other_client, runtime):
    partner = await register_partner(runtime)
    assert (await other_client.get(_url(partner.integration_id))).status_code == 404
    assert (await other_client.put(_url(partner.integration_id), json={"realtimeTimeoutMs": 999})).status_code == 404
    assert (await client.get(_url(partner.integration_id))).json()["realtimeTimeoutMs"] == 3000
    assert (await client.get(_url("no-such-integration"))).status_code == 404


async def test_parallel_replacements_leave_one_whole_policy(client, runtime, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("parallel writers need PostgreSQL")
    partner = await register_partner(runtime)
    bodies = [{"realtimeTimeoutMs": 1000 + index, "deltaPullEveryMinutes": index} for index in range(1, 11)]
    answers = await asyncio.gather(*(client.put(_url(partner.integration_id), json=body) for body in bodies))
    assert {answer.status_code for answer in answers} == {200}
    async with runtime.sessions() as session:
        rows = (await session.scalars(
            TokenPolicy.__table__.select().where(TokenPolicy.integration_id == partner.integration_id)
        )).all()
        policy = await policy_of(session, partner.integration_id)
    assert len(rows) == 1
    # Both columns come from the same PUT.
    assert policy.realtime_timeout_ms - 1000 == policy.delta_pull_every_minutes
