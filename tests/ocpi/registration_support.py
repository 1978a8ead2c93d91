"""Integrations in the states the credentials tests start from, written as the management API leaves them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from evroam.integrations.models import Integration, IntegrationToken
from evroam.network.operators import service as operator_service
from evroam.runtime import Runtime
from evroam.security import hash_secret


async def pending_integration(runtime: Runtime, **fields: Any) -> tuple[str, str]:
    """We are the RECEIVER: an integration waiting for the partner, and the token A we issued to it."""
    token_a = f"token-a-{uuid.uuid4().hex}"
    integration_id = await _integration(runtime, integration_status="PENDING", credentials_exchange_role="RECEIVER",
                                        **fields)
    async with runtime.sessions() as session:
        session.add(IntegrationToken(token_hash=hash_secret(token_a), integration_id=integration_id, kind="A"))
        await session.commit()
    return integration_id, token_a


async def sender_integration(runtime: Runtime, versions_url: str, token_a: str, **fields: Any) -> str:
    """We are the SENDER: the partner's versions URL and token A given, the exchange about to start."""
    return await _integration(
        runtime, integration_status="CONNECTING", credentials_exchange_role="SENDER",
        partner_versions_url=versions_url, end_point_url=versions_url,
        partner_initial_token_encrypted=runtime.secrets.encrypt(token_a), **fields,
    )


async def _integration(runtime: Runtime, **fields: Any) -> str:
    integration_id = str(uuid.uuid4())
    async with runtime.sessions() as session:
        operator = await operator_service.default_operator(session, runtime.settings)
        values = {"integration_name": "Peer", "models": {}, "partners_company_detail": [], "hub_client_info": [],
                  "customer_roles": [], **fields}
        session.add(Integration(integration_id=integration_id, operator_id=operator.id, **values))
        await session.commit()
    return integration_id


async def load(runtime: Runtime, integration_id: str) -> Integration:
    async with runtime.sessions() as session:
        return await session.get(Integration, integration_id)


async def token_kinds(runtime: Runtime, integration_id: str) -> list[str]:
    async with runtime.sessions() as session:
        query = select(IntegrationToken.kind).where(IntegrationToken.integration_id == integration_id)
        rows = await session.scalars(query)
        return sorted(rows)
