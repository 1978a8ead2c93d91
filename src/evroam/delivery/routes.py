"""HTTP for /api/v2/cpo/integrations/{integrationId}/deliveries: what was pushed to a partner, what waits.

A push that keeps failing stays here (status RETRYING, attempts, lastError, nextAttemptAt) until it goes
through or a newer full PUT of the same object supersedes it; `POST …/{deliveryId}/retry` tries it again
now instead of at its next backoff time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import CamelModel, Page
from evroam.delivery import service as delivery_service

router = APIRouter(prefix="/integrations/{integrationId}/deliveries", tags=["deliveries"])
IntegrationId = Annotated[str, Path(alias="integrationId", min_length=1, max_length=36)]
DeliveryId = Annotated[int, Path(alias="deliveryId", ge=1, le=2_147_483_647)]
Status = Literal["PENDING", "IN_FLIGHT", "RETRYING", "DELIVERED", "SUPERSEDED"]


class DeliveryOut(CamelModel):
    id: int
    module: str
    object_id: str
    method: str
    path: str
    status: Status
    attempts: int
    last_error: str | None = None
    last_http_status: int | None = None
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None = None
    # A document POSTed once (a CDR): its URL at the partner, as the partner answered.
    partner_location: str | None = None


@router.get("", response_model=Page[DeliveryOut], response_model_exclude_none=True)
async def list_deliveries(
    integration_id: IntegrationId,
    session: SessionDep,
    operator_id: OperatorId,
    page: PageParams,
    status: Annotated[Status | None, Query(description="Only deliveries in this status")] = None,
) -> dict:
    """The pushes of OCPI objects to the integration's partner, newest first, with their state and last error."""
    deliveries, total = await delivery_service.list_deliveries(session, operator_id, integration_id, page, status)
    return page_envelope(page, [DeliveryOut.model_validate(item) for item in deliveries], total)


@router.post("/{deliveryId}/retry", response_model=DeliveryOut, response_model_exclude_none=True)
async def retry_delivery(
    integration_id: IntegrationId, delivery_id: DeliveryId, session: SessionDep, operator_id: OperatorId
) -> DeliveryOut:
    """Sends a PENDING or RETRYING delivery now rather than at its next attempt time; a delivered or
    superseded one is 409."""
    delivery = await delivery_service.retry_now(session, operator_id, integration_id, delivery_id)
    return DeliveryOut.model_validate(delivery)
