"""The commands' reads and writes.

A command's status moves once, out of PENDING, by `settle`: an UPDATE that only matches a PENDING row.
Of a charger side's answer and the deadline's time-out (or two answers) racing, the database lets exactly
one through, and only that one queues a result for the partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from evroam.charging.authorization.models import Authorization
from evroam.charging.commands.models import PENDING, Command
from evroam.charging.events.schemas import ChargerEventIn, SessionStarted
from evroam.charging.sessions.models import ChargingSession
from evroam.database.paging import PageRequest, paginate
from evroam.errors import NotFound


@dataclass(frozen=True, slots=True)
class Filters:
    """What the operator's command list is narrowed to (None: any)."""

    status: str | None = None
    charger_id: str | None = None
    integration_id: str | None = None
    type: str | None = None


async def list_commands(
    session: AsyncSession, operator_id: int, filters: Filters, page: PageRequest
) -> tuple[list[Command], int]:
    """The operator's commands, oldest first: the charger side takes PENDING ones in the order they came."""
    query = select(Command).where(Command.operator_id == operator_id)
    for column, value in ((Command.status, filters.status), (Command.charger_id, filters.charger_id),
                          (Command.integration_id, filters.integration_id), (Command.type, filters.type)):
        if value is not None:
            query = query.where(column == value)
    return await paginate(session, query.order_by(Command.created_at, Command.id), page)


async def get_command(session: AsyncSession, operator_id: int, command_id: str) -> Command:
    found = await session.get(Command, command_id)
    if found is None or found.operator_id != operator_id:
        raise NotFound("command")
    return found


async def settle(
    session: AsyncSession, command_id: str, status: str, result: str, message: str | None, now: datetime
) -> bool:
    """Gives a PENDING command its outcome; False when it was no longer PENDING (another got there first)."""
    settled = await session.execute(
        update(Command)
        .where(Command.id == command_id, Command.status == PENDING)
        .values(status=status, result=result, message=message, answered_at=now)
        .returning(Command.id)
        .execution_options(synchronize_session=False)
    )
    return settled.first() is not None


async def overdue(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """PENDING commands past their deadline, oldest first."""
    query = (
        select(Command.id)
        .where(Command.status == PENDING, Command.deadline <= now)
        .order_by(Command.deadline)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def reference_taken(session: AsyncSession, reference: str) -> bool:
    """Whether an authorization already goes by this reference (a Session and a CDR name one each)."""
    taken = await session.scalar(select(Authorization.id).where(Authorization.authorization_reference == reference))
    return taken is not None


async def partner_session(session: AsyncSession, integration_id: str, session_id: str) -> ChargingSession | None:
    """The session, when it is this integration's (OCPI ids are CiStrings: compared without case)."""
    return await session.scalar(
        select(ChargingSession).where(
            ChargingSession.integration_id == integration_id,
            func.upper(ChargingSession.id) == session_id.upper(),
        )
    )


async def with_command_references(
    session: AsyncSession, charger_id: str, events: Sequence[ChargerEventIn]
) -> list[ChargerEventIn]:
    """The events, each SessionStarted that gives no authorization reference taking the one of the partner's
    command it began on: the START_SESSION or RESERVE_NOW it names (`commandId`), else the RESERVE_NOW the
    charger accepted last for the reservation it names (`reservationId`; OCPI: the reference is the last
    the eMSP gave). The session is then the commanding partner's, with its token, also when the command had
    timed out."""
    unreferenced = [event for event in events if isinstance(event, SessionStarted) and not event.authorization_reference]
    by_command = await _references(
        session, Command.id, {event.command_id for event in unreferenced if event.command_id},
        Command.charger_id == charger_id)
    by_reservation = await _references(
        session, Command.reservation_id, {event.reservation_id for event in unreferenced if event.reservation_id},
        Command.charger_id == charger_id, Command.type == "RESERVE_NOW", Command.result == "ACCEPTED")
    found = []
    for event in events:
        reference = (by_command.get(event.command_id) or by_reservation.get(event.reservation_id)
                     if isinstance(event, SessionStarted) and not event.authorization_reference else None)
        found.append(event.model_copy(update={"authorization_reference": reference}) if reference else event)
    return found


async def _references(
    session: AsyncSession, key: InstrumentedAttribute[Any], wanted: set[Any], *conditions: ColumnElement[bool]
) -> dict[Any, str]:
    """The authorization reference of the commands whose `key` is wanted (of several, the latest)."""
    if not wanted:
        return {}
    rows = await session.execute(
        select(key, Command.authorization_reference)
        .where(key.in_(wanted), Command.authorization_reference.is_not(None), *conditions)
        .order_by(Command.created_at)
    )
    return dict(rows.all())
