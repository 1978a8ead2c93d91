"""HTTP for /api/v2/cpo/integrations/{integrationId}/tariffs/{tariffId}: where a tariff applies, and what
its OCPI document could not carry to the partner (`warnings`, publication/warnings.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from evroam.api.deps import OperatorId, SessionDep
from evroam.integrations.tariff_links import service as tariff_link_service
from evroam.integrations.routes import IntegrationId
from evroam.integrations.tariff_links.schemas import PublishedTariffLinks, TariffLinksIn, TariffLinksOut
from evroam.ocpi.modules import TARIFFS
from evroam.publication.warnings import published_warnings

router = APIRouter(prefix="/integrations/{integrationId}/tariffs", tags=["integrations"])
TariffId = Annotated[str, Path(alias="tariffId", min_length=1, max_length=36)]


@router.get("/{tariffId}", response_model=PublishedTariffLinks)
async def get_tariff_links(
    integration_id: IntegrationId, tariff_id: TariffId, session: SessionDep, operator_id: OperatorId
) -> PublishedTariffLinks:
    """Where in the integration the tariff applies: whole locations, chargers or sockets."""
    links = await tariff_link_service.get_links(session, operator_id, integration_id, tariff_id)
    return await _published(session, integration_id, links)


@router.post("/{tariffId}", response_model=PublishedTariffLinks)
async def add_tariff_links(
    integration_id: IntegrationId,
    tariff_id: TariffId,
    body: TariffLinksIn,
    session: SessionDep,
    operator_id: OperatorId,
) -> PublishedTariffLinks:
    """Adds links of the tariff to locations, chargers or sockets of the integration, keeping the links it has. For
    a socket the most specific link wins (socket, then charger, then location).
    """
    links = await tariff_link_service.link_tariff(session, operator_id, integration_id, tariff_id, body, replace=False)
    return await _published(session, integration_id, links)


@router.put("/{tariffId}", response_model=PublishedTariffLinks)
async def replace_tariff_links(
    integration_id: IntegrationId,
    tariff_id: TariffId,
    body: TariffLinksIn,
    session: SessionDep,
    operator_id: OperatorId,
) -> PublishedTariffLinks:
    """Replaces every link of the tariff in the integration with the ones given."""
    links = await tariff_link_service.link_tariff(session, operator_id, integration_id, tariff_id, body, replace=True)
    return await _published(session, integration_id, links)


@router.delete("/{tariffId}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tariff_links(
    integration_id: IntegrationId, tariff_id: TariffId, session: SessionDep, operator_id: OperatorId
) -> None:
    """Removes every link of the tariff in the integration; the partner no longer sees the tariff on those
    connectors.
    """
    await tariff_link_service.unlink_tariff(session, operator_id, integration_id, tariff_id)


async def _published(session: SessionDep, integration_id: str, links: TariffLinksOut) -> PublishedTariffLinks:
    warnings = await published_warnings(session, integration_id, TARIFFS, links.tariff_id)
    return PublishedTariffLinks(tariff_id=links.tariff_id, locations=links.locations, warnings=warnings)
