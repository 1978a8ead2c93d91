"""Two StartTransactions at once on PostgreSQL, over real WebSockets: the same start re-sent (a charger that
lost the answer, reconnected, possibly to another process) gets one transaction id and one session, and
different starts never share an id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from ocpp.v16 import call
from sqlalchemy import func, select

from evroam.charging.sessions.models import ChargingSession
from evroam.ocpp.models import OcppTransaction
from tests.ocpp.conftest import Gateway


@pytest.fixture
def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes one writer at a time: nothing races")


def start(connector_id: int, started_at: str) -> call.StartTransaction:
    return call.StartTransaction(connector_id=connector_id, id_tag="DRIVER1", meter_start=1000, timestamp=started_at)


async def test_the_same_start_twice_at_once_is_one_transaction(gateway: Gateway, postgres_only: None) -> None:
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    async with gateway.charger() as first, gateway.charger() as second:
        answers = await asyncio.gather(first.call(start(1, started_at)), second.call(start(1, started_at)))
    assert answers[0].transaction_id == answers[1].transaction_id
    async with gateway.network.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OcppTransaction)) == 1
        assert await session.scalar(select(func.count()).select_from(ChargingSession)) == 1


async def test_different_starts_at_once_get_their_own_ids(gateway: Gateway, postgres_only: None) -> None:
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    async with gateway.charger() as charger:
        answers = await asyncio.gather(charger.call(start(1, started_at)), charger.call(start(2, started_at)))
    assert answers[0].transaction_id != answers[1].transaction_id
    async with gateway.network.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ChargingSession)) == 2
