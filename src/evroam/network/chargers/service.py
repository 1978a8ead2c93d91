"""Use cases of chargers and their sockets: every query is scoped to the calling operator."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.base import utcnow
from evroam.database.paging import PageRequest, paginate
from evroam.errors import Conflict, Invalid, NotFound
from evroam.database.locks import locked_row
from evroam.events import Change, announce
from evroam.network.chargers.schemas import (
    ChargerCreate,
    ChargerUpdate,
    SocketCreate,
    SocketReplacement,
    SocketUpdate,
)
from evroam.network.chargers.models import Charger, Socket
from evroam.network.sites.models import Site
from evroam.security import hash_secret

_REQUIRED_SOCKET_FIELDS = ("type", "format", "power_type")


async def get_charger(session: AsyncSession, operator_id: int, charger_id: str, *, lock: bool = False) -> Charger:
    """With `lock`, for a change of the charger or its sockets: concurrent ones wait for this transaction."""
    where = (Charger.charger_id == charger_id, Charger.operator_id == operator_id)
    charger = await (locked_row(session, Charger, *where) if lock else session.scalar(select(Charger).where(*where)))
    if charger is None:
        raise NotFound(f"Charger {charger_id}")
    return charger


async def list_chargers(
    session: AsyncSession, operator_id: int, page: PageRequest, site_id: int | None = None
) -> tuple[list[Charger], int]:
    query = select(Charger).where(Charger.operator_id == operator_id).order_by(Charger.charger_id)
    if site_id is not None:
        query = query.where(Charger.site_id == site_id)
    return await paginate(session, query, page)


async def create_charger(session: AsyncSession, operator_id: int, body: ChargerCreate) -> Charger:
    await _check_site(session, operator_id, body.site_id)
    _check_unique_socket_ids(body.sockets)
    # chargerId is unique across operators; say no more than that, another operator's ids are not ours.
    if await session.scalar(select(exists().where(Charger.charger_id == body.charger_id))):
        raise Conflict("chargerId", "already in use")
    charger = Charger(
        operator_id=operator_id,
        **body.model_dump(exclude={"sockets", "ocpp_password"}),
        ocpp_password_hash=_password_hash(body.ocpp_password),
        sockets=[Socket(**socket.model_dump()) for socket in body.sockets],
    )
    session.add(charger)
    await session.flush()
    await _announce(session, charger, {charger.site_id})
    await session.commit()
    return charger


async def update_charger(
    session: AsyncSession, operator_id: int, charger_id: str, body: ChargerUpdate
) -> Charger:
    charger = await get_charger(session, operator_id, charger_id, lock=True)
    values = body.model_dump(exclude_unset=True, exclude={"sockets"})
    if values.pop("charger_id", charger_id) != charger_id:
        raise Invalid("chargerId", "cannot be changed; create a charger with the new id instead")
    if "site_id" in values:
        await _check_site(session, operator_id, values["site_id"])
    if body.sockets is not None:
        _check_unique_socket_ids(body.sockets)
        _check_replacements(charger, body.sockets)
    if "capabilities" in values and values["capabilities"] is None:
        values["capabilities"] = []
    if "ocpp_password" in values:
        values["ocpp_password_hash"] = _password_hash(values.pop("ocpp_password"))
    site_before = charger.site_id
    for name, value in values.items():
        setattr(charger, name, value)
    removed_socket_ids = set() if body.sockets is None else _replace_sockets(charger, body.sockets)
    await session.flush()
    await _announce(session, charger, {site_before, charger.site_id}, removed_socket_ids)
    await session.commit()
    return charger


async def update_socket(
    session: AsyncSession, operator_id: int, charger_id: str, socket_id: int, body: SocketUpdate
) -> Socket:
    socket = await change_socket(session, operator_id, charger_id, socket_id, body)
    await session.commit()
    return socket


async def change_socket(
    session: AsyncSession, operator_id: int, charger_id: str, socket_id: int, body: SocketUpdate
) -> Socket:
    """update_socket inside the caller's transaction: a batch of charger events commits once, whole."""
    charger = await get_charger(session, operator_id, charger_id, lock=True)
    socket = next((socket for socket in charger.sockets if socket.socket_id == socket_id), None)
    if socket is None:
        raise NotFound(f"Socket {socket_id} of charger {charger_id}")
    _apply_socket_values(socket, body)
    await session.flush()
    await _announce(session, charger, {charger.site_id})
    return socket


async def delete_charger(session: AsyncSession, operator_id: int, charger_id: str) -> None:
    charger = await get_charger(session, operator_id, charger_id, lock=True)
    # Announced while the charger and its integration-location rows still exist, so subscribers can
    # find every location that publishes it; those rows go with the charger (ON DELETE CASCADE).
    await _announce(session, charger, {charger.site_id})
    await session.delete(charger)
    await session.commit()


async def _check_site(session: AsyncSession, operator_id: int, site_id: int) -> None:
    if not await session.scalar(select(exists().where(Site.id == site_id, Site.operator_id == operator_id))):
        raise Invalid("siteId", f"site {site_id} does not exist")


def _password_hash(password: str | None) -> str | None:
    return None if password is None else hash_secret(password)


def _check_unique_socket_ids(sockets: Iterable[SocketCreate | SocketReplacement]) -> None:
    seen: set[int] = set()
    for index, socket in enumerate(sockets):
        if socket.socket_id in seen:
            raise Invalid(f"sockets.{index}.id", f"socket id {socket.socket_id} appears more than once")
        seen.add(socket.socket_id)


def _check_replacements(charger: Charger, replacements: list[SocketReplacement]) -> None:
    """Before anything changes: a new socket needs every required field (the body refuses their nulls)."""
    current = {socket.socket_id for socket in charger.sockets}
    for index, replacement in enumerate(replacements):
        prefix = f"sockets.{index}."
        if replacement.socket_id in current:
            continue
        for name in _REQUIRED_SOCKET_FIELDS:
            if getattr(replacement, name) is None:
                raise Invalid(prefix + _alias(replacement, name), "is required for a new socket")


def _replace_sockets(charger: Charger, replacements: list[SocketReplacement]) -> set[int]:
    """Updates kept sockets in place, adds new ones, drops the rest; returns the dropped ids.

    Kept sockets are updated rather than re-created: a delete and an insert of the same key in one
    flush could be ordered insert-first and collide.
    """
    current = {socket.socket_id: socket for socket in charger.sockets}
    sockets = []
    for replacement in replacements:
        socket = current.get(replacement.socket_id) or Socket(socket_id=replacement.socket_id)
        _apply_socket_values(socket, replacement)
        sockets.append(socket)
    charger.sockets = sockets
    return current.keys() - {socket.socket_id for socket in sockets}


def _apply_socket_values(socket: Socket, body: SocketUpdate) -> None:
    values = body.model_dump(exclude_unset=True, exclude={"socket_id"})
    # The time since which the socket is in its status: a repeated report of the same status keeps it.
    if values.get("status") is not None and values["status"] != socket.status:
        socket.status_updated_at = utcnow()
    for name, value in values.items():
        setattr(socket, name, value)


async def _announce(
    session: AsyncSession, charger: Charger, site_ids: set[int], removed_socket_ids: Iterable[int] = ()
) -> None:
    await announce(
        session,
        Change(
            operator_id=charger.operator_id,
            charger_ids=frozenset({charger.charger_id}),
            site_ids=frozenset(site_ids),
            removed_sockets=frozenset((charger.charger_id, socket_id) for socket_id in removed_socket_ids),
        ),
    )


def _alias(body: BaseModel, name: str) -> str:
    return type(body).model_fields[name].alias or name
