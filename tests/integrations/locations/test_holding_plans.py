"""The reads of "which locations hold this charger" go by index on PostgreSQL, however many locations every
partner has: an authorization decision, a socket's status (the publication's affected locations, the
details read model's invalidation) read a handful of rows, never every integration location.

Written with OR between a location's site and its picked chargers, each of them read every integration
location of every partner (1.3 ms at 10,000 locations, per decision and per event). The plans are
asked of the database itself, over 3,000 locations it has statistics for, in a transaction rolled back.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.authorization import service as authorization
from evroam.events import Change
from evroam.integrations.details import read_model
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.models import Integration
from evroam.network.chargers.models import Charger, Socket
from evroam.network.operators import service as operators
from evroam.network.sites.models import Site
from evroam.publication.locations import _affected_reads
from evroam.runtime import Runtime
from tests.support.plans import postgres_plan

LOCATIONS = 3000
CHARGER = "PLAN_01234"


async def many_locations(session: AsyncSession, operator_id: int) -> None:
    """LOCATIONS sites of one charger each, every one a location of one of three integrations."""
    await session.execute(insert(Site), [
        {"id": n, "operator_id": operator_id, "name": f"Site {n}", "timezone": "Europe/Helsinki", "country": "FIN",
         "city": "Helsinki", "street_address": f"Street {n}", "postal_code": "00100", "latitude": 60, "longitude": 24}
        for n in range(1, LOCATIONS + 1)
    ])
    await session.execute(insert(Charger), [
        {"charger_id": f"PLAN_{n:05d}", "operator_id": operator_id, "site_id": n, "name": f"Charger {n}"}
        for n in range(1, LOCATIONS + 1)
    ])
    await session.execute(insert(Socket), [
        {"charger_id": f"PLAN_{n:05d}", "socket_id": 1, "type": "IEC_62196_T2", "format": "SOCKET",
         "power_type": "AC_3_PHASE", "max_power": 22, "max_voltage": 230, "max_amperage": 32}
        for n in range(1, LOCATIONS + 1)
    ])
    integrations = [str(uuid.uuid4()) for _ in range(3)]
    await session.execute(insert(Integration), [
        {"integration_id": integration_id, "operator_id": operator_id, "integration_name": f"Partner {number}",
         "integration_status": "CONNECTED", "models": {}}
        for number, integration_id in enumerate(integrations)
    ])
    await session.execute(insert(IntegrationLocation), [
        {"id": str(uuid.uuid4()), "integration_id": integrations[n % 3], "site_id": n, "exclude_chargers": False}
        for n in range(1, LOCATIONS + 1)
    ])
    await session.execute(text("ANALYZE"))


async def test_the_locations_holding_a_charger_are_read_by_index(runtime: Runtime, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL plan")
    async with runtime.sessions() as session:
        operator = await operators.default_operator(session, runtime.settings)
        await many_locations(session, operator.id)
        statements = {
            "authorization": authorization._LOOKUP.params(
                operator_id=operator.id, charger_id=CHARGER, socket_id=1, uid_key="CARD"
            ),
            "publication": _affected_reads().holding_chargers.params(charger_ids=[CHARGER]),
            "details": update(read_model._locations)
            .where(read_model._locations.c.id.in_(
                read_model._affected(Change(operator_id=operator.id, charger_ids=frozenset({CHARGER})))
            ))
            .values(details=None),
        }
        for name, statement in statements.items():
            found = await postgres_plan(session, statement)
            assert "Seq Scan on integration_locations" not in found, f"{name} reads every location:\n{found}"
        await session.rollback()
