"""HTTP for /api/v2/cpo/integrations/{integrationId}/locations; answers in the details' location shape.

One location (created, read, changed) also carries `warnings`: what its OCPI document could not carry
of the operator's data in the partner's version (publication/warnings.py). The list leaves them out.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Response, status

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.integrations.locations import service as location_service
from evroam.integrations.details.read_model import location_details
from evroam.integrations.details.schemas import LocationDetails
from evroam.api.json_response import json_response
from evroam.integrations.locations.schemas import LocationCreate, LocationUpdate, PublishedLocation
from evroam.integrations.routes import IntegrationId
from evroam.publication.warnings import location_warnings

router = APIRouter(prefix="/integrations/{integrationId}/locations", tags=["integrations"])
LocationId = Annotated[str, Path(alias="locationId", min_length=1, max_length=36)]


@router.get("", response_model=None, responses={200: {"model": Page[LocationDetails]}})
async def list_locations(
    integration_id: IntegrationId, session: SessionDep, operator_id: OperatorId, page: PageParams
) -> Response:
    """The locations this integration publishes, as its partner sees them, a page at a time."""
    ids, total = await location_service.list_location_ids(session, operator_id, integration_id, page)
    locations = await location_details(session, integration_id, ids)
    return json_response(page_envelope, page, locations, total)


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=None, responses={201: {"model": PublishedLocation}}
)
async def create_location(
    integration_id: IntegrationId, body: LocationCreate, session: SessionDep, operator_id: OperatorId
) -> Response:
    """Publishes a location to the integration's partner: backed by a site (`siteId`, following its changes), or
    standalone with its own name, address and coordinates; with the chargers it holds.
    """
    location_id = await location_service.create_location(session, operator_id, integration_id, body)
    return await _location_response(session, integration_id, location_id, status.HTTP_201_CREATED)


@router.get("/{locationId}", response_model=None, responses={200: {"model": PublishedLocation}})
async def get_location(
    integration_id: IntegrationId, location_id: LocationId, session: SessionDep, operator_id: OperatorId
) -> Response:
    """One location of the integration, as its partner sees it."""
    await location_service.get_location(session, operator_id, integration_id, location_id)
    return await _location_response(session, integration_id, location_id)


@router.patch("/{locationId}", response_model=None, responses={200: {"model": PublishedLocation}})
async def update_location(
    integration_id: IntegrationId,
    location_id: LocationId,
    body: LocationUpdate,
    session: SessionDep,
    operator_id: OperatorId,
) -> Response:
    """Changes a standalone location's fields given, its chargers (`chargerIds`) or who may see it (`publish`,
    `publishAllowedTo`). A site-backed location follows its site and is changed there.
    """
    await location_service.update_location(session, operator_id, integration_id, location_id, body)
    return await _location_response(session, integration_id, location_id)


@router.delete("/{locationId}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_location(
    integration_id: IntegrationId, location_id: LocationId, session: SessionDep, operator_id: OperatorId
) -> None:
    """Withdraws the location from the integration's partner and deletes it."""
    await location_service.delete_location(session, operator_id, integration_id, location_id)


async def _location_response(
    session: SessionDep, integration_id: str, location_id: str, status_code: int = status.HTTP_200_OK
) -> Response:
    (details,) = await location_details(session, integration_id, [location_id])
    warnings = await location_warnings(session, integration_id, location_id)
    location = {**orjson.loads(orjson.dumps(details)), "warnings": warnings}
    return json_response(lambda: location, status_code=status_code)
