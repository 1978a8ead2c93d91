"""The authorization decision's reads and writes: where the operator's charger and socket are published,
which stored tokens of those integrations carry the idTag, and the decision log per charger.

"Published to an integration" is the domain's definition (`integrations.locations.members`): a location
of that integration holds the charger. A partner's tokens count only at chargers published to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from evroam.charging.authorization.decision import Fallback, StoredToken
from evroam.charging.authorization.models import Authorization
from evroam.charging.tokens.models import PartnerToken, TokenPolicy
from evroam.database.paging import PageRequest, paginate
from evroam.errors import NotFound
from evroam.integrations.locations.members import holding_ids
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.models import Integration
from evroam.network.chargers.models import Charger, Socket

DEFAULT_TIMEOUT_MS = 3000
DEFAULT_FALLBACK: Fallback = "STORED_TOKEN"

_chargers = Charger.__table__
_sockets = Socket.__table__
_locations = IntegrationLocation.__table__
_integrations = Integration.__table__
_tokens = PartnerToken.__table__
_policies = TokenPolicy.__table__


@dataclass(frozen=True, slots=True)
class Publication:
    """One integration location holding the charger, with what the decision needs of its integration."""

    integration_id: str
    location_id: str
    publish: bool
    ocpi_version: str | None
    hub: bool
    realtime_timeout_ms: int
    realtime_fallback: Fallback


@dataclass(slots=True)
class Whereabouts:
    """The socket at the operator's charger, where it is published, and the stored tokens carrying the idTag
    in those integrations."""

    split_evse_by_socket: bool
    publications: list[Publication] = field(default_factory=list)
    tokens: list[StoredToken] = field(default_factory=list)


def _lookup() -> Select:
    """The query of `find`, built once: its parameters are bound per decision."""
    # The tokens carrying the idTag first, by their uid index: joined on the integration alone, SQLite
    # (without statistics) searched the integration's whole key index, every token of it (9 ms at 100,000).
    tokens = (
        select(_tokens)
        .where(_tokens.c.uid_key == bindparam("uid_key"))
        .cte("matching_tokens")
        .prefix_with("MATERIALIZED")
    )
    charger_id = bindparam("charger_id", type_=_chargers.c.charger_id.type)
    # The locations holding the charger, by their indexes, joined as a table: a condition in the outer
    # join's ON would be tested against every integration location of every partner.
    holding = holding_ids([charger_id]).subquery("holding")
    return (
        select(
            _chargers.c.split_evse_by_socket,
            _sockets.c.socket_id,
            _locations.c.id.label("location_id"),
            _locations.c.integration_id,
            _locations.c.publish,
            _integrations.c.ocpi_version,
            _integrations.c.customer_roles,
            _integrations.c.partners_company_detail,
            _policies.c.realtime_timeout_ms,
            _policies.c.realtime_fallback,
            tokens.c.country_code,
            tokens.c.party_id,
            tokens.c.uid,
            tokens.c.type,
            tokens.c.valid,
            tokens.c.whitelist,
            tokens.c.document,
        )
        .select_from(
            _chargers.outerjoin(
                _sockets,
                and_(_sockets.c.charger_id == _chargers.c.charger_id, _sockets.c.socket_id == bindparam("socket_id")),
            )
            .outerjoin(holding, true())
            .outerjoin(_locations, _locations.c.id == holding.c.location_id)
            .outerjoin(_integrations, _integrations.c.integration_id == _locations.c.integration_id)
            .outerjoin(_policies, _policies.c.integration_id == _locations.c.integration_id)
            .outerjoin(tokens, tokens.c.integration_id == _locations.c.integration_id)
        )
        .where(_chargers.c.charger_id == charger_id, _chargers.c.operator_id == bindparam("operator_id"))
        .order_by(_locations.c.integration_id, _locations.c.id)
    )


_LOOKUP = _lookup()


async def find(
    connection: AsyncConnection, operator_id: int, charger_id: str, socket_id: int, uid_key: str
) -> Whereabouts:
    """All in one query: the authorization decision is on the driver's path at the charger."""
    parameters = {"operator_id": operator_id, "charger_id": charger_id, "socket_id": socket_id, "uid_key": uid_key}
    # Core on a connection: the rows are plain tuples, a session and the ORM's execution add nothing here.
    rows = (await connection.execute(_LOOKUP, parameters)).all()
    if not rows:
        raise NotFound("charger")
    if rows[0].socket_id is None:
        raise NotFound("socket")
    found = Whereabouts(split_evse_by_socket=rows[0].split_evse_by_socket)
    seen_locations: set[str] = set()
    seen_tokens: set[tuple[str, str, str, str, str]] = set()
    for row in rows:
        if row.location_id is None:
            continue
        if row.location_id not in seen_locations:
            seen_locations.add(row.location_id)
            found.publications.append(_publication(row))
        if row.uid is not None:
            key = (row.integration_id, row.country_code, row.party_id, row.uid, row.type)
            if key not in seen_tokens:  # a second location of the same integration repeats its tokens
                seen_tokens.add(key)
                found.tokens.append(
                    StoredToken(row.integration_id, row.country_code, row.party_id, row.uid, row.type, row.valid,
                                row.whitelist, row.document)
                )
    return found


def _publication(row: Any) -> Publication:
    roles = {detail.get("role") for detail in row.partners_company_detail or []} | set(row.customer_roles or [])
    return Publication(
        integration_id=row.integration_id,
        location_id=row.location_id,
        publish=row.publish,
        ocpi_version=row.ocpi_version,
        hub="HUB" in roles,
        realtime_timeout_ms=row.realtime_timeout_ms or DEFAULT_TIMEOUT_MS,
        realtime_fallback=row.realtime_fallback or DEFAULT_FALLBACK,
    )


async def integration(session: AsyncSession, integration_id: str) -> Integration:
    found = await session.get(Integration, integration_id)
    if found is None:  # deleted while deciding
        raise NotFound("integration")
    return found


async def list_decisions(
    session: AsyncSession, operator_id: int, charger_id: str, page: PageRequest
) -> tuple[list[Authorization], int]:
    """The charger's decisions, newest first."""
    owner = await session.scalar(select(Charger.operator_id).where(Charger.charger_id == charger_id))
    if owner != operator_id:
        raise NotFound("charger")
    query = (
        select(Authorization)
        .where(Authorization.charger_id == charger_id)
        .order_by(Authorization.decided_at.desc(), Authorization.id.desc())
    )
    return await paginate(session, query, page)
