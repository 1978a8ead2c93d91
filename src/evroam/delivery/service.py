"""The operator's view of an integration's pushes: what was sent, what waits, and "try again now"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.base import utcnow
from evroam.database.paging import PageRequest, paginate
from evroam.delivery.models import WAITING, Delivery
from evroam.delivery.outbox import wake_worker_after_commit
from evroam.errors import Conflict, NotFound
from evroam.integrations.service import get_integration


async def list_deliveries(
    session: AsyncSession, operator_id: int, integration_id: str, page: PageRequest, status: str | None
) -> tuple[list[Delivery], int]:
    """An integration's pushes, newest first; 404 for an unknown integration or another operator's."""
    await get_integration(session, operator_id, integration_id)
    query = select(Delivery).where(Delivery.integration_id == integration_id).order_by(Delivery.id.desc())
    if status is not None:
        query = query.where(Delivery.status == status)
    return await paginate(session, query, page)


async def retry_now(session: AsyncSession, operator_id: int, integration_id: str, delivery_id: int) -> Delivery:
    """An operator's "try again now" for a push that is waiting; delivered or superseded ones are done."""
    await get_integration(session, operator_id, integration_id)
    delivery = await session.scalar(
        select(Delivery).where(Delivery.id == delivery_id, Delivery.integration_id == integration_id)
    )
    if delivery is None:
        raise NotFound(f"Delivery {delivery_id}")
    if delivery.status not in WAITING:
        raise Conflict("deliveryId", f"the delivery is {delivery.status}; only PENDING or RETRYING ones can be retried")
    delivery.next_attempt_at = utcnow()
    wake_worker_after_commit(session)
    await session.commit()
    return delivery
