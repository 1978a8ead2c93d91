"""HTTP for /api/v2/cpo/integrations: thin, the use cases are in service, the details in details."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from evroam.api.deps import OperatorId, RuntimeDep, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.responses import ERROR_RESPONSES
from evroam.api.schemas import Page
from evroam.integrations.details import service as details
from evroam.integrations import flows, service
from evroam.integrations.details.schemas import IntegrationCreated, IntegrationDetails
from evroam.api.json_response import json_response
from evroam.integrations.schemas import IntegrationCreate, IntegrationSummary, IntegrationUpdate

router = APIRouter(prefix="/integrations", tags=["integrations"], responses=ERROR_RESPONSES)
IntegrationId = Annotated[str, Path(alias="integrationId", min_length=1, max_length=36)]


@router.get("", response_model=Page[IntegrationSummary])
async def list_integrations(session: SessionDep, operator_id: OperatorId, page: PageParams) -> dict:
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
    integration, token_a = await flows.create_integration(session, runtime, operator_id, body)
    rows = await details.read_details(session, operator_id, integration.integration_id)
    return json_response(
        lambda: {**details.details_document(rows, runtime.secrets), "initialToken": token_a},
        status_code=status.HTTP_201_CREATED,
    )


@router.get("/{integrationId}", response_model=None, responses={200: {"model": IntegrationDetails}})
async def get_integration(
    integration_id: IntegrationId, session: SessionDep, runtime: RuntimeDep, operator_id: OperatorId
) -> Response:
    rows = await details.read_details(session, operator_id, integration_id)
    return json_response(details.details_document, rows, runtime.secrets)


@router.patch("/{integrationId}", response_model=None, responses={200: {"model": IntegrationDetails}})
async def update_integration(
    integration_id: IntegrationId,
    body: IntegrationUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    operator_id: OperatorId,
) -> Response:
    await flows.update_integration(session, runtime, operator_id, integration_id, body)
    rows = await details.read_details(session, operator_id, integration_id)
    return json_response(details.details_document, rows, runtime.secrets)


@router.delete("/{integrationId}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_integration(
    integration_id: IntegrationId, session: SessionDep, runtime: RuntimeDep, operator_id: OperatorId
) -> None:
    await flows.delete_integration(session, runtime, operator_id, integration_id)
