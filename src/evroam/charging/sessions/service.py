"""Charging sessions' reads and writes: the row of a (charger, transaction), locked while it is rebuilt,
the events and the authorization decision it is built from, the rebuilt state stored, and the lists the
management API shows.

Rebuilding holds the session row's lock from before its events are read until the commit: of two batches
of one session's events arriving at once, the second waits and then reads both, so neither state is lost.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.authorization.models import Authorization
from evroam.charging.events import service as events_service
from evroam.charging.sessions import builder
from evroam.charging.sessions.models import ENERGY_STEP, ChargingSession, rounded_amount
from evroam.database.base import utcnow
from evroam.database.held import kept
from evroam.database.locks import RowLock, read_locked
from evroam.database.paging import PageRequest, paginate
from evroam.database.upsert import upsert_for
from evroam.errors import NotFound
from evroam.events import Change, announce
from evroam.integrations.models import Integration
from evroam.network.chargers.models import Charger
from evroam.tariffs.pricing.model import PricingResult

# A decision is the session's when taken before its start, give or take the charger's clock against ours.
CLOCK_SKEW = timedelta(minutes=5)
_COST_FIELDS = ("total_energy_cost", "total_time_cost", "total_parking_cost", "total_fixed_cost",
                "total_reservation_cost", "total_cost")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    integration_id: str | None = None
    site_id: int | None = None
    charger_id: str | None = None
    status: str | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None


async def locked_session(
    session: AsyncSession, charger: Charger, transaction_id: str, first_seen: datetime
) -> ChargingSession:
    """The session of the transaction, created PENDING when it is new, locked until the transaction ends.

    Looked for first: every event but a session's first finds it, and is spared the insert's round trip."""
    key = {"of_charger": charger.charger_id, "of_transaction": transaction_id}
    found = await read_locked(session, _session_lock(), key)
    if found is not None:
        kept(session.sync_session, found)  # the publication hook publishes it at commit
        return found
    insert = upsert_for(session.get_bind())(ChargingSession.__table__)
    now = utcnow()
    await session.execute(
        insert.values(
            id=str(uuid.uuid4()), operator_id=charger.operator_id, charger_id=charger.charger_id,
            transaction_id=transaction_id, site_id=charger.site_id, status="PENDING", timed_out=False,
            start_date_time=first_seen, kwh=Decimal(0), created_at=now, last_updated=now,
        ).on_conflict_do_nothing(index_elements=["charger_id", "transaction_id"])
    )
    # Of two transactions creating it at once, the second's insert waits for the first's, then does nothing.
    found = await read_locked(session, _session_lock(), key)
    assert found is not None  # inserted above, and sessions are never deleted while their charger lives
    kept(session.sync_session, found)
    return found


@functools.cache
def _session_lock() -> RowLock:
    """Built once: every charger event locks its session (building the statements costs more than running them)."""
    return RowLock.of(
        ChargingSession,
        # Not named as the columns: SQLite's lock is an UPDATE, whose SET takes those names.
        ChargingSession.charger_id == bindparam("of_charger"),
        ChargingSession.transaction_id == bindparam("of_transaction"),
    )


async def session_events(
    session: AsyncSession, charging: ChargingSession
) -> list[builder.Event]:
    """The builder's events of the session: its own, and its socket's statuses while it lasted."""
    rows = await events_service.session_rows(session, charging.charger_id, charging.transaction_id)
    stopped = min((row.time for row in rows if row.type == "SessionStopped"), default=None)
    # Unpacked, not read by name: a long session's hundreds of rows are turned into events on every event.
    return [
        _event(*row) for row in rows
        if row.type != "StatusChanged" or stopped is None or row.time <= stopped
    ]


def _event(arrival: int, kind: str, time: datetime, socket_id: int | None, payload: dict[str, Any]) -> builder.Event:
    if kind == "MeterValues":
        return builder.Meter(time, arrival, Decimal(payload["energyWh"]), _decimal(payload.get("powerW")),
                             _decimal(payload.get("currentA")), _decimal(payload.get("stateOfCharge")))
    if kind == "StatusChanged":
        return builder.SocketStatus(time, arrival, payload["status"])
    if kind == "SessionStarted":
        return builder.Started(time, arrival, socket_id, payload["idTag"], Decimal(payload["meterStartWh"]),  # type: ignore[arg-type]
                               payload.get("authorizationReference"), payload.get("reservationId"))
    return builder.Stopped(time, arrival, Decimal(payload["meterStopWh"]), payload.get("reason", "Local"))


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


async def sessions_during(session: AsyncSession, charger_id: str, socket_id: int, moment: datetime) -> list[str]:
    """Transactions at the socket that had started by `moment` and not ended before it."""
    return list(await session.scalars(sessions_during_query(charger_id, socket_id, moment)))


def sessions_during_query(charger_id: str, socket_id: int, moment: datetime) -> Select:
    # By ix_charging_sessions_socket_end: the open sessions and those ended since, not all the charger's.
    return select(ChargingSession.transaction_id).where(
        ChargingSession.charger_id == charger_id, ChargingSession.socket_id == socket_id,
        ChargingSession.start_date_time <= moment,
        or_(ChargingSession.end_date_time.is_(None), ChargingSession.end_date_time >= moment),
    )


async def decision_for(
    session: AsyncSession, charger_id: str, socket_id: int, id_tag: str, reference: str | None, start: datetime
) -> Authorization | None:
    """The decision the session started on: the one its authorizationReference names, else the latest for
    its idTag at its socket taken before it started, a refusal included (a card withdrawn after its
    Authorize is refused at the start: that refusal is the last word). The integration it names comes in
    the same statement, and is kept for `integration`."""
    by_reference, latest_for_tag = _decision_statements()
    found = None
    if reference is not None:
        found = (await session.execute(by_reference, {"charger_id": charger_id, "reference": reference})).first()
    if found is None:
        found = (await session.execute(latest_for_tag, {
            "charger_id": charger_id, "socket_id": socket_id, "id_tag": id_tag, "latest": start + CLOCK_SKEW,
        })).first()
    if found is None:
        return None
    kept(session.sync_session, found.Integration)
    return found.Authorization


@functools.cache
def _decision_statements() -> tuple[Select, Select]:
    """`decision_for`'s two reads, built once: every charger event of a session makes one."""
    at_charger = Authorization.charger_id == bindparam("charger_id")
    decided = select(Authorization, Integration).outerjoin(
        Integration, Integration.integration_id == Authorization.integration_id
    )
    by_reference = decided.where(at_charger, Authorization.authorization_reference == bindparam("reference"))
    latest_for_tag = (
        decided.where(at_charger, Authorization.socket_id == bindparam("socket_id"),
                      Authorization.id_tag == bindparam("id_tag"), Authorization.decided_at <= bindparam("latest"))
        .order_by(Authorization.decided_at.desc(), Authorization.id.desc())
        .limit(1)
    )
    return by_reference, latest_for_tag


async def integration(session: AsyncSession, integration_id: str) -> Integration | None:
    found = await session.get(Integration, integration_id)
    kept(session.sync_session, found)  # the publication hook publishes to it at commit
    return found


def settings_of(found: Integration | None) -> builder.Settings:
    if found is None:
        return builder.Settings()
    return builder.Settings(found.charging_period_interval_in_minutes, found.state_of_charge_is_sent)


@dataclass(frozen=True, slots=True)
class Attributed:
    """To whom a rebuilt session is reported, and with what (all None: it is nobody's)."""

    integration_id: str | None = None
    auth_method: str | None = None
    tariff_id: str | None = None
    tariff: dict[str, Any] | None = None
    currency: str | None = None
    document: dict[str, Any] | None = None


async def save(
    session: AsyncSession, charging: ChargingSession, state: builder.SessionState, attributed: Attributed,
    timed_out: bool, now: datetime,
) -> bool:
    """Stores the rebuilt session; announces it when anything a reader sees changed. True if it changed."""
    cost = state.cost
    values: dict[str, Any] = {
        "status": state.status, "timed_out": timed_out, "socket_id": state.socket_id or charging.socket_id,
        "id_tag": state.id_tag, "authorization_reference": state.authorization_reference,
        "integration_id": attributed.integration_id, "auth_method": attributed.auth_method,
        "start_date_time": state.start, "end_date_time": state.end,
        "meter_start_wh": _energy(state.meter_start_wh), "meter_stop_wh": _energy(state.meter_stop_wh),
        "kwh": _energy(state.kwh), "stop_reason": state.stop_reason, "currency": attributed.currency,
        "tariff_id": attributed.tariff_id, "tariff": attributed.tariff,
        "costs": None if cost is None else _costs(cost),
        "total_cost_excl_vat": None if cost is None else rounded_amount(cost.total_cost.excl_vat),
        "total_cost_incl_vat": None if cost is None else rounded_amount(cost.total_cost.incl_vat),
    }
    unchanged = all(getattr(charging, name) == value for name, value in values.items())
    if unchanged and _without_stamp(charging.document) == _without_stamp(attributed.document):
        return False
    for name, value in values.items():
        setattr(charging, name, value)
    charging.document = attributed.document
    charging.last_updated = now
    await session.flush()
    await announce(session, Change(operator_id=charging.operator_id, session_ids=frozenset({charging.id})))
    return True


def _energy(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(ENERGY_STEP)


def _without_stamp(document: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if document is None else {key: value for key, value in document.items() if key != "last_updated"}


def _costs(cost: PricingResult) -> dict[str, dict[str, str]]:
    return {name: {"exclVat": str(getattr(cost, name).excl_vat), "inclVat": str(getattr(cost, name).incl_vat)}
            for name in _COST_FIELDS}  # fmt: skip


async def get_session(session: AsyncSession, operator_id: int, session_id: str) -> ChargingSession:
    found = await session.scalar(
        select(ChargingSession).where(ChargingSession.id == session_id, ChargingSession.operator_id == operator_id)
    )
    if found is None:
        raise NotFound(f"Session {session_id}")
    return found


async def list_sessions(
    session: AsyncSession, operator_id: int, filters: Filters, page: PageRequest
) -> tuple[list[ChargingSession], int]:
    """Newest start first; a range that holds no moment (to at or before from) lists nothing."""
    return await paginate(session, _listed(operator_id, filters), page)


def _listed(operator_id: int, filters: Filters) -> Select:
    query = select(ChargingSession).where(ChargingSession.operator_id == operator_id)
    for column, value in (
        (ChargingSession.integration_id, filters.integration_id), (ChargingSession.site_id, filters.site_id),
        (ChargingSession.charger_id, filters.charger_id), (ChargingSession.status, filters.status),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.start_from is not None:
        query = query.where(ChargingSession.start_date_time >= filters.start_from)
    if filters.start_to is not None:
        query = query.where(ChargingSession.start_date_time < filters.start_to)
    return query.order_by(ChargingSession.start_date_time.desc(), ChargingSession.id)
