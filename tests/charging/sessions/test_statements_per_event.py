"""What one meter value of a session under way costs in statements: every charger event and every OCPP
MeterValues pays it, so a change that adds a round trip to it shows here (a count, not a timing).

The statements, on PostgreSQL: the charger with its sockets, site and operator; the event; the session
locked; its events and socket statuses; its authorization decision with the integration; the session
stored; then, publishing it, the operator's integrations, the session's other publications, its ledger
row, the push queued and the ledger row stored. SQLite takes its write lock before the lock-read (one
more)."""

from __future__ import annotations

from sqlalchemy import event

from tests.charging.sessions.conftest import Network
from tests.charging.sessions.test_session_publication import meter, started, with_receivers
from tests.integrations.factories import ok

BUDGET = {"postgresql": 11, "sqlite": 12}


async def test_a_meter_value_of_a_published_session_stays_within_its_statement_budget(network: Network) -> None:
    await with_receivers(network, network.integration_id)
    decision = await network.authorize()
    ok(await network.post(started(decision["authorizationReference"])))
    ok(await network.post(meter(20, 7000)))
    engine = network.runtime.engine.sync_engine
    seen: list[str] = []

    def record(_connection, _cursor, statement, *_rest) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        ok(await network.post(meter(25, 9000)))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    pushed = [statement for statement in seen if statement.startswith("INSERT INTO outbox_deliveries")]
    assert len(pushed) == 1, "the partner is sent the change"
    assert len(seen) <= BUDGET[engine.dialect.name], "\n".join(statement.split("\n")[0][:120] for statement in seen)
