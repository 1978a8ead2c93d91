"""HTTP for /api/v2/cpo/chargers and their sockets: thin, the use cases are in charger_service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.network.chargers import service as charger_service
from evroam.network.chargers.schemas import (
    CHARGER_ID_PATTERN,
    MAX_INT,
    ChargerCreate,
    ChargerOut,
    ChargerUpdate,
    SocketOut,
    SocketUpdate,
)

router = APIRouter(prefix="/chargers", tags=["chargers"])
ChargerId = Annotated[str, Path(alias="chargerId", pattern=CHARGER_ID_PATTERN)]
SocketId = Annotated[int, Path(alias="socketId", ge=1, le=MAX_INT)]
SiteFilter = Annotated[int | None, Query(alias="siteId", ge=1, le=MAX_INT, description="Only this site's chargers")]


@router.get("", response_model=Page[ChargerOut], response_model_exclude_none=True)
async def list_chargers(
    session: SessionDep, operator_id: OperatorId, page: PageParams, site_id: SiteFilter = None
) -> dict:
    """The operator's chargers with their sockets, by id, a page at a time; `siteId` keeps one site's."""
    chargers, total = await charger_service.list_chargers(session, operator_id, page, site_id)
    return page_envelope(page, [ChargerOut.model_validate(charger) for charger in chargers], total)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ChargerOut, response_model_exclude_none=True)
async def create_charger(body: ChargerCreate, session: SessionDep, operator_id: OperatorId) -> ChargerOut:
    """Creates a charger at a site, with its sockets (connectors). Its id is chosen by the operator and never
    changes.
    """
    return ChargerOut.model_validate(await charger_service.create_charger(session, operator_id, body))


@router.get("/{chargerId}", response_model=ChargerOut, response_model_exclude_none=True)
async def get_charger(charger_id: ChargerId, session: SessionDep, operator_id: OperatorId) -> ChargerOut:
    """One charger of the operator, with its sockets."""
    return ChargerOut.model_validate(await charger_service.get_charger(session, operator_id, charger_id))


@router.patch("/{chargerId}", response_model=ChargerOut, response_model_exclude_none=True)
async def update_charger(
    charger_id: ChargerId, body: ChargerUpdate, session: SessionDep, operator_id: OperatorId
) -> ChargerOut:
    """Changes the fields given. `sockets`, when given, is the whole socket list: sockets left out are removed, a
    new socket id needs every required socket field. Integrations that publish the charger send the change
    to their partners.
    """
    return ChargerOut.model_validate(await charger_service.update_charger(session, operator_id, charger_id, body))


@router.patch("/{chargerId}/sockets/{socketId}", response_model=SocketOut, response_model_exclude_none=True)
async def update_socket(
    charger_id: ChargerId, socket_id: SocketId, body: SocketUpdate, session: SessionDep, operator_id: OperatorId
) -> SocketOut:
    """Changes the fields given of one socket, such as its status; partners see the EVSE's new status."""
    socket = await charger_service.update_socket(session, operator_id, charger_id, socket_id, body)
    return SocketOut.model_validate(socket)


@router.delete("/{chargerId}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_charger(charger_id: ChargerId, session: SessionDep, operator_id: OperatorId) -> None:
    """Deletes a charger and its sockets; integrations that published it withdraw it from their partners."""
    await charger_service.delete_charger(session, operator_id, charger_id)
