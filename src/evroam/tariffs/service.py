"""Use cases of central tariffs: every query is scoped to the calling operator."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.api.errors import ApiError, bad_request, conflict, not_found
from evroam.api.pagination import PageRequest, paginate
from evroam.database.base import utcnow
from evroam.database.locks import locked_row
from evroam.events import Change, announce
from evroam.integrations.models import Integration
from evroam.integrations.tariff_links.models import TariffLink
from evroam.network.common_schemas import as_json
from evroam.tariffs import schemas
from evroam.tariffs.models import Tariff
from evroam.tariffs.publishability import is_publishable, why_not_publishable
from evroam.tariffs.schemas import TariffCreate, TariffUpdate

_NOT_NULL = ("name", "currency", "common", "use_type", "elements")


async def get_tariff(session: AsyncSession, operator_id: int, tariff_id: str, *, lock: bool = False) -> Tariff:
    """With `lock`, for a change: concurrent changes of the tariff wait for this transaction."""
    where = (Tariff.id == tariff_id, Tariff.operator_id == operator_id)
    tariff = await (locked_row(session, Tariff, *where) if lock else session.scalar(select(Tariff).where(*where)))
    if tariff is None:
        raise not_found(f"Tariff {tariff_id}")
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
    for name in _NOT_NULL:
        if name in body.model_fields_set and getattr(body, name) is None:
            raise bad_request(TariffUpdate.model_fields[name].alias or name, "cannot be null")
    given = {name: getattr(body, name) for name in body.model_fields_set}
    if "tariff_alt_text" in given and given["tariff_alt_text"] is None:
        given["tariff_alt_text"] = []
    merged = TariffCreate.model_validate(schemas.tariff_document(tariff)).model_copy(update=given)
    _check(merged)
    if not is_publishable(merged.use_type):
        await _refuse_if_linked(session, tariff.id, "useType", why_not_publishable(merged.use_type))
    values = _columns(merged)
    # Partners see lastUpdated: a PATCH that restates the stored tariff must not move it.
    if any(getattr(tariff, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(tariff, name, value)
        tariff.last_updated = utcnow()
    await session.flush()
    await announce(session, Change(operator_id=operator_id, tariff_ids=frozenset({tariff.id})))
    await session.commit()
    return tariff


async def delete_tariff(session: AsyncSession, operator_id: int, tariff_id: str) -> None:
    tariff = await get_tariff(session, operator_id, tariff_id, lock=True)
    await _refuse_if_linked(session, tariff.id, "tariffId")
    await announce(session, Change(operator_id=operator_id, deleted_tariff_ids=frozenset({tariff.id})))
    await session.delete(tariff)
    await session.commit()


async def _refuse_if_linked(session: AsyncSession, tariff_id: str, field: str, reason: str | None = None) -> None:
    """A 409 naming the integrations that link the tariff: it must be unlinked before `reason` applies."""
    linked = (
        await session.execute(
            select(Integration.integration_id, Integration.integration_name)
            .join(TariffLink, TariffLink.integration_id == Integration.integration_id)
            .where(TariffLink.tariff_id == tariff_id)
            .distinct()
            .order_by(Integration.integration_name, Integration.integration_id)
        )
    ).all()
    if not linked:
        return
    named = ", ".join(f"{integration_id} ({name})" for integration_id, name in linked[:3])
    more = f" and {len(linked) - 3} more" if len(linked) > 3 else ""
    where = f"integration {named}" if len(linked) == 1 else f"integrations {named}{more}"
    problem = f"the tariff is linked to {where}; unlink it from {'that integration' if len(linked) == 1 else 'them'} first"
    raise conflict(field, f"{reason}: {problem}" if reason else problem)


def _check(tariff: TariffCreate) -> None:
    details = schemas.problems(tariff)
    if details:
        summary = "; ".join(f"{detail['field']}: {detail['problem']}" for detail in details[:3])
        raise ApiError(400, f"Invalid request: {summary}", details)


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
