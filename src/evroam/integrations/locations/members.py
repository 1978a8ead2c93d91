"""Which chargers an integration location holds: the one definition, for everything that asks.

A site-backed location that does not exclude chargers holds every charger of its site, now and later;
any other location holds the chargers picked for it. The rule comes in three forms, for the three ways
it is asked: `holds_whole_site` for a location row in hand, `holding_any` for the locations that hold
some chargers (a condition on `integration_locations`; `holding_ids`, their ids, to join on), and
`location_chargers` for the pairs themselves (the details, the tariff links).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, CompoundSelect, Select, false, select, union, union_all

from evroam.integrations.locations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.network.chargers.models import Charger

# Core tables: the details read thousands of rows through this, without the ORM's per-row work.
_locations = IntegrationLocation.__table__
_picked = IntegrationLocationCharger.__table__
_chargers = Charger.__table__


def holds_whole_site(location: IntegrationLocation) -> bool:
    return location.site_id is not None and not location.exclude_chargers


def _whole_site(locations: Any = _locations) -> ColumnElement[bool]:
    """`holds_whole_site` as a condition on `locations` (`integration_locations` or an alias of it; a
    location without a site matches no charger's site)."""
    return locations.c.exclude_chargers == false()


def holding_ids(charger_ids: Collection[str] | BindParameter) -> CompoundSelect:
    """The ids of the locations that hold any of these chargers (one column, `location_id`); the ids may be
    an expanding bind parameter, for a statement built once."""
    return union(*holding_selects(charger_ids))


def holding_selects(charger_ids: Collection[str] | BindParameter) -> list[Select]:
    """`holding_ids` as the selects it unites, for a union of more (SQLite takes no union nested in another).

    Two selects, each by its own index (a location's site, a picked charger): one condition with OR
    between the two would have the database read every integration location of every partner to find
    the few that hold the charger, on every charger event and every authorization decision."""
    charger_sites = select(_chargers.c.site_id).where(_chargers.c.charger_id.in_(charger_ids))
    # Aliased: unaliased, it would be correlated with the integration_locations of an enclosing query.
    candidates = _locations.alias("holding_site")
    whole_sites = select(candidates.c.id.label("location_id")).where(
        candidates.c.site_id.in_(charger_sites), _whole_site(candidates)
    )
    picked = select(_picked.c.location_id).where(_picked.c.charger_id.in_(charger_ids))
    return [whole_sites, picked]


def holding_any(charger_ids: Collection[str] | BindParameter) -> ColumnElement[bool]:
    """The locations that hold any of these chargers, as a condition on `integration_locations` (in a
    WHERE: the database reads it as a join on `holding_ids`)."""
    return _locations.c.id.in_(holding_ids(charger_ids))


def location_chargers(
    integration_id: str | None, location_ids: Collection[str] | None = None, charger_columns: Sequence[Any] = ()
) -> CompoundSelect:
    """Rows (location_id, charger_id, *charger_columns): columns of the `chargers` table.

    Without an integration, `location_ids` alone say which locations (location ids are unique across
    integrations).
    """
    whole_sites = (
        select(_locations.c.id.label("location_id"), _chargers.c.charger_id, *charger_columns)
        .select_from(_locations.join(_chargers, _chargers.c.site_id == _locations.c.site_id))
        .where(_whole_site())
    )
    picked = select(_picked.c.location_id, _chargers.c.charger_id, *charger_columns).select_from(
        _picked.join(_locations, _locations.c.id == _picked.c.location_id).join(
            _chargers, _chargers.c.charger_id == _picked.c.charger_id
        )
    )
    if integration_id is not None:
        whole_sites = whole_sites.where(_locations.c.integration_id == integration_id)
        picked = picked.where(_locations.c.integration_id == integration_id)
    if location_ids is not None:
        whole_sites = whole_sites.where(_locations.c.id.in_(location_ids))
        picked = picked.where(_locations.c.id.in_(location_ids))
    return union_all(whole_sites, picked)
