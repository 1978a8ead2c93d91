"""An integration's token policy: read (the defaults when the operator set none) and replaced."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.tokens.models import POLICY_DEFAULTS, TokenPolicy
from evroam.database.upsert import upsert_for
from evroam.integrations.service import get_integration


async def policy_of(session: AsyncSession, integration_id: str) -> TokenPolicy:
    """The stored policy, or a transient one holding the defaults (never added to the session)."""
    stored = await session.scalar(select(TokenPolicy).where(TokenPolicy.integration_id == integration_id))
    return stored or TokenPolicy(integration_id=integration_id, **POLICY_DEFAULTS)


async def read_policy(session: AsyncSession, operator_id: int, integration_id: str) -> TokenPolicy:
    await get_integration(session, operator_id, integration_id)
    return await policy_of(session, integration_id)


async def replace_policy(session: AsyncSession, operator_id: int, integration_id: str,
                         values: dict[str, int | str]) -> TokenPolicy:
    """One statement, so two operators saving at once leave one whole policy, never a mix of columns."""
    await get_integration(session, operator_id, integration_id)
    row = {**POLICY_DEFAULTS, **values, "integration_id": integration_id}
    insert = upsert_for(session.get_bind())
    statement = insert(TokenPolicy).values(row)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[TokenPolicy.integration_id],
        set_={name: statement.excluded[name] for name in POLICY_DEFAULTS},
    ))
    await session.commit()
    return await policy_of(session, integration_id)
