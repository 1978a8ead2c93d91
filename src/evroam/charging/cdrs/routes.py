"""HTTP for the operator's CDRs: the list, one CDR with its cost breakdown, and corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Instant, Page
from evroam.charging.cdrs import service
from evroam.charging.cdrs.schemas import CdrDetailOut, CdrOut, CorrectionIn, CorrectionOut, cdr_out
from evroam.errors import Invalid

router = APIRouter(prefix="/cdrs", tags=["cdrs"])
CdrId = Annotated[str, Path(alias="cdrId", min_length=1, max_length=39)]


@router.get("", response_model=Page[CdrOut])
async def list_cdrs(
    session: SessionDep,
    operator_id: OperatorId,
    page: PageParams,
    integration_id: Annotated[str | None, Query(alias="integrationId", min_length=1, max_length=36)] = None,
    site_id: Annotated[int | None, Query(alias="siteId", ge=1, le=2_147_483_647)] = None,
    charger_id: Annotated[str | None, Query(alias="chargerId", min_length=1, max_length=64)] = None,
    session_id: Annotated[str | None, Query(alias="sessionId", min_length=1, max_length=36)] = None,
    start: Annotated[Instant | None, Query(alias="from", description="Sessions that started at or after this")] = None,
    end: Annotated[Instant | None, Query(alias="to", description="Sessions that started before this")] = None,
) -> dict:
    """The CDRs issued for the operator's sessions (credits and corrections included), latest sessions first."""
    if start is not None and end is not None and end <= start:
        raise Invalid("to", "must be after from")
    where = service.CdrFilter(integration_id, site_id, charger_id, session_id, start, end)
    rows, total = await service.list_cdrs(session, operator_id, page, where)
    return page_envelope(page, [cdr_out(row) for row in rows], total)


@router.get("/{cdrId}", response_model=CdrDetailOut, responses={404: {"description": "No such CDR of this operator"}})
async def get_cdr(cdr_id: CdrId, session: SessionDep, operator_id: OperatorId) -> CdrDetailOut:
    """One CDR: its costs without and with VAT, and the OCPI document partners receive."""
    return cdr_out(await service.get_cdr(session, operator_id, cdr_id), detail=True)


@router.post(
    "/{cdrId}/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=CorrectionOut,
    responses={404: {"description": "No such CDR of this operator"},
               409: {"description": "The CDR is a credit CDR or is already credited"}},
)  # fmt: skip
async def correct_cdr(cdr_id: CdrId, body: CorrectionIn, session: SessionDep, operator_id: OperatorId) -> CorrectionOut:
    """Corrects a CDR the only way OCPI allows: a credit CDR cancels it and, when corrected figures are given
    (`energyKwh`, `endDateTime`), a new CDR of the session replaces it, priced with the same tariff. Both are
    delivered to the integration. An empty body only credits it."""
    correction = service.Correction(energy_kwh=body.energy_kwh, end=body.end_date_time)
    credit, corrected = await service.correct_cdr(session, operator_id, cdr_id, correction)
    return CorrectionOut(credit=cdr_out(credit, detail=True),
                         corrected=None if corrected is None else cdr_out(corrected, detail=True))  # fmt: skip
