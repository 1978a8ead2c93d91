"""HTTP for /api/v2/cpo/tariffs: thin, the use cases are in tariffs.service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.tariffs import service
from evroam.tariffs.schemas import TariffCreate, TariffOut, TariffUpdate, tariff_out

router = APIRouter(prefix="/tariffs", tags=["tariffs"])
TariffId = Annotated[str, Path(alias="tariffId", min_length=1, max_length=36)]


@router.get("", response_model=Page[TariffOut], response_model_exclude_none=True)
async def list_tariffs(session: SessionDep, operator_id: OperatorId, page: PageParams) -> dict:
    """The operator's tariffs, oldest first, a page at a time."""
    tariffs, total = await service.list_tariffs(session, operator_id, page)
    return page_envelope(page, [tariff_out(tariff) for tariff in tariffs], total)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TariffOut, response_model_exclude_none=True)
async def create_tariff(body: TariffCreate, session: SessionDep, operator_id: OperatorId) -> TariffOut:
    """Creates a tariff: elements of price components (prices excluding VAT, with the VAT percentage beside them)
    and the restrictions that select when each element applies.
    """
    return tariff_out(await service.create_tariff(session, operator_id, body))


@router.get("/{tariffId}", response_model=TariffOut, response_model_exclude_none=True)
async def get_tariff(tariff_id: TariffId, session: SessionDep, operator_id: OperatorId) -> TariffOut:
    """One tariff of the operator."""
    return tariff_out(await service.get_tariff(session, operator_id, tariff_id))


@router.patch("/{tariffId}", response_model=TariffOut, response_model_exclude_none=True)
async def update_tariff(
    tariff_id: TariffId, body: TariffUpdate, session: SessionDep, operator_id: OperatorId
) -> TariffOut:
    """Changes the fields given; `elements`, when given, replaces every element. Integrations that publish the
    tariff send it again, with a new `last_updated` only when something changed.
    """
    return tariff_out(await service.update_tariff(session, operator_id, tariff_id, body))


@router.delete("/{tariffId}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tariff(tariff_id: TariffId, session: SessionDep, operator_id: OperatorId) -> None:
    """Deletes a tariff and its links; integrations that published it withdraw it from their partners."""
    await service.delete_tariff(session, operator_id, tariff_id)
