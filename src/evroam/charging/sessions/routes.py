"""HTTP for /api/v2/cpo/sessions: thin, the reads are in sessions.service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Instant, Page
from evroam.charging.sessions import service
from evroam.charging.sessions.schemas import SessionOut, SessionStatus
from evroam.network.chargers.schemas import CHARGER_ID_PATTERN, MAX_INT

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.get("", response_model=Page[SessionOut])
async def list_sessions(
    session: SessionDep,
    operator_id: OperatorId,
    page: PageParams,
    integration_id: Annotated[str | None, Query(alias="integrationId", max_length=36)] = None,
    site_id: Annotated[int | None, Query(alias="siteId", ge=1, le=MAX_INT)] = None,
    charger_id: Annotated[str | None, Query(alias="chargerId", pattern=CHARGER_ID_PATTERN)] = None,
    status: Annotated[SessionStatus | None, Query()] = None,
    start_from: Annotated[Instant | None, Query(alias="from", description="Sessions starting at or after this")] = None,
    start_to: Annotated[Instant | None, Query(alias="to", description="Sessions starting before this")] = None,
) -> dict:
    """The operator's charging sessions, newest start first, a page at a time, with their costs."""
    filters = service.Filters(integration_id, site_id, charger_id, status, start_from, start_to)
    found, total = await service.list_sessions(session, operator_id, filters, page)
    return page_envelope(page, [SessionOut.model_validate(item) for item in found], total)


@router.get("/{sessionId}", response_model=SessionOut)
async def get_session(
    session_id: Annotated[str, Path(alias="sessionId", max_length=36)], session: SessionDep, operator_id: OperatorId
) -> SessionOut:
    """One charging session of the operator, with its cost broken down excluding and including VAT."""
    return SessionOut.model_validate(await service.get_session(session, operator_id, session_id))
