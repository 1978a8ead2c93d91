"""Which sessions a socket status falls in is read on every status a charger reports: on PostgreSQL by the
index on (charger, socket, end), through the socket's open sessions and those ended since, not through
every session the charger ever had (9 ms at 4,000, and a charger has more every day). The plan is asked
of the database itself, over a charger with 4,000 past sessions, in a transaction rolled back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql

from evroam.charging.sessions.models import ChargingSession
from evroam.charging.sessions.service import sessions_during_query
from evroam.network.chargers.models import Charger
from evroam.network.operators import service as operators
from evroam.network.sites.models import Site
from evroam.runtime import Runtime

PAST_SESSIONS = 4000


async def test_a_status_reads_the_sessions_it_falls_in_by_index(runtime: Runtime, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL plan")
    now = datetime.now(UTC)
    async with runtime.sessions() as session:
        operator_id = (await operators.default_operator(session, runtime.settings)).id
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
            for n in range(PAST_SESSIONS)
        ])
        await session.execute(text("ANALYZE charging_sessions"))
        query = sessions_during_query("BUSY", 1, now)
        sql = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(await session.scalars(text(f"EXPLAIN {sql}")))
        assert "ix_charging_sessions_socket_end" in plan, plan
        assert "uq_charging_sessions" not in plan and "Seq Scan" not in plan, plan
        await session.rollback()
