"""Which chargers an integration location holds: the one definition, for everything that asks.

A site-backed location that does not exclude chargers holds every charger of its site, now and later;
any other location holds the chargers picked for it. The rule comes in three forms, for the three ways
it is asked: `holds_whole_site` for a location row in hand, `holding_any` for the locations that hold
some chargers (a condition on `integration_locations`), and `location_chargers` for the pairs
themselves (the details, the tariff links).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, CompoundSelect, false, select, union_all

from evroam.integrations.locations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.network.chargers.models import Charger

# Core tables: the details read thousands of rows through this, without the ORM's per-row work.
_locations = IntegrationLocation.__table__
_picked = IntegrationLocationCharger.__table__
_chargers = Charger.__table__


def holds_whole_site(location: IntegrationLocation) -> bool:
    return location.site_id is not None and not location.exclude_chargers


def _whole_site() -> ColumnElement[bool]:
    """`holds_whole_site` as a condition (a location without a site matches no charger's site)."""
    return _locations.c.exclude_chargers == false()


def holding_any(charger_ids: Collection[str] | BindParameter) -> ColumnElement[bool]:
    """The locations that hold any of these chargers, as a condition on `integration_locations`; the ids
    may be an expanding bind parameter, for a statement built once."""
    charger_sites = select(_chargers.c.site_id).where(_chargers.c.charger_id.in_(charger_ids))
    picked = select(_picked.c.location_id).where(_picked.c.charger_id.in_(charger_ids))
    return (_locations.c.site_id.in_(charger_sites) & _whole_site()) | _locations.c.id.in_(picked)


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
