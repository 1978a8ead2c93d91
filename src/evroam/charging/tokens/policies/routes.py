"""HTTP for /api/v2/cpo/integrations/{integrationId}/token-policy: how evroam uses the partner's tokens
(the real-time authorization's timeout and fallback, how often its token list is pulled)."""

from __future__ import annotations

from fastapi import APIRouter

from evroam.api.deps import OperatorId, SessionDep
from evroam.charging.tokens.policies import service as policy_service
from evroam.charging.tokens.policies.schemas import TokenPolicyIn, TokenPolicyOut
from evroam.integrations.routes import IntegrationId

router = APIRouter(prefix="/integrations/{integrationId}/token-policy", tags=["tokens"])


@router.get("", response_model=TokenPolicyOut)
async def get_token_policy(integration_id: IntegrationId, session: SessionDep,
                           operator_id: OperatorId) -> TokenPolicyOut:
    """The integration's token policy; the defaults until the operator sets one."""
    return TokenPolicyOut.model_validate(await policy_service.read_policy(session, operator_id, integration_id))


@router.put("", response_model=TokenPolicyOut)
async def put_token_policy(integration_id: IntegrationId, body: TokenPolicyIn, session: SessionDep,
                           operator_id: OperatorId) -> TokenPolicyOut:
    """Replaces the policy; a field left out takes its default."""
    values = body.model_dump(exclude_none=True)
    return TokenPolicyOut.model_validate(
        await policy_service.replace_policy(session, operator_id, integration_id, values)
    )
