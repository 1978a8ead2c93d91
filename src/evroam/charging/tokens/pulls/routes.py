"""HTTP for /api/v2/cpo/integrations/{integrationId}/token-pulls: pulling the partner's token list.

`POST` asks for a pull (`{"full": true|false}`) and answers 202 with it: the new pull, or the one already
open for the integration (one at a time). The pull runs in the background; `GET` shows where it got to.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from evroam.api.deps import OperatorId, RuntimeDep, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.charging.tokens.pulls import flows, service
from evroam.charging.tokens.pulls.schemas import TokenPullOut, TokenPullRequest

router = APIRouter(prefix="/integrations/{integrationId}/token-pulls", tags=["token pulls"])
IntegrationId = Annotated[str, Path(alias="integrationId", min_length=1, max_length=36)]
PullId = Annotated[int, Path(alias="pullId", ge=1, le=2**63 - 1)]


@router.post("", status_code=202, response_model=TokenPullOut, response_model_exclude_none=True)
async def request_token_pull(
    integration_id: IntegrationId, body: TokenPullRequest, session: SessionDep, runtime: RuntimeDep,
    operator_id: OperatorId,
) -> TokenPullOut:
    """Pulls the partner's token list now: full (tokens it no longer lists are marked invalid) or the
    changes since the start of the last successful pull. 409 when the integration is not CONNECTED or its
    partner has no tokens Sender endpoint."""
    pull = await flows.request_pull(session, runtime, operator_id, integration_id, body.full)
    return TokenPullOut.model_validate(pull)


@router.get("", response_model=Page[TokenPullOut], response_model_exclude_none=True)
async def list_token_pulls(
    integration_id: IntegrationId, session: SessionDep, operator_id: OperatorId, page: PageParams
) -> dict:
    """The integration's token pulls, newest first, with how far each got and what went wrong."""
    pulls, total = await service.list_pulls(session, operator_id, integration_id, page)
    return page_envelope(page, [TokenPullOut.model_validate(pull) for pull in pulls], total)


@router.get("/{pullId}", response_model=TokenPullOut, response_model_exclude_none=True)
async def get_token_pull(
    integration_id: IntegrationId, pull_id: PullId, session: SessionDep, operator_id: OperatorId
) -> TokenPullOut:
    """One token pull of the integration: its status, pages, tokens seen, skipped and marked invalid, error."""
    pull = await service.get_pull(session, operator_id, integration_id, pull_id)
    return TokenPullOut.model_validate(pull)
