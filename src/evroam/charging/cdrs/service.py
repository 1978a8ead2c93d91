"""CDRs: issued once per finished session, read by the operator, and corrected by credit.

* `create_cdr` is called by the sessions capability when a session completes, inside its transaction
  (the caller commits): a session gets one original CDR whatever races, because the table's unique
  constraint holds (operator, session, revision, credit) and the insert does nothing on a conflict;
  the loser of a race gets the winner's CDR back.
* `correct_cdr` issues the credit CDR of a CDR and, when the operator gives corrected figures, the
  session's next CDR, in one transaction. `credit_reference_id` is unique, so a CDR is credited once.
* Each new CDR is announced (`Change.cdr_ids`), for the publisher that pushes it to its integration.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.cdrs.builder import build_cdr, credit_cdr, money, read_datetime
from evroam.charging.cdrs.corrections import corrected_cdr
from evroam.charging.cdrs.models import Cdr
from evroam.database.base import utcnow
from evroam.database.paging import PageRequest, paginate
from evroam.database.upsert import upsert_for
from evroam.errors import Conflict, NotFound
from evroam.events import Change, announce
from evroam.network.chargers.models import Charger


@dataclass(frozen=True, slots=True)
class CdrFilter:
    integration_id: str | None = None
    site_id: int | None = None
    charger_id: str | None = None
    session_id: str | None = None
    start_from: datetime | None = None  # CDRs whose session started at or after this
    start_to: datetime | None = None  # and before this


@dataclass(frozen=True, slots=True)
class Correction:
    """The operator's corrected figures; none at all makes a pure credit."""

    energy_kwh: Decimal | None = None
    end: datetime | None = None

    @property
    def has_figures(self) -> bool:
        return self.energy_kwh is not None or self.end is not None


async def create_cdr(
    session: AsyncSession,
    *,
    operator_id: int,
    integration_id: str,
    charger_id: str,
    session_document: dict[str, Any],
    tariff: dict[str, Any] | None,
    location: dict[str, Any],
    now: datetime | None = None,
) -> Cdr:
    """The CDR of a COMPLETED 2.2.1 Session, priced with the tariff that applied at its start.

    `location` is the Location document as published to the integration. Writes in the caller's
    transaction and does not commit. Calling it again for the same session returns the stored CDR.
    """
    site_id = await session.scalar(
        select(Charger.site_id).where(Charger.operator_id == operator_id, Charger.charger_id == charger_id)
    )
    if site_id is None:
        raise NotFound(f"Charger {charger_id}")
    now = now or utcnow()
    document = build_cdr(session_document, tariff, location, cdr_id=_new_id(), now=now)
    values = _row(document, operator_id=operator_id, integration_id=integration_id, charger_id=charger_id,
                  site_id=site_id, revision=0, time_zone=location.get("time_zone"), now=now)  # fmt: skip
    cdr = await _insert_once(session, values)
    if cdr is None:  # the session has its CDR: a repeated or concurrent stop issued it
        return await session.scalar(
            select(Cdr).where(Cdr.operator_id == operator_id, Cdr.session_id == document["session_id"],
                              Cdr.revision == 0, Cdr.credit.is_(False))  # fmt: skip
        )
    await announce(session, Change(operator_id=operator_id, cdr_ids=frozenset({cdr.id})))
    return cdr


async def correct_cdr(session: AsyncSession, operator_id: int, cdr_id: str, correction: Correction) -> tuple[Cdr, Cdr | None]:
    """The credit CDR of `cdr_id` and, with corrected figures, the session's new CDR; committed together."""
    original = await get_cdr(session, operator_id, cdr_id)
    if original.credit:
        raise Conflict("cdrId", "is a credit CDR: credit CDRs are final")
    now = utcnow()
    related = dict(operator_id=operator_id, integration_id=original.integration_id, charger_id=original.charger_id,
                   site_id=original.site_id, time_zone=original.time_zone, now=now)  # fmt: skip
    corrected = None
    if correction.has_figures:  # built first: bad figures refuse the whole correction
        corrected = corrected_cdr(original.document, cdr_id=_new_id(), now=now, time_zone=original.time_zone,
                                  energy_kwh=correction.energy_kwh, end=correction.end)  # fmt: skip
    credit = await _insert_once(session, _row(credit_cdr(original.document, now=now), revision=original.revision,
                                              **related))  # fmt: skip
    if credit is None:
        await session.rollback()
        raise Conflict("cdrId", "is already credited: correct the CDR that replaced it")
    replacement = None
    if corrected is not None:
        # no race left: whoever wrote the credit owns the correction
        values = _row(corrected, revision=original.revision + 1, **related)
        replacement = await session.scalar(insert(Cdr).values(values).returning(Cdr))
    issued = frozenset(cdr.id for cdr in (credit, replacement) if cdr is not None)
    await announce(session, Change(operator_id=operator_id, cdr_ids=issued))
    await session.commit()
    return credit, replacement


async def get_cdr(session: AsyncSession, operator_id: int, cdr_id: str) -> Cdr:
    cdr = await session.scalar(select(Cdr).where(Cdr.operator_id == operator_id, Cdr.id == cdr_id))
    if cdr is None:
        raise NotFound(f"CDR {cdr_id}")
    return cdr


async def list_cdrs(session: AsyncSession, operator_id: int, request: PageRequest, where: CdrFilter) -> tuple[list[Cdr], int]:
    """The operator's CDRs, the latest sessions first."""
    return await paginate(session, _filtered(operator_id, where), request)


def _filtered(operator_id: int, where: CdrFilter) -> Select:
    query = select(Cdr).where(Cdr.operator_id == operator_id)
    for column, value in ((Cdr.integration_id, where.integration_id), (Cdr.site_id, where.site_id),
                          (Cdr.charger_id, where.charger_id), (Cdr.session_id, where.session_id)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    if where.start_from is not None:
        query = query.where(Cdr.start_date_time >= where.start_from)
    if where.start_to is not None:
        query = query.where(Cdr.start_date_time < where.start_to)
    return query.order_by(Cdr.start_date_time.desc(), Cdr.created_at.desc(), Cdr.id)


async def _insert_once(session: AsyncSession, values: dict[str, Any]) -> Cdr | None:
    """The CDR inserted, or None where a unique constraint already holds one like it."""
    upsert = upsert_for(session.get_bind())
    return await session.scalar(upsert(Cdr).values(values).on_conflict_do_nothing().returning(Cdr))


def _row(document: dict[str, Any], *, operator_id: int, integration_id: str, charger_id: str, site_id: int,
         revision: int, time_zone: str | None, now: datetime) -> dict[str, Any]:  # fmt: skip
    excl_vat, incl_vat = money(document["total_cost"])
    return {
        "id": document["id"],
        "operator_id": operator_id,
        "integration_id": integration_id,
        "session_id": document["session_id"],
        "charger_id": charger_id,
        "site_id": site_id,
        "revision": revision,
        "credit": bool(document.get("credit")),
        "credit_reference_id": document.get("credit_reference_id"),
        "currency": document["currency"],
        "start_date_time": read_datetime(document["start_date_time"], "start_date_time"),
        "end_date_time": read_datetime(document["end_date_time"], "end_date_time"),
        "total_energy": Decimal(str(document["total_energy"])),
        "total_cost_excl_vat": excl_vat,
        "total_cost_incl_vat": incl_vat,
        "time_zone": time_zone,
        "document": document,
        "created_at": now,
        "last_updated": now,
    }


def _new_id() -> str:
    return uuid.uuid4().hex  # 32 characters: the credit suffix still fits
