"""The gateway's reads and writes: who may connect, which connection holds a charger, the transaction ids.

Each function works in the caller's session and leaves committing to it, except where it goes through the
charger service (which commits, and announces the change so partners see it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.commands.models import PENDING, Command
from evroam.database.base import utcnow
from evroam.database.locks import locked_row
from evroam.database.upsert import upsert_for
from evroam.network.chargers import service as charger_service
from evroam.network.chargers.models import Charger
from evroam.network.chargers.schemas import ChargerUpdate
from evroam.ocpp.meter import Sample
from evroam.ocpp.models import OcppConnection, OcppProcess, OcppTransaction
from evroam.security import hash_secret, secret_matches

# Compared against when the charger is unknown or has no password, so a refusal takes as long either way.
_NO_PASSWORD = hash_secret("")


@dataclass(frozen=True, slots=True)
class Admitted:
    charger_id: str
    operator_id: int


async def admit(session: AsyncSession, charger_id: str, password: str) -> Admitted | None:
    """The charger, if it exists, has a password and `password` is it."""
    row = (await session.execute(
        select(Charger.operator_id, Charger.ocpp_password_hash).where(Charger.charger_id == charger_id)
    )).one_or_none()
    stored = row.ocpp_password_hash if row is not None and row.ocpp_password_hash else _NO_PASSWORD
    matches = secret_matches(password, stored)
    if row is None or not row.ocpp_password_hash or not matches:
        return None
    return Admitted(charger_id, row.operator_id)


async def opened(session: AsyncSession, charger: Admitted, process_id: str) -> str:
    """Makes a new connection, held by this process, the charger's and shows the charger connected; returns
    the connection's id."""
    connection_id = str(uuid.uuid4())
    now = utcnow()
    await process_alive(session, process_id, now)  # with its first connection, or again after a sweep
    values = {"charger_id": charger.charger_id, "connection_id": connection_id, "process_id": process_id,
              "connected_at": now, "disconnected_at": None}
    insert = upsert_for(session.get_bind())(OcppConnection.__table__).values(values)
    await session.execute(insert.on_conflict_do_update(index_elements=["charger_id"], set_=values))
    await set_connected(session, charger, True)
    return connection_id


async def process_alive(session: AsyncSession, process_id: str, now: datetime) -> None:
    values = {"process_id": process_id, "seen_at": now}
    insert = upsert_for(session.get_bind())(OcppProcess.__table__).values(values)
    await session.execute(insert.on_conflict_do_update(index_elements=["process_id"], set_=values))


async def closed(session: AsyncSession, charger: Admitted, connection_id: str) -> bool:
    """Notes when the connection closed; False if another one holds the charger already."""
    result = await session.execute(
        update(OcppConnection)
        .where(OcppConnection.charger_id == charger.charger_id, OcppConnection.connection_id == connection_id)
        .values(disconnected_at=utcnow())
    )
    await session.commit()
    return result.rowcount == 1


async def went_offline(session: AsyncSession, charger: Admitted, connection_id: str) -> None:
    """After the grace period: if the closed connection is still the charger's last one, it is offline."""
    still_away = await session.scalar(select(OcppConnection.charger_id).where(
        OcppConnection.charger_id == charger.charger_id, OcppConnection.connection_id == connection_id,
        OcppConnection.disconnected_at.is_not(None),
    ))
    if still_away is not None:
        await set_connected(session, charger, False)


async def set_connected(session: AsyncSession, charger: Admitted, connected: bool) -> None:
    """Through the charger service (it commits), so the EVSEs' status reaches partners; unchanged, nothing."""
    current = await session.scalar(select(Charger.active_connection).where(Charger.charger_id == charger.charger_id))
    if current is None or current == connected:
        await session.commit()
        return
    body = ChargerUpdate.model_validate({"activeConnection": connected})
    await charger_service.update_charger(session, charger.operator_id, charger.charger_id, body)


async def record_boot(session: AsyncSession, charger: Admitted, identity: dict[str, str | None]) -> None:
    """What the charger says it is (the management API's names: model, manufacturer, ...); commits."""
    given = {name: value for name, value in identity.items() if value}
    if given:
        body = ChargerUpdate.model_validate(given)
        await charger_service.update_charger(session, charger.operator_id, charger.charger_id, body)


async def pending_commands(session: AsyncSession, connection_ids: list[str]) -> list[Command]:
    """PENDING commands, oldest first, of the chargers whose current connection is one of these (this
    process's): a charger that moved to another process gets its commands there."""
    return list(await session.scalars(
        select(Command)
        .join(OcppConnection, OcppConnection.charger_id == Command.charger_id)
        .where(Command.status == PENDING, Command.deadline > utcnow(),
               OcppConnection.connection_id.in_(connection_ids), OcppConnection.disconnected_at.is_(None))
        .order_by(Command.created_at, Command.id)
    ))


async def started_transaction(
    session: AsyncSession, charger_id: str, connector_id: int, started_at: datetime
) -> OcppTransaction | None:
    return await session.scalar(select(OcppTransaction).where(
        OcppTransaction.charger_id == charger_id, OcppTransaction.connector_id == connector_id,
        OcppTransaction.started_at == started_at,
    ))


async def start_transaction(
    session: AsyncSession, charger_id: str, connector_id: int, id_tag: str, started_at: datetime,
    meter_start_wh: Decimal, id_tag_status: str,
) -> OcppTransaction:
    """A new transaction id, or the one given to the same start before (a re-sent StartTransaction, also
    one racing in another process: the unique start decides)."""
    values = {"charger_id": charger_id, "connector_id": connector_id, "id_tag": id_tag, "started_at": started_at,
              "meter_start_wh": meter_start_wh, "id_tag_status": id_tag_status, "interval_energy_wh": Decimal(0)}
    insert = upsert_for(session.get_bind())(OcppTransaction.__table__).values(values)
    await session.execute(insert.on_conflict_do_nothing(index_elements=["charger_id", "connector_id", "started_at"]))
    transaction = await started_transaction(session, charger_id, connector_id, started_at)
    assert transaction is not None  # inserted now or before, in a committed transaction
    return transaction


async def registers(session: AsyncSession, charger_id: str, transaction_id: int, found: list[Sample]) -> list[Decimal | None]:
    """The energy register at each sample: as sent, or for interval meters the transaction's start plus the
    intervals so far. An interval not later than the last one counted (a re-sent message) adds nothing."""
    if all(sample.energy_wh is not None or sample.interval_wh is None for sample in found):
        return [sample.energy_wh for sample in found]
    transaction = await locked_row(
        session, OcppTransaction, OcppTransaction.id == transaction_id, OcppTransaction.charger_id == charger_id
    )
    if transaction is None:
        return [sample.energy_wh for sample in found]
    result: list[Decimal | None] = []
    for sample in found:
        if sample.energy_wh is not None or sample.interval_wh is None:
            result.append(sample.energy_wh)
            continue
        if transaction.interval_through is None or sample.time > transaction.interval_through:
            transaction.interval_energy_wh += sample.interval_wh
            transaction.interval_through = sample.time
        result.append(transaction.meter_start_wh + transaction.interval_energy_wh)
    return result
