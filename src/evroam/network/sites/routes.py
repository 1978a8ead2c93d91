"""HTTP for /api/v2/cpo/sites: thin, the use cases are in site_service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.network.sites import service as site_service
from evroam.network.sites.schemas import SiteCreate, SiteOut, SiteUpdate

router = APIRouter(prefix="/sites", tags=["sites"])
SiteId = Annotated[int, Path(alias="siteId", ge=1, le=2_147_483_647)]


@router.get("", response_model=Page[SiteOut], response_model_exclude_none=True)
async def list_sites(session: SessionDep, operator_id: OperatorId, page: PageParams) -> dict:
    """The operator's sites, oldest first, a page at a time."""
    sites, total = await site_service.list_sites(session, operator_id, page)
    return page_envelope(page, [SiteOut.model_validate(site) for site in sites], total)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SiteOut, response_model_exclude_none=True)
async def create_site(body: SiteCreate, session: SessionDep, operator_id: OperatorId) -> SiteOut:
    """Creates a site: a place with an address, coordinates and a time zone, where chargers stand. Integrations
    publish it as an OCPI location once a location of theirs is backed by it.
    """
    return SiteOut.model_validate(await site_service.create_site(session, operator_id, body))


@router.get("/{siteId}", response_model=SiteOut, response_model_exclude_none=True)
async def get_site(site_id: SiteId, session: SessionDep, operator_id: OperatorId) -> SiteOut:
    """One site of the operator."""
    return SiteOut.model_validate(await site_service.get_site(session, operator_id, site_id))


@router.patch("/{siteId}", response_model=SiteOut, response_model_exclude_none=True)
async def update_site(
    site_id: SiteId, body: SiteUpdate, session: SessionDep, operator_id: OperatorId
) -> SiteOut:
    """Changes the fields given and leaves the others. `null` clears an optional field; the fields a site always
    has (name, address, coordinates, time zone) cannot be null. Integrations that publish the site send the
    change to their partners.
    """
    return SiteOut.model_validate(await site_service.update_site(session, operator_id, site_id, body))


@router.delete("/{siteId}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_site(site_id: SiteId, session: SessionDep, operator_id: OperatorId) -> None:
    """Deletes a site that has no chargers and no subsites left, and that no integration location is backed by."""
    await site_service.delete_site(session, operator_id, site_id)
