"""Builds the `locations` of GET integration details: each location as the details show it.

Four queries for any number of locations (tariff links, sockets, chargers, locations), on Core tables
with only the columns needed, so rows come back as plain tuples without the ORM's per-row work; then
one synchronous pass builds plain dicts. A site's JSON columns (images, opening times, ...) are read as
text and embedded as they are stored (orjson.Fragment): they are already in the API's shape, so parsing
and encoding them again would only cost time.

What is built here is stored by details_read_model, which is what the API reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson
from orjson import Fragment
from sqlalchemy import CompoundSelect, Float, Select, Text, case, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from evroam.integrations.locations.members import location_chargers
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.tariff_links.models import TariffLink
from evroam.network.chargers.models import Charger, Socket
from evroam.network.sites.models import Site

_locations = IntegrationLocation.__table__
_sites = Site.__table__
_chargers = Charger.__table__
_sockets = Socket.__table__
_links = TariffLink.__table__

# The location fields a standalone location keeps itself (camelCase, as given), in the seed's order.
_STANDALONE_KEYS = (
    "name", "locationEnergyMix", "images", "chargingWhenClosed", "openingTimes", "timezone", "facilities", "owner",
    "suboperator", "directions", "parkingType", "relatedLocations", "coordinates", "country", "state",
    "postalCode", "city", "address",
)
_STANDALONE_LISTS = ("images", "facilities", "directions", "relatedLocations")


def build_location_documents(session: Session, location_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The given locations (of any integrations) as in the details: with their chargers, sockets and each
    socket's tariffIds, in the order the details list them."""
    links = session.execute(_link_query(location_ids)).all()
    sockets = session.execute(_socket_query(location_ids)).all()
    chargers = session.execute(_charger_query(location_ids)).all()
    locations = session.execute(_location_query(location_ids)).all()
    built = _charger_documents(sockets, chargers, _EffectiveTariffs(links))
    return [_location_document(row, built.get(row[0], [])) for row in locations]


def _link_query(location_ids: Sequence[str]) -> Select:
    return (
        select(_links.c.tariff_id, _links.c.location_id, _links.c.charger_id, _links.c.socket_id)
        .where(_links.c.location_id.in_(location_ids))
        .order_by(_links.c.tariff_id)
    )


def _socket_query(location_ids: Sequence[str]) -> Select:
    members = location_chargers(None, location_ids).subquery()
    return (
        select(
            _sockets.c.charger_id, _sockets.c.socket_id, _sockets.c.type, _sockets.c.status, _sockets.c.format,
            _sockets.c.power_type,
        )
        .where(_sockets.c.charger_id.in_(select(members.c.charger_id)))
        .order_by(_sockets.c.charger_id, _sockets.c.socket_id)
    )


def _charger_query(location_ids: Sequence[str]) -> CompoundSelect:
    chargers = location_chargers(
        None,
        location_ids,
        (_chargers.c.name, _chargers.c.charger_group_name, _chargers.c.charger_group_id, _chargers.c.active_connection),
    )
    return chargers.order_by(chargers.selected_columns.location_id, chargers.selected_columns.charger_id)


def _coordinate(column: Any) -> Any:
    # A float is exact enough for 6 decimals and far cheaper to read than a Decimal.
    return type_coerce(column, Float).label(column.name)


def _json_text(column: Any) -> Any:
    """The stored JSON as text, `null` for SQL NULL too: always something orjson.Fragment can embed."""
    return func.coalesce(cast(column, Text), "null").label(column.name)


def _location_query(location_ids: Sequence[str]) -> Select:
    return (
        select(
            _locations.c.id, _locations.c.site_id, _json_text(_locations.c.standalone), _locations.c.publish,
            _json_text(_locations.c.publish_allowed_to), _sites.c.name,
            _sites.c.public_name, _json_text(_sites.c.energy_mix), _json_text(_sites.c.images),
            _sites.c.charging_when_closed, _json_text(_sites.c.opening_times), _sites.c.timezone,
            _json_text(_sites.c.facilities), _json_text(_sites.c.owner), _json_text(_sites.c.suboperator),
            _json_text(_sites.c.directions), _sites.c.parking_type, _json_text(_sites.c.related_locations),
            _coordinate(_sites.c.latitude), _coordinate(_sites.c.longitude), _sites.c.country, _sites.c.state,
            _sites.c.postal_code, _sites.c.city, _sites.c.street_address,
            # What partners see of a site-backed location changes with the site too.
            case(
                (_sites.c.updated_at > _locations.c.last_updated, _sites.c.updated_at),
                else_=_locations.c.last_updated,
            ).label("last_updated"),
        )
        .select_from(_locations.outerjoin(_sites, _sites.c.id == _locations.c.site_id))
        .where(_locations.c.id.in_(location_ids))
        .order_by(_locations.c.created_at, _locations.c.id)
    )


class _EffectiveTariffs:
    """Tariff ids linked at each level; a socket takes the most specific level that has any."""

    def __init__(self, link_rows: Sequence[Any]) -> None:
        self.by_location: dict[str, list[str]] = {}
        self.by_charger: dict[tuple[str, str], list[str]] = {}
        # Per (location, charger): socket id -> tariff ids.
        self.by_socket: dict[tuple[str, str], dict[int, list[str]]] = {}
        for tariff_id, location_id, charger_id, socket_id in link_rows:
            if charger_id is None:
                self.by_location.setdefault(location_id, []).append(tariff_id)
            elif socket_id is None:
                self.by_charger.setdefault((location_id, charger_id), []).append(tariff_id)
            else:
                self.by_socket.setdefault((location_id, charger_id), {}).setdefault(socket_id, []).append(tariff_id)


def _charger_documents(
    socket_rows: Sequence[Any], charger_rows: Sequence[Any], tariffs: _EffectiveTariffs
) -> dict[str, list[dict[str, Any]]]:
    # The socket rows come ordered by charger.
    sockets_of = {charger_id: list(rows) for charger_id, rows in groupby(socket_rows, key=itemgetter(0))}
    by_location: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_location_links, by_charger_links, by_socket_links = tariffs.by_location, tariffs.by_charger, tariffs.by_socket
    no_tariffs: list[str] = []
    for location_id, charger_id, name, group_name, group_id, active in charger_rows:
        key = (location_id, charger_id)
        charger_tariffs = by_charger_links.get(key) or by_location_links.get(location_id) or no_tariffs
        socket_tariffs = by_socket_links.get(key)
        sockets = [
            {
                "id": socket_id,
                "type": socket_type,
                "status": status,
                "format": socket_format,
                "socketPowerType": power_type,
                "tariffIds": socket_tariffs.get(socket_id, charger_tariffs) if socket_tariffs else charger_tariffs,
            }
            for _, socket_id, socket_type, status, socket_format, power_type in sockets_of.get(charger_id, ())
        ]
        by_location[location_id].append({
            "chargerID": charger_id,
            "chargerName": name,
            "chargerGroupName": group_name,
            "chargerGroupID": group_id,
            "amountOfSockets": len(sockets),
            "activeConnection": active,
            "sockets": sockets,
        })
    return by_location


def _location_document(row: Any, chargers: list[dict[str, Any]]) -> dict[str, Any]:
    (
        location_id, site_id, standalone, publish, publish_allowed_to, name, public_name, energy_mix, images,
        charging_when_closed, opening_times, timezone, facilities, owner, suboperator, directions, parking_type,
        related_locations, latitude, longitude, country, state, postal_code, city, address, last_updated,
    ) = row
    if site_id is None:
        fields = orjson.loads(standalone) or {}
        values = {key: fields.get(key) for key in _STANDALONE_KEYS}
        for key in _STANDALONE_LISTS:
            if values[key] is None:
                values[key] = []
    else:
        values = {
            "name": public_name or name,
            "locationEnergyMix": Fragment(energy_mix),
            "images": Fragment(images),
            "chargingWhenClosed": charging_when_closed,
            "openingTimes": Fragment(opening_times),
            "timezone": timezone,
            "facilities": Fragment(facilities),
            "owner": Fragment(owner),
            "suboperator": Fragment(suboperator),
            "directions": Fragment(directions),
            "parkingType": parking_type,
            "relatedLocations": Fragment(related_locations),
            "coordinates": {"latitude": f"{latitude:.6f}", "longitude": f"{longitude:.6f}"},
            "country": country,
            "state": state,
            "postalCode": postal_code,
            "city": city,
            "address": address,
        }
    return {
        "id": location_id,
        "lastUpdated": last_updated,
        **values,
        "publishAllowedTo": Fragment(publish_allowed_to),
        "publish": publish,
        "chargers": chargers,
        "siteId": site_id,
    }
