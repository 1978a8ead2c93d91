"""Use cases of an integration's locations; every query goes through an integration of the operator.

A charger is published at most once per integration: two locations holding the same charger would
show a partner the same EVSE twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.base import utcnow
from evroam.database.paging import PageRequest, paginate
from evroam.errors import Conflict, Invalid, NotFound
from evroam.database.locks import locked_row
from evroam.events import Change, announce
from evroam.integrations.locations.members import location_chargers
from evroam.integrations.locations.schemas import (
    REQUIRED_STANDALONE,
    STANDALONE_FIELD_NAMES,
    LocationCreate,
    LocationUpdate,
)
from evroam.integrations.locations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.integrations.models import Integration
from evroam.integrations.tariff_links.models import TariffLink
from evroam.integrations.service import get_integration
from evroam.network.common_schemas import as_json
from evroam.network.chargers.models import Charger
from evroam.network.sites.models import Site


async def get_location(
    session: AsyncSession, operator_id: int, integration_id: str, location_id: str
) -> IntegrationLocation:
    await get_integration(session, operator_id, integration_id)
    location = await session.scalar(
        select(IntegrationLocation).where(
            IntegrationLocation.id == location_id, IntegrationLocation.integration_id == integration_id
        )
    )
    if location is None:
        raise NotFound(f"Location {location_id}")
    return location


async def refuse_deleting_published_sites(session: AsyncSession, change: Change) -> None:
    """A site backing a location of any integration stays: the location is removed first."""
    if change.deleted_site_ids and await session.scalar(
        select(exists().where(IntegrationLocation.site_id.in_(change.deleted_site_ids)))
    ):
        raise Conflict("siteId", "the site is published in an integration; remove that location first")


async def location_time_zone(session: AsyncSession, operator_id: int, location_id: str) -> str | None:
    """The time zone of one of the operator's locations: its site's, else its own (None when it has none)."""
    found = (
        await session.execute(
            select(IntegrationLocation.standalone, Site.timezone)
            .join(Integration, Integration.integration_id == IntegrationLocation.integration_id)
            .outerjoin(Site, Site.id == IntegrationLocation.site_id)
            .where(IntegrationLocation.id == location_id, Integration.operator_id == operator_id)
        )
    ).first()
    if found is None:
        raise NotFound(f"Location {location_id}")
    standalone, site_zone = found
    return site_zone or (standalone or {}).get("timezone")


async def list_location_ids(
    session: AsyncSession, operator_id: int, integration_id: str, page: PageRequest
) -> tuple[list[str], int]:
    await get_integration(session, operator_id, integration_id)
    query = (
        select(IntegrationLocation.id)
        .where(IntegrationLocation.integration_id == integration_id)
        .order_by(IntegrationLocation.created_at, IntegrationLocation.id)
    )
    return await paginate(session, query, page)


async def create_location(session: AsyncSession, operator_id: int, integration_id: str, body: LocationCreate) -> str:
    await get_integration(session, operator_id, integration_id)
    location = IntegrationLocation(
        id=str(uuid.uuid4()),
        integration_id=integration_id,
        publish=body.publish,
        publish_allowed_to=_publish_allowed_to(body),
        exclude_chargers=False,
    )
    if body.site_id is not None:
        charger_ids = await _site_backed(session, operator_id, integration_id, location, body)
    else:
        charger_ids = await _standalone(session, operator_id, integration_id, location, body)
    session.add(location)
    await session.flush()
    session.add_all(IntegrationLocationCharger(location_id=location.id, charger_id=c) for c in charger_ids)
    await session.flush()
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration_id})))
    await session.commit()
    return location.id


async def update_location(
    session: AsyncSession, operator_id: int, integration_id: str, location_id: str, body: LocationUpdate
) -> None:
    location = await get_location(session, operator_id, integration_id, location_id)
    if location.site_id is not None:
        raise Conflict(
            "locationId", "a site-backed location follows its site: change the site, or delete and add the location"
        )
    given = body.model_fields_set
    stored = dict(location.standalone or {})
    for name in given & set(STANDALONE_FIELD_NAMES):
        alias = type(body).model_fields[name].alias
        value = _stored_value(name, getattr(body, name))
        if value is None:
            stored.pop(alias, None)
        else:
            stored[alias] = value
    location.standalone = stored
    if body.publish is not None:
        location.publish = body.publish
    if "publish_allowed_to" in given:
        location.publish_allowed_to = _publish_allowed_to(body)
    if "charger_ids" in given:
        await _replace_chargers(session, operator_id, integration_id, location, body.charger_ids or [])
    location.last_updated = utcnow()
    await session.flush()
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration_id})))
    await session.commit()


async def delete_location(session: AsyncSession, operator_id: int, integration_id: str, location_id: str) -> None:
    location = await get_location(session, operator_id, integration_id, location_id)
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration_id})))
    # Its charger picks and tariff links go with it (ON DELETE CASCADE).
    await session.execute(delete(IntegrationLocation).where(IntegrationLocation.id == location.id))
    await session.commit()


async def _site_backed(
    session: AsyncSession, operator_id: int, integration_id: str, location: IntegrationLocation, body: LocationCreate
) -> list[str]:
    own_field = next(iter(sorted(body.model_fields_set & set(STANDALONE_FIELD_NAMES))), None)
    if own_field is not None:
        raise Invalid(type(body).model_fields[own_field].alias, "a site-backed location takes it from its site")
    site_id = body.site_id
    # Locked: a deletion of the site, or another location of it, waits until this one commits.
    if await locked_row(session, Site, Site.id == site_id, Site.operator_id == operator_id) is None:
        raise Invalid("siteId", f"site {site_id} does not exist")
    taken = await session.scalar(
        select(IntegrationLocation.id).where(
            IntegrationLocation.integration_id == integration_id, IntegrationLocation.site_id == site_id
        )
    )
    if taken is not None:
        raise Conflict("siteId", f"site {site_id} is already location {taken} of this integration")
    location.site_id = site_id
    location.exclude_chargers = bool(body.exclude_chargers)
    if not location.exclude_chargers:
        if body.charger_ids:
            raise Invalid(
                "chargerIds", "only with excludeChargers true: otherwise the location holds every charger of the site"
            )
        site_chargers = (await session.scalars(select(Charger.charger_id).where(Charger.site_id == site_id))).all()
        await _check_not_published(session, integration_id, None, site_chargers, "siteId")
        return []
    return await _checked_chargers(session, operator_id, integration_id, None, body.charger_ids or [], site_id)


async def _standalone(
    session: AsyncSession, operator_id: int, integration_id: str, location: IntegrationLocation, body: LocationCreate
) -> list[str]:
    if body.exclude_chargers is not None:
        raise Invalid("excludeChargers", "only for a site-backed location (with siteId)")
    for name in REQUIRED_STANDALONE:
        if getattr(body, name) is None:
            raise Invalid(type(body).model_fields[name].alias, "is required for a location without siteId")
    location.standalone = {
        type(body).model_fields[name].alias: value
        for name in STANDALONE_FIELD_NAMES
        if (value := _stored_value(name, getattr(body, name))) is not None
    }
    return await _checked_chargers(session, operator_id, integration_id, None, body.charger_ids or [], None)


def _stored_value(name: str, value: Any) -> Any:
    """The camelCase JSON a standalone location keeps; coordinates as 6-decimal strings, like a site's."""
    if value is None:
        return None
    if name == "coordinates":
        return {"latitude": _coordinate(value.latitude), "longitude": _coordinate(value.longitude)}
    if isinstance(value, list):
        return [as_json(item) if hasattr(item, "model_dump") else item for item in value]
    if hasattr(value, "model_dump"):
        return as_json(value)
    return value


def _coordinate(value: Decimal) -> str:
    return f"{value:.6f}"


def _publish_allowed_to(body: LocationUpdate) -> list[dict[str, Any]]:
    return [token.model_dump(mode="json", by_alias=True) for token in body.publish_allowed_to or []]


async def _replace_chargers(
    session: AsyncSession, operator_id: int, integration_id: str, location: IntegrationLocation, charger_ids: list[str]
) -> None:
    wanted = await _checked_chargers(session, operator_id, integration_id, location.id, charger_ids, None)
    await session.execute(
        delete(IntegrationLocationCharger).where(IntegrationLocationCharger.location_id == location.id)
    )
    session.add_all(IntegrationLocationCharger(location_id=location.id, charger_id=c) for c in wanted)
    # Links to chargers the location no longer holds would never apply again.
    await session.execute(
        delete(TariffLink).where(
            TariffLink.location_id == location.id,
            TariffLink.charger_id.is_not(None),
            TariffLink.charger_id.not_in(wanted),
        )
    )


async def _checked_chargers(
    session: AsyncSession,
    operator_id: int,
    integration_id: str,
    location_id: str | None,
    charger_ids: Sequence[str],
    site_id: int | None,
) -> list[str]:
    """The distinct chargers asked for, each of the operator (and of the site, for a site-backed location)."""
    unique = list(dict.fromkeys(charger_ids))
    found = dict(
        (
            await session.execute(
                select(Charger.charger_id, Charger.site_id).where(
                    Charger.operator_id == operator_id, Charger.charger_id.in_(unique)
                )
            )
        ).all()
    )
    for index, charger_id in enumerate(charger_ids):
        if charger_id not in found:
            raise Invalid(f"chargerIds.{index}", f"charger {charger_id} does not exist")
        if site_id is not None and found[charger_id] != site_id:
            raise Invalid(f"chargerIds.{index}", f"charger {charger_id} is not at site {site_id}")
    await _check_not_published(session, integration_id, location_id, charger_ids, "chargerIds")
    return unique


async def _check_not_published(
    session: AsyncSession, integration_id: str, location_id: str | None, charger_ids: Sequence[str], field: str
) -> None:
    if not charger_ids:
        return
    members = location_chargers(integration_id).subquery()
    query = select(members.c.charger_id, members.c.location_id).where(members.c.charger_id.in_(charger_ids))
    if location_id is not None:
        query = query.where(members.c.location_id != location_id)
    clash = (await session.execute(query.limit(1))).first()
    if clash is not None:
        problem = f"charger {clash.charger_id} is already published in location {clash.location_id} of this integration"
        if field == "chargerIds":
            field = f"chargerIds.{list(charger_ids).index(clash.charger_id)}"
        raise Conflict(field, problem)
