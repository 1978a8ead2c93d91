"""Integration use cases that reach the partner: the credentials exchange around create, update, delete.

service.py stores what the operator asked for and says whether an exchange is to start; the exchange
itself (evroam.ocpi.credentials.registration) runs after the commit, in the background, so the operator's
request never waits on a partner. Deleting a CONNECTED integration first tells the partner.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.integrations import service
from evroam.integrations.models import Integration
from evroam.integrations.schemas import IntegrationCreate, IntegrationUpdate
from evroam.ocpi.credentials import registration
from evroam.runtime import Runtime

log = logging.getLogger(__name__)


async def create_integration(
    session: AsyncSession, runtime: Runtime, operator_id: int, body: IntegrationCreate
) -> tuple[Integration, str | None]:
    """The integration and, when we are the RECEIVER, the token A in clear (its only showing)."""
    integration, token_a, exchange = await service.create_integration(session, runtime, operator_id, body)
    if exchange:
        runtime.spawn(registration.register_with_partner(runtime, integration.integration_id))
    return integration, token_a


async def update_integration(
    session: AsyncSession, runtime: Runtime, operator_id: int, integration_id: str, body: IntegrationUpdate
) -> Integration:
    integration, exchange = await service.update_integration(session, runtime, operator_id, integration_id, body)
    if exchange:
        runtime.spawn(registration.register_with_partner(runtime, integration_id))
    return integration


async def delete_integration(session: AsyncSession, runtime: Runtime, operator_id: int, integration_id: str) -> None:
    integration = await service.get_integration(session, operator_id, integration_id)
    if integration.integration_status == "CONNECTED":
        # The unregistration uses its own session: end our read so its writes cannot conflict with ours.
        await session.rollback()
        await _unregister(runtime, integration_id)
    await service.delete_integration(session, operator_id, integration_id)


async def _unregister(runtime: Runtime, integration_id: str) -> None:
    """Tells the partner (DELETE credentials); a failure there must not keep the operator from deleting."""
    try:
        await registration.unregister_at_partner(runtime, integration_id)
    except Exception:
        log.warning("unregistering integration %s at the partner failed; deleting it here anyway",
                    integration_id, exc_info=True)
