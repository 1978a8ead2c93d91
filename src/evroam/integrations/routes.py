"""HTTP for /api/v2/cpo/integrations: thin, the use cases are in service, the details in details."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.api.deps import OperatorId, RuntimeDep, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.delivery import service as delivery_service
from evroam.integrations.details import service as details
from evroam.integrations import flows, service
from evroam.integrations.details.schemas import IntegrationCreated, IntegrationDetails
from evroam.api.json_response import json_response
from evroam.integrations.schemas import IntegrationCreate, IntegrationSummary, IntegrationUpdate
from evroam.runtime import Runtime

router = APIRouter(prefix="/integrations", tags=["integrations"])
IntegrationId = Annotated[str, Path(alias="integrationId", min_length=1, max_length=36)]


@router.get("", response_model=Page[IntegrationSummary])
async def list_integrations(session: SessionDep, operator_id: OperatorId, page: PageParams) -> dict:
    """The operator's integrations (OCPI partners, UtilityCloud, Salesforce) with their status, a page at a time."""
    integrations, total = await service.list_integrations(session, operator_id, page)
    return page_envelope(page, [IntegrationSummary.model_validate(item) for item in integrations], total)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=None,
    responses={201: {"model": IntegrationCreated, "description": "The integration's details, with the token A we "
                     "issued when the partner is to register with us (shown this once)"}},
)
async def create_integration(
    body: IntegrationCreate, session: SessionDep, runtime: RuntimeDep, operator_id: OperatorId
) -> Response:
    """Creates an integration. With `ocpiConnection` (the partner's versions URL and token A) evroam registers with
    the partner; without it the answer carries the token A to give the partner, shown this once.
    """
    integration, token_a = await flows.create_integration(session, runtime, operator_id, body)
    document = await _details(session, runtime, operator_id, integration.integration_id)
    return json_response(lambda: {**document(), "initialToken": token_a}, status_code=status.HTTP_201_CREATED)


@router.get("/{integrationId}", response_model=None, responses={200: {"model": IntegrationDetails}})
async def get_integration(
    integration_id: IntegrationId, session: SessionDep, runtime: RuntimeDep, operator_id: OperatorId
) -> Response:
    """The integration's details, in the platform's shape: settings, partner, published locations and tariffs.
    While pushes to the partner keep failing, `statusDescription` says how many wait, since when, and the
    last error."""
    return json_response(await _details(session, runtime, operator_id, integration_id))


@router.patch("/{integrationId}", response_model=None, responses={200: {"model": IntegrationDetails}})
async def update_integration(
    integration_id: IntegrationId,
    body: IntegrationUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    operator_id: OperatorId,
) -> Response:
    """Changes the settings given. A new `ocpiConnection`, or `retryCredentialsExchange`, starts a credentials
    exchange with the partner.
    """
    await flows.update_integration(session, runtime, operator_id, integration_id, body)
    return json_response(await _details(session, runtime, operator_id, integration_id))


@router.delete("/{integrationId}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_integration(
    integration_id: IntegrationId, session: SessionDep, runtime: RuntimeDep, operator_id: OperatorId
) -> None:
    """Deletes the integration: its partner's tokens stop working and nothing more is pushed to it."""
    await flows.delete_integration(session, runtime, operator_id, integration_id)


async def _details(session: AsyncSession, runtime: Runtime, operator_id: int, integration_id: str) -> Callable[[], dict]:
    """The details document, built when called (inside json_response's one synchronous pass), with the
    outbox's word on failing pushes."""
    rows = await details.read_details(session, operator_id, integration_id)
    failing = await delivery_service.failing_backlog(session, integration_id)
    return functools.partial(details.details_document, rows, runtime.secrets, failing)
