"""Connections outlive the process that held them only in the database: a process that dies (killed, out of
memory, its machine gone) closes no WebSocket, so its chargers would show connected, and their EVSEs
available to partners, forever.

So each process holding connections says every ALIVE_EVERY seconds that it is alive (one row per process,
however many chargers it holds), and the periodic sweep (any process's background jobs) takes the
connections of a process silent for STALE_AFTER seconds as closed then; the usual grace follows, after which
a charger that did not reconnect shows offline and its EVSEs UNKNOWN. A process swept while alive (the
database out of its reach for that long) takes its connections back the next time it reaches it.

The grace itself is a wait in the process that saw the close: if that process dies while waiting, the sweep
also takes offline a charger still shown connected whose connection closed longer ago than the grace and
one sweep more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from evroam.database.base import utcnow
from evroam.network.chargers.models import Charger
from evroam.ocpp import service
from evroam.ocpp.models import OcppConnection, OcppProcess
from evroam.ocpp.service import Admitted
from evroam.runtime import Runtime

ALIVE_EVERY = 30.0
# Six signs of life missed: a process is not declared dead for a pause or a slow database.
STALE_AFTER = 180.0
SWEEP_EVERY = 60.0


async def offline_after_grace(runtime: Runtime, charger: Admitted, connection_id: str) -> None:
    """A closed connection: the charger shows offline unless it is back within the grace period."""
    await asyncio.sleep(runtime.settings.ocpp_offline_grace_seconds)
    async with runtime.sessions() as session:
        await service.went_offline(session, charger, connection_id)


async def still_alive(runtime: Runtime, process_id: str, held: Iterable[tuple[Admitted, str]]) -> None:
    """This process's sign of life; `held`: the chargers it holds and their connections. If it was swept
    meanwhile, those connections that are still their charger's are open again and their chargers connected."""
    now = utcnow()
    async with runtime.sessions() as session:
        refreshed = await session.execute(
            update(OcppProcess).where(OcppProcess.process_id == process_id).values(seen_at=now))
        if refreshed.rowcount == 1:
            await session.commit()
            return
        await service.process_alive(session, process_id, now)
        for charger, connection_id in held:
            reopened = await session.execute(
                update(OcppConnection)
                .where(OcppConnection.charger_id == charger.charger_id, OcppConnection.connection_id == connection_id,
                       OcppConnection.disconnected_at.is_not(None))
                .values(disconnected_at=None, process_id=process_id))
            if reopened.rowcount == 1:
                await service.set_connected(session, charger, True)  # commits
        await session.commit()


async def sweep(runtime: Runtime, now: datetime | None = None) -> int:
    """Closes the connections of processes silent for STALE_AFTER seconds (and of none, from before processes
    were recorded) and starts their grace; how many."""
    now = now or utcnow()
    async with runtime.sessions() as session:
        await session.execute(delete(OcppProcess).where(OcppProcess.seen_at < now - timedelta(seconds=STALE_AFTER)))
        orphaned = (await session.execute(
            update(OcppConnection)
            .where(OcppConnection.disconnected_at.is_(None),
                   or_(OcppConnection.process_id.is_(None),
                       OcppConnection.process_id.not_in(select(OcppProcess.process_id))))
            .values(disconnected_at=now)
            .returning(OcppConnection.charger_id, OcppConnection.connection_id)
        )).all()
        operators = dict((await session.execute(
            select(Charger.charger_id, Charger.operator_id)
            .where(Charger.charger_id.in_([charger_id for charger_id, _ in orphaned]))
        )).all())
        await session.commit()
    for charger_id, connection_id in orphaned:
        runtime.spawn(offline_after_grace(runtime, Admitted(charger_id, operators[charger_id]), connection_id))
    await _offline_after_a_lost_grace(runtime, now)
    return len(orphaned)


async def _offline_after_a_lost_grace(runtime: Runtime, now: datetime) -> None:
    """Chargers still shown connected whose connection closed before the grace and a sweep: the process
    that was waiting out their grace died."""
    overdue = now - timedelta(seconds=runtime.settings.ocpp_offline_grace_seconds + SWEEP_EVERY)
    async with runtime.sessions() as session:
        lost = (await session.execute(
            select(OcppConnection.charger_id, OcppConnection.connection_id, Charger.operator_id)
            .join(Charger, Charger.charger_id == OcppConnection.charger_id)
            .where(Charger.active_connection.is_(True), OcppConnection.disconnected_at < overdue)
        )).all()
        for charger_id, connection_id, operator_id in lost:
            await service.went_offline(session, Admitted(charger_id, operator_id), connection_id)
