"""Use cases of sites: every query is scoped to the calling operator."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.locks import locked_row
from evroam.database.paging import PageRequest, paginate
from evroam.errors import Conflict, Invalid, NotFound
from evroam.events import Change, announce
from evroam.network.chargers.models import Charger
from evroam.network.sites.models import Site
from evroam.network.sites.schemas import SiteCreate, SiteUpdate

_JSON_FIELDS = {
    "opening_times", "directions", "images", "energy_mix", "owner", "suboperator", "related_locations",
}


def _column_values(body: SiteCreate | SiteUpdate, *, exclude_unset: bool) -> dict:
    values = body.model_dump(exclude_unset=exclude_unset)
    for name in _JSON_FIELDS & values.keys():
        value = getattr(body, name)
        if value is None:
            continue
        if isinstance(value, list):
            values[name] = [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in value]
        else:
            values[name] = value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return values


async def get_site(session: AsyncSession, operator_id: int, site_id: int, *, lock: bool = False) -> Site:
    """With `lock`, for a change: concurrent changes, and locations being added to it, wait for this one."""
    where = (Site.id == site_id, Site.operator_id == operator_id)
    site = await (locked_row(session, Site, *where) if lock else session.scalar(select(Site).where(*where)))
    if site is None:
        raise NotFound(f"Site {site_id}")
    return site


async def _check_parent(session: AsyncSession, operator_id: int, site_id: int | None, parent_id: int) -> None:
    if parent_id == site_id:
        raise Invalid("parentSiteId", "a site cannot be its own parent")
    ancestor: int | None = parent_id
    while ancestor is not None:
        parent = await session.scalar(select(Site).where(Site.id == ancestor, Site.operator_id == operator_id))
        if parent is None:
            raise Invalid("parentSiteId", f"site {ancestor} does not exist")
        if parent.parent_site_id == site_id and site_id is not None:
            raise Invalid("parentSiteId", "that parent would make a cycle in the site hierarchy")
        ancestor = parent.parent_site_id


async def list_sites(session: AsyncSession, operator_id: int, page: PageRequest) -> tuple[list[Site], int]:
    query = select(Site).where(Site.operator_id == operator_id).order_by(Site.id)
    return await paginate(session, query, page)


async def create_site(session: AsyncSession, operator_id: int, body: SiteCreate) -> Site:
    if body.parent_site_id is not None:
        await _check_parent(session, operator_id, None, body.parent_site_id)
    values = _column_values(body, exclude_unset=False)
    values = {key: value for key, value in values.items() if value is not None}
    site = Site(operator_id=operator_id, **values)
    session.add(site)
    await session.flush()
    await session.commit()
    return site


async def update_site(session: AsyncSession, operator_id: int, site_id: int, body: SiteUpdate) -> Site:
    site = await get_site(session, operator_id, site_id, lock=True)
    values = _column_values(body, exclude_unset=True)
    if values.get("parent_site_id") is not None:
        await _check_parent(session, operator_id, site.id, values["parent_site_id"])
    for name, value in values.items():
        if name in {"facilities", "directions", "images", "related_locations"} and value is None:
            value = []
        setattr(site, name, value)
    await session.flush()
    await announce(session, Change(operator_id=operator_id, site_ids=frozenset({site.id})))
    await session.commit()
    return site


async def delete_site(session: AsyncSession, operator_id: int, site_id: int) -> None:
    # Locked before the checks: a location or charger being added to the site commits first and is seen,
    # or waits and finds no site.
    site = await get_site(session, operator_id, site_id, lock=True)
    if await session.scalar(select(exists().where(Charger.site_id == site.id))):
        raise Conflict("siteId", "the site still has chargers; move or delete them first")
    if await session.scalar(select(exists().where(Site.parent_site_id == site.id))):
        raise Conflict("siteId", "the site still has subsites; move or delete them first")
    # Integrations refuse it while a location of theirs is backed by the site.
    await announce(session, Change(operator_id=operator_id, site_ids=frozenset({site.id}),
                                   deleted_site_ids=frozenset({site.id})))  # fmt: skip
    await session.delete(site)
    await session.commit()
