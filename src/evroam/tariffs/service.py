"""Use cases of central tariffs: every query is scoped to the calling operator."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.base import utcnow
from evroam.database.locks import locked_row
from evroam.database.paging import PageRequest, paginate
from evroam.errors import FieldProblem, InvalidDocument, NotFound
from evroam.events import Change, announce
from evroam.network.common_schemas import as_json
from evroam.tariffs import schemas
from evroam.tariffs.models import Tariff
from evroam.tariffs.publishability import is_publishable
from evroam.tariffs.schemas import TariffCreate, TariffUpdate


async def get_tariff(session: AsyncSession, operator_id: int, tariff_id: str, *, lock: bool = False) -> Tariff:
    """With `lock`, for a change: concurrent changes of the tariff wait for this transaction."""
    where = (Tariff.id == tariff_id, Tariff.operator_id == operator_id)
    tariff = await (locked_row(session, Tariff, *where) if lock else session.scalar(select(Tariff).where(*where)))
    if tariff is None:
        raise NotFound(f"Tariff {tariff_id}")
    return tariff


async def list_tariffs(session: AsyncSession, operator_id: int, page: PageRequest) -> tuple[list[Tariff], int]:
    query = select(Tariff).where(Tariff.operator_id == operator_id).order_by(Tariff.created, Tariff.id)
    return await paginate(session, query, page)


async def create_tariff(session: AsyncSession, operator_id: int, body: TariffCreate) -> Tariff:
    _check(body)
    now = utcnow()
    tariff = Tariff(id=str(uuid.uuid4()), operator_id=operator_id, created=now, last_updated=now, **_columns(body))
    session.add(tariff)
    await session.flush()
    await announce(session, Change(operator_id=operator_id, tariff_ids=frozenset({tariff.id})))
    await session.commit()
    return tariff


async def update_tariff(session: AsyncSession, operator_id: int, tariff_id: str, body: TariffUpdate) -> Tariff:
    tariff = await get_tariff(session, operator_id, tariff_id, lock=True)
    given = {name: getattr(body, name) for name in body.model_fields_set}
    if "tariff_alt_text" in given and given["tariff_alt_text"] is None:
        given["tariff_alt_text"] = []
    merged = TariffCreate.model_validate(schemas.tariff_document(tariff)).model_copy(update=given)
    _check(merged)
    values = _columns(merged)
    # Partners see lastUpdated: a PATCH that restates the stored tariff must not move it.
    if any(getattr(tariff, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(tariff, name, value)
        tariff.last_updated = utcnow()
    await session.flush()
    unpublishable = frozenset() if is_publishable(tariff.use_type) else frozenset({(tariff.id, tariff.use_type)})
    await announce(
        session, Change(operator_id=operator_id, tariff_ids=frozenset({tariff.id}), unpublishable_tariffs=unpublishable)
    )
    await session.commit()
    return tariff


async def delete_tariff(session: AsyncSession, operator_id: int, tariff_id: str) -> None:
    tariff = await get_tariff(session, operator_id, tariff_id, lock=True)
    await announce(session, Change(operator_id=operator_id, deleted_tariff_ids=frozenset({tariff.id})))
    await session.delete(tariff)
    await session.commit()


def _check(tariff: TariffCreate) -> None:
    problems = schemas.problems(tariff)
    if problems:
        raise InvalidDocument([FieldProblem(**problem) for problem in problems])


def _columns(body: TariffCreate) -> dict[str, Any]:
    return {
        "name": body.name,
        "external_id": body.external_id,
        "currency": body.currency,
        "common": body.common,
        "use_type": body.use_type,
        "type": body.type,
        "tariff_alt_text": [as_json(text) for text in body.tariff_alt_text],
        "tariff_alt_url": body.tariff_alt_url,
        "min_price_excl_vat": body.min_price.excl_vat if body.min_price else None,
        "min_price_incl_vat": body.min_price.incl_vat if body.min_price else None,
        "max_price_excl_vat": body.max_price.excl_vat if body.max_price else None,
        "max_price_incl_vat": body.max_price.incl_vat if body.max_price else None,
        "elements": schemas.stored_elements(body.elements),
        "start_date_time": body.start_date_time,
        "end_date_time": body.end_date_time,
        "energy_mix": as_json(body.tariff_energy_mix),
    }
