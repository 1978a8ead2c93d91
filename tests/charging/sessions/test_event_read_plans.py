"""Two reads of every charger event go by index on PostgreSQL, not through the charger's whole history,
which grows every day:

* which sessions a socket status falls in (every status): through the socket's open sessions and those
  ended since, not every session the charger ever had (9 ms at 4,000);
* the latest decision for a session's idTag at its socket (every event of a session): straight to it, not
  back through every decision taken at the charger when there is none (2.7 ms at 20,000: free vending).

The plans are asked of the database itself, over a charger with 4,000 past sessions and decisions, in a
transaction rolled back.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.authorization.models import Authorization
from evroam.charging.sessions.models import ChargingSession
from evroam.charging.sessions.service import _decision_statements, sessions_during_query
from evroam.network.chargers.models import Charger
from evroam.network.operators import service as operators
from evroam.network.sites.models import Site
from evroam.runtime import Runtime
from tests.support.plans import postgres_plan

PAST = 4000


async def busy_charger(session: AsyncSession, operator_id: int, now: datetime) -> None:
    """Charger BUSY with PAST sessions, and PAST decisions for other idTags than FREE-VEND, all behind it."""
    await session.execute(insert(Site).values(
        id=1, operator_id=operator_id, name="Site", timezone="Europe/Helsinki", country="FIN", city="Helsinki",
        street_address="Street 1", postal_code="00100", latitude=60, longitude=24,
    ))
    await session.execute(insert(Charger).values(charger_id="BUSY", operator_id=operator_id, site_id=1,
                                                 name="Busy charger"))
    await session.execute(insert(ChargingSession), [
        {"id": str(uuid.uuid4()), "operator_id": operator_id, "charger_id": "BUSY", "transaction_id": str(n),
         "site_id": 1, "socket_id": n % 2 + 1, "status": "COMPLETED", "timed_out": False,
         "start_date_time": now - timedelta(hours=n + 1), "end_date_time": now - timedelta(hours=n, minutes=30),
         "kwh": 10, "created_at": now, "last_updated": now}
        for n in range(PAST)
    ])
    await session.execute(insert(Authorization), [
        {"authorization_reference": f"REF-{n}", "operator_id": operator_id, "charger_id": "BUSY",
         "socket_id": n % 2 + 1, "id_tag": f"CARD{n % 500}", "allowed": True, "status": "ALLOWED",
         "source": "LOCAL", "reason": "Whitelisted.", "decided_at": now - timedelta(hours=n + 1)}
        for n in range(PAST)
    ])
    await session.execute(text("ANALYZE"))


async def test_every_event_reads_by_index_not_the_charger_history(runtime: Runtime, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL plan")
    now = datetime.now(UTC)
    async with runtime.sessions() as session:
        await busy_charger(session, (await operators.default_operator(session, runtime.settings)).id, now)

        during = await postgres_plan(session, sessions_during_query("BUSY", 1, now))
        assert "ix_charging_sessions_socket_end" in during, during
        assert "uq_charging_sessions" not in during and "Seq Scan" not in during, during

        _, latest_for_tag = _decision_statements()
        nobody_let_in = latest_for_tag.params(charger_id="BUSY", socket_id=1, id_tag="FREE-VEND", latest=now)
        decision = await postgres_plan(session, nobody_let_in)
        assert "ix_authorizations_socket_tag" in decision, decision
        assert "Seq Scan on authorizations" not in decision, decision
        await session.rollback()
