"""HTTP for the authorization decision: POST /authorize (a driver at a charger) and the decisions per charger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from evroam.api.deps import OperatorId, RuntimeDep, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.charging.authorization import flows, service
from evroam.charging.authorization.schemas import AuthorizationOut, AuthorizeRequest, AuthorizeResponse

router = APIRouter(tags=["authorization"])
ChargerId = Annotated[str, Path(alias="chargerId", min_length=1, max_length=64)]


@router.post("/authorize", response_model=AuthorizeResponse,
             responses={404: {"description": "No such charger or socket of this operator"}})
async def authorize(body: AuthorizeRequest, runtime: RuntimeDep, operator_id: OperatorId) -> dict:
    """Whether the driver presenting `idTag` may charge at the socket: decided from the eMSP's stored token
    (whitelist ALWAYS or ALLOWED) or by asking the eMSP in real time (ALLOWED_OFFLINE, NEVER; an idTag no
    integration knows is asked of hubs only), with the reason in words and the reference the session carries."""
    return await flows.authorize(runtime, operator_id, body)


@router.get("/chargers/{chargerId}/authorizations", response_model=Page[AuthorizationOut])
async def list_authorizations(charger_id: ChargerId, session: SessionDep, operator_id: OperatorId, page: PageParams) -> dict:
    """The decisions taken at the charger, newest first."""
    decisions, total = await service.list_decisions(session, operator_id, charger_id, page)
    return page_envelope(page, [AuthorizationOut.model_validate(item) for item in decisions], total)
