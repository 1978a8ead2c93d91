"""Rebuilding a charging session from its events, inside the caller's transaction.

1. The session row of the (charger, transaction) is created PENDING or locked (service.locked_session).
2. Attribution: the allowed authorization decision the session started on (its authorizationReference,
   else the latest for its idTag at its socket) names the integration, the partner's token, AuthMethod
   (AUTH_REQUEST when the eMSP decided in real time, COMMAND when it sent a START_SESSION, WHITELIST
   otherwise) and where the socket is
   published. Without one, the charger let the driver charge on its own (free vending): the session is
   reported only to an integration with `freeVendingWithIdtagAllowed` that stores a token with that idTag
   (emabler-reference), as WHITELIST.
3. The tariff: the one that applied at the start is kept on the session once found: the connector's
   first tariff_id in the location document published to that integration, and that tariff's published
   document (the publication ledger holds both, in the partner's version; the engine reads either).
4. A session begun on the partner's reservation (SessionStarted `reservationId`) starts with the
   reservation's time, from its booking.
5. The builder makes the state (periods, kWh, cost), ocpi/sessions/document.py the 2.2.1 Session
   document, and the service stores both and announces the change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.authorization import decision as whitelist
from evroam.charging.authorization import service as authorization_service
from evroam.charging.cdrs.service import create_cdr
from evroam.charging.reservations import service as reservation_service
from evroam.charging.sessions import builder, scheduled, service
from evroam.charging.sessions.models import ChargingSession
from evroam.database.base import utcnow
from evroam.errors import Invalid, NotFound
from evroam.integrations.models import Integration
from evroam.network.chargers.models import Charger
from evroam.network.operators.models import Operator
from evroam.network.sites.models import Site
from evroam.ocpi.locations.mapping import socket_evse
from evroam.ocpi.modules import LOCATIONS, TARIFFS, V211
from evroam.ocpi.sessions.document import Attribution, session_document
from evroam.publication.ledger import negotiated_version, published_document
from evroam.publication.tariff_snapshot import tariff_221
from evroam.runtime import Runtime
from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.tariff_cache import tariff_plan

# The currency of a session no tariff prices (OCPI requires one): the euro, the currency of the
# platform's markets.
DEFAULT_CURRENCY = "EUR"
# How often the periodic job looks for PENDING sessions whose start never came (scheduled.PENDING_TIMEOUT).
TIMEOUT_CHECK_EVERY = 60.0

log = logging.getLogger(__name__)

# OCPI AuthMethod by the decision's source: the eMSP decided in real time, or sent a command for the token;
# otherwise its whitelisted token did.
_AUTH_METHODS = {"REAL_TIME": "AUTH_REQUEST", "COMMAND": "COMMAND"}


@dataclass(frozen=True, slots=True)
class _Claim:
    integration: Integration
    token: dict[str, Any]
    auth_method: str
    location_id: str


async def rebuild(session: AsyncSession, charger: Charger, transaction_id: str, first_seen: datetime) -> bool:
    """Rebuilds the session from all its stored events; True if it changed (and was announced)."""
    charging = await service.locked_session(session, charger, transaction_id, first_seen)
    return await _rebuild(session, charger, charging, charging.timed_out)


async def _rebuild(session: AsyncSession, charger: Charger, charging: ChargingSession, timed_out: bool) -> bool:
    events = await service.session_events(session, charging)
    if not events:
        return False
    opened = builder.opening(events)
    claim = None if opened is None else await _claim(session, charger, opened)
    if claim is None:
        state = builder.build(events, builder.Settings(), timed_out=timed_out)
        return await service.save(session, charging, state, service.Attributed(), timed_out, utcnow())
    site = await session.get(Site, charger.site_id)
    tariff_id, tariff = await _tariff(session, charging, claim, charger, opened.socket_id)
    pricing = _pricing(tariff, site.timezone if site else "UTC")
    state = builder.build(events, service.settings_of(claim.integration), pricing, timed_out=timed_out,
                          reserved_since=await _reserved_since(session, charger, claim, opened))
    operator = await session.get(Operator, charger.operator_id)
    evse_uid, connector_id = socket_evse(charger.charger_id, opened.socket_id, charger.split_evse_by_socket)
    currency = pricing.tariff.currency if pricing else DEFAULT_CURRENCY
    attribution = Attribution(
        operator.country_code.upper(), operator.party_id.upper(), claim.token, claim.auth_method,  # type: ignore[union-attr]
        claim.location_id, evse_uid, connector_id, currency, tariff_id,
    )
    now = utcnow()
    attributed = service.Attributed(
        claim.integration.integration_id, claim.auth_method, tariff_id, tariff, currency,
        session_document(charging.id, state, attribution, now),
    )
    changed = await service.save(session, charging, state, attributed, timed_out, now)
    if changed and state.status == "COMPLETED":
        await _issue_cdr(session, charger, claim, attributed, now)
    return changed


async def _issue_cdr(
    session: AsyncSession, charger: Charger, claim: _Claim, attributed: service.Attributed, now: datetime
) -> None:
    """The CDR of the session that just completed, in its transaction (charging-notes: sent at the end of
    the session). One that cannot be built is logged and the session kept: the charger's events are
    taken whatever the CDR makes of them, and the operator sees a completed session without its CDR."""
    integration_id = claim.integration.integration_id
    location = await published_document(session, integration_id, LOCATIONS, claim.location_id)
    if location is None:
        log.warning("No CDR for session %s: location %s is not published to integration %s",
                    attributed.document["id"], claim.location_id, integration_id)  # fmt: skip
        return
    try:
        await create_cdr(
            session, operator_id=charger.operator_id, integration_id=integration_id, charger_id=charger.charger_id,
            session_document=attributed.document, tariff=attributed.tariff, location=orjson.loads(location), now=now,
        )
    except Invalid as error:
        log.warning("No CDR for session %s: %s", attributed.document["id"], error)


async def _reserved_since(
    session: AsyncSession, charger: Charger, claim: _Claim, opened: builder.Started
) -> datetime | None:
    """When the reservation the session began on was booked, if it is the billed partner's (its reservation
    time is then part of the session, ocpi-notes §13). Not for a 2.1.1 partner: its CDRs have no
    RESERVATION_TIME, its tariffs no reservation restriction, so it is billed nothing for it."""
    if opened.reservation_id is None or negotiated_version(claim.integration) == V211:
        return None
    reserved = await reservation_service.used_reservation(session, charger.charger_id, opened.reservation_id)
    if reserved is None or reserved.integration_id != claim.integration.integration_id:
        return None
    return reserved.created_at


async def _claim(session: AsyncSession, charger: Charger, opened: builder.Started) -> _Claim | None:
    decided = await service.decision_for(
        session, charger.charger_id, opened.socket_id, opened.id_tag, opened.authorization_reference, opened.time
    )
    if decided is not None and decided.allowed and decided.integration_id is not None and decided.token \
            and decided.location_id:
        found = await service.integration(session, decided.integration_id)
        if found is not None:
            method = _AUTH_METHODS.get(decided.source, "WHITELIST")
            return _Claim(found, decided.token, method, decided.location_id)
    if decided is not None:
        return None  # refused, or allowed for nobody's token: nobody is billed
    return await _free_vending_claim(session, charger, opened)


async def _free_vending_claim(session: AsyncSession, charger: Charger, opened: builder.Started) -> _Claim | None:
    try:
        found = await authorization_service.find(
            session, charger.operator_id, charger.charger_id, opened.socket_id, opened.id_tag.upper()
        )
    except NotFound:  # the socket is gone: nothing to attribute it by
        return None
    integrations = {}
    for publication in found.publications:
        candidate = await service.integration(session, publication.integration_id)
        if candidate is not None and candidate.free_vending_with_idtag_allowed:
            integrations.setdefault(publication.integration_id, (candidate, publication.location_id))
    token = whitelist.pick(token for token in found.tokens if token.valid and token.integration_id in integrations)
    if token is None:
        return None
    integration, location_id = integrations[token.integration_id]
    return _Claim(integration, token.document, "WHITELIST", location_id)


async def _tariff(
    session: AsyncSession, charging: ChargingSession, claim: _Claim, charger: Charger, socket_id: int
) -> tuple[str | None, dict[str, Any] | None]:
    """The tariff kept on the session, or the one now published for its connector to that integration."""
    integration_id = claim.integration.integration_id
    if charging.integration_id == integration_id and charging.tariff is not None:
        return charging.tariff_id, charging.tariff
    location = await published_document(session, integration_id, LOCATIONS, claim.location_id)
    if location is None:
        return None, None
    evse_uid, connector_id = socket_evse(charger.charger_id, socket_id, charger.split_evse_by_socket)
    tariff_ids = _connector_tariff_ids(orjson.loads(location), evse_uid, connector_id)
    if not tariff_ids:
        return None, None
    published = await published_document(session, integration_id, TARIFFS, tariff_ids[0])
    if published is None:
        return None, None
    document = orjson.loads(published)
    if negotiated_version(claim.integration) == V211:
        # The session and its CDR speak 2.2.1 (their 2.1.1 shapes are made from it): the tariff too.
        document = await session.run_sync(tariff_221, tariff_ids[0], document)
    return tariff_ids[0], document


def _connector_tariff_ids(location: dict[str, Any], evse_uid: str, connector_id: str) -> list[str]:
    for evse in location.get("evses") or []:
        if evse.get("uid") == evse_uid:
            for connector in evse.get("connectors") or []:
                if connector.get("id") == connector_id:
                    # 2.2.1 lists tariff_ids; 2.1.1 has one tariff_id.
                    return connector.get("tariff_ids") or ([connector["tariff_id"]] if connector.get("tariff_id") else [])
    return []


def _pricing(tariff: dict[str, Any] | None, time_zone: str) -> builder.Pricing | None:
    if tariff is None:
        return None
    try:
        return builder.Pricing(tariff_plan(tariff).tariff, time_zone)
    except PricingInputError:  # a published tariff the engine cannot read: the session goes unpriced
        return None


async def time_out_pending(runtime: Runtime, now: datetime | None = None) -> int:
    """Turns the PENDING sessions older than the timeout INVALID (announced, so partners hear of it)."""
    moment = now or utcnow()
    timed_out = 0
    async with runtime.sessions() as session:
        keys = await scheduled.expired_pending(session, moment)
    for charger_id, transaction_id in keys:
        async with runtime.sessions() as session:
            charger = await session.get(Charger, charger_id)
            charging = await service.locked_session(session, charger, transaction_id, moment)  # type: ignore[arg-type]
            if charging.status == "PENDING":
                timed_out += await _rebuild(session, charger, charging, True)  # type: ignore[arg-type]
            await session.commit()
    return timed_out
