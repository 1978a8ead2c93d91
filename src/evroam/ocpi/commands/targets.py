"""Which of the operator's sockets a partner's command names: a location, EVSE and connector as published
to that partner, back to the charger and socket they stand for.

Only what the partner is shown counts: the location must be in its ledger, the EVSE listed there and not
REMOVED, the connector one of that EVSE's. The EVSE uid is then matched to the socket it is published as
(`socket_evse`), among the chargers the location holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.integrations.locations.members import location_chargers
from evroam.network.chargers.models import Charger, Socket
from evroam.ocpi.locations.mapping import socket_evse
from evroam.ocpi.modules import LOCATIONS
from evroam.publication.ledger import published_document


@dataclass(frozen=True, slots=True)
class Target:
    location_id: str
    evse_uid: str
    connector_id: str
    charger_id: str
    socket_id: int


class UnknownLocation(Exception):
    """The location is not published to this partner (OCPI 2003)."""


class UnfitTarget(Exception):
    """The location is the partner's, the rest of the address is not: the message says what."""


async def published_location(session: AsyncSession, integration_id: str, location_id: str) -> dict[str, Any]:
    document = await published_document(session, integration_id, LOCATIONS, location_id)
    if document is None:
        raise UnknownLocation(f"Unknown location {location_id}")
    return orjson.loads(document)


async def target(
    session: AsyncSession, integration_id: str, location_id: str, evse_uid: str, connector_id: str | None
) -> Target:
    """The socket the address names; `connector_id` may be left out when the EVSE has one connector."""
    location = await published_location(session, integration_id, location_id)
    evse = next((evse for evse in location.get("evses") or []
                 if evse["uid"].upper() == evse_uid.upper() and evse.get("status") != "REMOVED"), None)
    if evse is None:
        raise UnfitTarget(f"evse_uid: location {location['id']} has no EVSE {evse_uid}")
    connectors = [connector["id"] for connector in evse.get("connectors") or []]
    if connector_id is None:
        if len(connectors) != 1:
            raise UnfitTarget(f"connector_id: is required, EVSE {evse['uid']} has {len(connectors)} connectors")
        connector_id = connectors[0]
    elif connector_id.upper() not in (known.upper() for known in connectors):
        raise UnfitTarget(f"connector_id: EVSE {evse['uid']} has no connector {connector_id}")
    connector_id = next(known for known in connectors if known.upper() == connector_id.upper())
    found = await _socket_of(session, integration_id, location["id"], evse["uid"], connector_id)
    if found is None:  # the ledger is ahead of or behind the network for a moment (a socket just removed)
        raise UnfitTarget(f"evse_uid: EVSE {evse['uid']} is not at a charger of location {location['id']} now")
    return Target(location["id"], evse["uid"], connector_id, *found)


async def _socket_of(
    session: AsyncSession, integration_id: str, location_id: str, evse_uid: str, connector_id: str
) -> tuple[str, int] | None:
    held = location_chargers(integration_id, [location_id], [Charger.__table__.c.split_evse_by_socket]).subquery()
    rows = await session.execute(
        select(held.c.charger_id, held.c.split_evse_by_socket, Socket.socket_id)
        .join(Socket, Socket.charger_id == held.c.charger_id)
    )
    for charger_id, split, socket_id in rows:
        if socket_evse(charger_id, socket_id, split) == (evse_uid, connector_id):
            return charger_id, socket_id
    return None
