"""HTTP for /api/v2/cpo/integrations/{integrationId}/tokens: the tokens an integration's eMSP gave evroam
(pushed to our Tokens Receiver or pulled from its Sender), for the operator to look a driver's card up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.charging.tokens import service as tokens_service
from evroam.charging.tokens.records import TokenFilters, TokenType
from evroam.charging.tokens.schemas import TokenOut
from evroam.integrations.routes import IntegrationId

router = APIRouter(prefix="/integrations/{integrationId}/tokens", tags=["tokens"])
# OCPI's Token.uid: CiString(36), printable ASCII.
Uid = Annotated[str | None, Query(pattern=r"^[ -~]{1,36}$", description="Only this uid (case-insensitive)")]


@router.get("", response_model=Page[TokenOut], response_model_exclude_none=True)
async def list_tokens(
    integration_id: IntegrationId,
    session: SessionDep,
    operator_id: OperatorId,
    page: PageParams,
    uid: Uid = None,
    type: Annotated[TokenType | None, Query(description="Only tokens of this OCPI TokenType")] = None,
    valid: Annotated[bool | None, Query(description="Only valid (true) or invalid (false) tokens")] = None,
) -> dict:
    """The integration's tokens in the order evroam first stored them; another operator's integration is 404."""
    filters = TokenFilters(uid=uid, type=type, valid=valid)
    found, total = await tokens_service.list_tokens(session, operator_id, integration_id, page, filters)
    return page_envelope(page, [TokenOut.model_validate(row) for row in found], total)
