"""Linking central tariffs to an integration's locations, chargers and sockets."""

from __future__ import annotations

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import Conflict, Invalid
from evroam.events import Change, announce
from evroam.integrations.locations.members import location_chargers
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.models import Integration
from evroam.integrations.tariff_links.models import TariffLink
from evroam.integrations.service import get_integration
from evroam.integrations.tariff_links.schemas import (
    ChargerLinkOut,
    LocationLinkOut,
    TariffLinksIn,
    TariffLinksOut,
)
from evroam.network.chargers.models import Socket
from evroam.tariffs.publishability import is_publishable, why_not_publishable
from evroam.tariffs.service import get_tariff

# (location id, charger id or None, socket id or None): a link at location, charger or socket level.
LinkKey = tuple[str, str | None, int | None]


async def get_links(session: AsyncSession, operator_id: int, integration_id: str, tariff_id: str) -> TariffLinksOut:
    await get_integration(session, operator_id, integration_id)
    await get_tariff(session, operator_id, tariff_id)
    links = await _stored_links(session, integration_id, tariff_id)
    return TariffLinksOut(tariff_id=tariff_id, locations=_as_body(links))


async def link_tariff(
    session: AsyncSession, operator_id: int, integration_id: str, tariff_id: str, body: TariffLinksIn, *, replace: bool
) -> TariffLinksOut:
    """Adds the links of the body; with `replace`, the body becomes the tariff's only links here."""
    await get_integration(session, operator_id, integration_id)
    # Locked: a concurrent change of its use type must see this link, or this link that change.
    tariff = await get_tariff(session, operator_id, tariff_id, lock=True)
    if not is_publishable(tariff.use_type):
        raise Invalid("tariffId", why_not_publishable(tariff.use_type))
    wanted = await _validated_links(session, integration_id, body)
    existing: set[LinkKey] = set()
    if replace:
        await session.execute(
            delete(TariffLink).where(TariffLink.integration_id == integration_id, TariffLink.tariff_id == tariff_id)
        )
    else:
        existing = await _stored_links(session, integration_id, tariff_id)
    session.add_all(
        TariffLink(
            integration_id=integration_id, tariff_id=tariff_id, location_id=location_id, charger_id=charger_id,
            socket_id=socket_id,
        )
        for location_id, charger_id, socket_id in sorted(wanted - existing, key=_sort_key)
    )
    await session.flush()
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration_id})))
    await session.commit()
    return TariffLinksOut(tariff_id=tariff_id, locations=_as_body(wanted | existing))


async def unlink_tariff(session: AsyncSession, operator_id: int, integration_id: str, tariff_id: str) -> None:
    await get_integration(session, operator_id, integration_id)
    await get_tariff(session, operator_id, tariff_id)
    await session.execute(
        delete(TariffLink).where(TariffLink.integration_id == integration_id, TariffLink.tariff_id == tariff_id)
    )
    # The integration republishes without the tariff (withdrawn from its partner); the tariff itself stays.
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration_id})))
    await session.commit()


async def unlink_removed_sockets(session: AsyncSession, change: Change) -> None:
    """Links to a socket its charger no longer has go too: a later socket with the same id starts unlinked."""
    if not change.removed_sockets:
        return
    removed = await session.scalars(
        delete(TariffLink)
        .where(tuple_(TariffLink.charger_id, TariffLink.socket_id).in_(change.removed_sockets))
        .returning(TariffLink.integration_id)
    )
    integration_ids = frozenset(removed.all())
    if integration_ids:
        await announce(session, Change(operator_id=change.operator_id, integration_ids=integration_ids))


async def refuse_withdrawing_linked_tariffs(session: AsyncSession, change: Change) -> None:
    """A linked tariff is neither deleted nor made unpublishable: a link always means a published tariff,
    so the operator unlinks it first (409 naming the integrations)."""
    for tariff_id in sorted(change.deleted_tariff_ids):
        await _refuse_if_linked(session, tariff_id, "tariffId")
    for tariff_id, use_type in sorted(change.unpublishable_tariffs):
        await _refuse_if_linked(session, tariff_id, "useType", why_not_publishable(use_type))


async def _refuse_if_linked(session: AsyncSession, tariff_id: str, field: str, reason: str | None = None) -> None:
    """A 409 naming the integrations that link the tariff: it must be unlinked before `reason` applies."""
    linked = (
        await session.execute(
            select(Integration.integration_id, Integration.integration_name)
            .join(TariffLink, TariffLink.integration_id == Integration.integration_id)
            .where(TariffLink.tariff_id == tariff_id)
            .distinct()
            .order_by(Integration.integration_name, Integration.integration_id)
        )
    ).all()
    if not linked:
        return
    named = ", ".join(f"{integration_id} ({name})" for integration_id, name in linked[:3])
    more = f" and {len(linked) - 3} more" if len(linked) > 3 else ""
    where = f"integration {named}" if len(linked) == 1 else f"integrations {named}{more}"
    problem = f"the tariff is linked to {where}; unlink it from {'that integration' if len(linked) == 1 else 'them'} first"
    raise Conflict(field, f"{reason}: {problem}" if reason else problem)


async def _validated_links(session: AsyncSession, integration_id: str, body: TariffLinksIn) -> set[LinkKey]:
    """Every location of the integration, every charger in its location, every socket of its charger."""
    location_ids = {entry.location_id for entry in body.locations}
    known_locations = set(
        (
            await session.scalars(
                select(IntegrationLocation.id).where(
                    IntegrationLocation.integration_id == integration_id, IntegrationLocation.id.in_(location_ids)
                )
            )
        ).all()
    )
    for index, entry in enumerate(body.locations):
        if entry.location_id not in known_locations:
            raise Invalid(
                f"locations.{index}.locationId", f"location {entry.location_id} is not in this integration"
            )

    charger_ids = {charger.charger_id for entry in body.locations for charger in entry.chargers or []}
    members = location_chargers(integration_id, location_ids).subquery()
    held = set(
        (
            await session.execute(
                select(members.c.location_id, members.c.charger_id).where(members.c.charger_id.in_(charger_ids))
            )
        ).all()
    ) if charger_ids else set()
    sockets = set(
        (
            await session.execute(
                select(Socket.charger_id, Socket.socket_id).where(Socket.charger_id.in_(charger_ids))
            )
        ).all()
    ) if charger_ids else set()

    wanted: set[LinkKey] = set()
    for index, entry in enumerate(body.locations):
        if not entry.chargers:
            wanted.add((entry.location_id, None, None))
        for charger_index, charger in enumerate(entry.chargers or []):
            path = f"locations.{index}.chargers.{charger_index}"
            if (entry.location_id, charger.charger_id) not in held:
                raise Invalid(
                    f"{path}.chargerId", f"charger {charger.charger_id} is not in location {entry.location_id}"
                )
            if not charger.sockets:
                wanted.add((entry.location_id, charger.charger_id, None))
            for socket_index, socket_id in enumerate(charger.sockets or []):
                if (charger.charger_id, socket_id) not in sockets:
                    raise Invalid(
                        f"{path}.sockets.{socket_index}", f"charger {charger.charger_id} has no socket {socket_id}"
                    )
                wanted.add((entry.location_id, charger.charger_id, socket_id))
    return wanted


async def _stored_links(session: AsyncSession, integration_id: str, tariff_id: str) -> set[LinkKey]:
    rows = await session.execute(
        select(TariffLink.location_id, TariffLink.charger_id, TariffLink.socket_id).where(
            TariffLink.integration_id == integration_id, TariffLink.tariff_id == tariff_id
        )
    )
    return {tuple(row) for row in rows.all()}


def _sort_key(link: LinkKey) -> tuple[str, str, int]:
    location_id, charger_id, socket_id = link
    return location_id, charger_id or "", -1 if socket_id is None else socket_id


def _as_body(links: set[LinkKey]) -> list[LocationLinkOut]:
    """Whole-location links as entries without chargers; charger and socket links grouped by location."""
    entries: list[LocationLinkOut] = []
    by_location: dict[str, LocationLinkOut] = {}
    by_charger: dict[tuple[str, str], ChargerLinkOut] = {}
    for location_id, charger_id, socket_id in sorted(links, key=_sort_key):
        if charger_id is None:
            entries.append(LocationLinkOut(location_id=location_id, chargers=[]))
            continue
        location = by_location.get(location_id)
        if location is None:
            location = by_location[location_id] = LocationLinkOut(location_id=location_id, chargers=[])
            entries.append(location)
        if socket_id is None:
            location.chargers.append(ChargerLinkOut(charger_id=charger_id, sockets=[]))
            continue
        charger = by_charger.get((location_id, charger_id))
        if charger is None:
            charger = by_charger[(location_id, charger_id)] = ChargerLinkOut(charger_id=charger_id, sockets=[])
            location.chargers.append(charger)
        charger.sockets.append(socket_id)
    return entries
