"""One credentials exchange at a time per integration (evroam as SENDER): the exchange lease, end to end.

The management API asks for exchanges; a real peer on loopback answers them, holding credentials
POST/PUT behind a gate where a test needs an exchange to be still running.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from evroam.database.base import utcnow
from evroam.integrations.models import Integration
from evroam.integrations import exchange_lease
from evroam.ocpi.credentials import registration
from evroam.runtime import Runtime
from tests.integrations.factories import INTEGRATIONS, make_integration, ok
from tests.ocpi.factories import eventually
from tests.ocpi.registration_support import load, sender_integration
from tests.peers.emsp_peer import EmspPeer, Seen

RETRY = {"retryCredentialsExchange": True}


@pytest.fixture
async def held_peer() -> AsyncIterator[EmspPeer]:
    """A peer holding credentials POST/PUT until `gates["credentials"]` is set (always at the end)."""
    gate = asyncio.Event()
    async with EmspPeer(gates={"credentials": gate}).running() as peer:
        try:
            yield peer
        finally:
            gate.set()


def _credentials_calls(peer: EmspPeer, method: str) -> list[Seen]:
    return [seen for seen in peer.requests_to("/credentials") if seen.method == method]


async def _held(peer: EmspPeer, method: str) -> None:
    async def arrived() -> bool:
        return bool(_credentials_calls(peer, method))

    await eventually(arrived)


async def _registering_with(client: httpx.AsyncClient, peer: EmspPeer, token_a: str) -> str:
    connection = {"endpointUrl": peer.versions_url, "initialToken": token_a, "initialRole": "EMSP"}
    return (await make_integration(client, ocpiConnection=connection))["integrationId"]


def _refused(response: httpx.Response, field: str) -> str:
    assert response.status_code == 409, response.text
    [detail] = response.json()["details"]
    assert detail["field"] == field and "already running" in detail["problem"], detail
    return detail["problem"]


async def _set_lease(runtime: Runtime, integration_id: str, until: datetime) -> None:
    async with runtime.sessions() as session:
        await session.execute(
            update(Integration).where(Integration.integration_id == integration_id).values(exchange_lease_until=until)
        )
        await session.commit()


async def test_a_retry_while_the_exchange_runs_is_refused_and_one_after_it_is_accepted(
    client, runtime, live_evroam, held_peer
):
    integration_id = await _registering_with(client, held_peer, held_peer.issue_token_a())
    url = f"{INTEGRATIONS}/{integration_id}"
    await _held(held_peer, "POST")

    running = await load(runtime, integration_id)
    problem = _refused(await client.patch(url, json=RETRY), "retryCredentialsExchange")
    assert f"{running.exchange_lease_until:%Y-%m-%dT%H:%M:%SZ}" in problem, "it says until when"
    connection = {"endpointUrl": held_peer.versions_url, "initialToken": held_peer.issue_token_a()}
    _refused(await client.patch(url, json={"ocpiConnection": connection}), "ocpiConnection")
    unchanged = await load(runtime, integration_id)
    assert unchanged.partner_initial_token_encrypted == running.partner_initial_token_encrypted
    assert "lease" not in (await client.get(url)).text.lower(), "the lease stays internal"

    held_peer.gates["credentials"].set()
    await runtime.wait_for_background()
    connected = await load(runtime, integration_id)
    assert connected.integration_status == "CONNECTED", connected.status_description
    assert connected.exchange_lease_until is None
    assert len(_credentials_calls(held_peer, "POST")) == 1, "the partner saw one registration"

    ok(await client.patch(url, json=RETRY))
    await runtime.wait_for_background()
    updated = await load(runtime, integration_id)
    assert updated.integration_status == "CONNECTED", updated.status_description
    assert len(_credentials_calls(held_peer, "PUT")) == 1 and updated.exchange_lease_until is None


async def test_of_two_simultaneous_retries_one_runs(client, runtime, live_evroam, held_peer):
    gate = held_peer.gates["credentials"]
    gate.set()
    integration_id = await _registering_with(client, held_peer, held_peer.issue_token_a())
    await runtime.wait_for_background()
    gate.clear()

    url = f"{INTEGRATIONS}/{integration_id}"
    answers = await asyncio.gather(client.patch(url, json=RETRY), client.patch(url, json=RETRY))
    assert sorted(answer.status_code for answer in answers) == [200, 409], [answer.text for answer in answers]
    await _held(held_peer, "PUT")
    gate.set()
    await runtime.wait_for_background()
    assert len(_credentials_calls(held_peer, "PUT")) == 1
    assert (await load(runtime, integration_id)).integration_status == "CONNECTED"


async def test_an_expired_lease_is_taken_over(client, runtime, live_evroam):
    async with EmspPeer().running() as peer:
        # What a process that died mid-exchange leaves: CONNECTING, and a lease nobody will release.
        integration_id = await sender_integration(runtime, peer.versions_url, peer.issue_token_a(),
                                                  exchange_lease_until=utcnow() + timedelta(minutes=1))
        url = f"{INTEGRATIONS}/{integration_id}"
        _refused(await client.patch(url, json=RETRY), "retryCredentialsExchange")

        await _set_lease(runtime, integration_id, utcnow() - timedelta(seconds=1))
        ok(await client.patch(url, json=RETRY))
        await runtime.wait_for_background()
    row = await load(runtime, integration_id)
    assert row.integration_status == "CONNECTED", row.status_description
    assert row.exchange_lease_until is None


def _wrong_token_a(peer: EmspPeer, _monkeypatch: pytest.MonkeyPatch) -> str:
    return "not-the-peers-token-a"


def _unexpected_error(peer: EmspPeer, monkeypatch: pytest.MonkeyPatch) -> str:
    async def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(registration, "discover", broken)
    return peer.issue_token_a()


def _partner_too_slow(peer: EmspPeer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(exchange_lease, "EXCHANGE_BUDGET", timedelta(seconds=1))
    return peer.issue_token_a()


@pytest.mark.parametrize(
    ("breaking", "said"),
    [(_wrong_token_a, "refused the initial token"), (_unexpected_error, "unexpected error: boom"),
     (_partner_too_slow, "within 1 seconds")],
)
async def test_a_failed_exchange_releases_the_lease(client, runtime, live_evroam, held_peer, monkeypatch,
                                                     breaking, said):
    integration_id = await _registering_with(client, held_peer, breaking(held_peer, monkeypatch))
    await runtime.wait_for_background()
    row = await load(runtime, integration_id)
    assert row.integration_status == "FAILED" and said in row.status_description, row.status_description
    assert row.exchange_lease_until is None

    ok(await client.patch(f"{INTEGRATIONS}/{integration_id}", json=RETRY))
    await runtime.wait_for_background()
