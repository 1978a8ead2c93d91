"""The authorization decision at the operator's charger (issue #11, ocpi-notes §12.5).

1. One query finds the socket, the integrations its charger is published to and the stored tokens of
   those integrations carrying the idTag (service.find), outside any transaction (one statement reads a
   consistent snapshot on its own: no BEGIN and ROLLBACK round trips); the connection goes back to the
   pool before any partner is asked.
2. The deciding token (decision.pick) decides locally (ALWAYS, ALLOWED) or its eMSP is asked in real time
   (ALLOWED_OFFLINE, NEVER), with the integration's timeout and fallback. An idTag no published
   integration knows is asked only of the hubs among them (never broadcast to every eMSP, ocpi/ocpi #571).
3. The decision is recorded (recorder: group commit) with its authorization_reference, the token and the
   location and EVSE it was for, which the sessions carry into the Session and the CDR (AuthMethod
   AUTH_REQUEST for a real-time decision, WHITELIST for a local one).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from evroam.charging.authorization import decision, service
from evroam.charging.authorization.decision import StoredToken, Verdict
from evroam.charging.authorization.recorder import decision_log, new_reference
from evroam.charging.authorization.schemas import AuthorizeRequest
from evroam.charging.authorization.service import Publication
from evroam.errors import NotFound
from evroam.ocpi.fitting import Fitting
from evroam.ocpi.locations.mapping import socket_evse, withheld
from evroam.ocpi.modules import V221, implementation_of
from evroam.ocpi.tokens import realtime
from evroam.ocpi.tokens.realtime import Answer, CouldNotAsk, Place
from evroam.runtime import Runtime


@dataclass(frozen=True, slots=True)
class _Published:
    publication: Publication
    place: Place


async def authorize(runtime: Runtime, operator_id: int, request: AuthorizeRequest) -> dict[str, Any]:
    """The decision as recorded (Authorization's columns)."""
    # Nothing is held while a partner is asked, nor while the decision is queued.
    async with runtime.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        found = await service.find(connection, operator_id, request.charger_id, request.socket_id,
                                   request.id_tag.upper())
    published = _published(found.publications, request, found.split_evse_by_socket)
    token = decision.pick(token for token in found.tokens if token.integration_id in published)
    if token is None:
        verdict = await _ask_hubs(runtime, published, request.id_tag)
    elif decision.asks_in_real_time(token):
        verdict = await _ask_emsp(runtime, token, published[token.integration_id])
    else:
        verdict = decision.from_stored(token)
    return await _record(runtime, operator_id, request, verdict, published)


def _published(
    publications: list[Publication], request: AuthorizeRequest, split_evse_by_socket: bool
) -> dict[str, _Published]:
    """Per integration, where the socket is published to it: its first location (by id) that shows it.

    A location held back from the partner's version (`publish: false` towards 2.1.1) is not published.
    """
    evse_uid, connector_id = socket_evse(request.charger_id, request.socket_id, split_evse_by_socket)
    found: dict[str, _Published] = {}
    for publication in publications:
        version = implementation_of(publication.ocpi_version) or V221
        if publication.integration_id in found or withheld(version, publication.publish, Fitting(version)):
            continue
        found[publication.integration_id] = _Published(
            publication, Place(publication.location_id, evse_uid, connector_id)
        )
    return found


async def _ask_emsp(runtime: Runtime, token: StoredToken, published: _Published) -> Verdict:
    policy = published.publication
    try:
        answer = await _ask(runtime, policy, token.uid, token.type, published.place)
    except CouldNotAsk as exc:
        return decision.fallback(token, policy.realtime_fallback, token.integration_id, exc.reason)
    if isinstance(answer, Answer):
        return decision.from_answer(
            token.integration_id, answer.allowed, answer.token or token.document, answer.authorization_reference,
            answer.info,
        )
    reason = f"The eMSP does not know the {token.named} (asked in real time, whitelist {token.whitelist})."
    return decision.unknown(reason, "REAL_TIME", token.integration_id)


async def _ask_hubs(runtime: Runtime, published: dict[str, _Published], id_tag: str) -> Verdict:
    """Every hub the charger is published to, at once; the first (by integration id) that knows decides."""
    hubs = [item for integration_id, item in sorted(published.items()) if item.publication.hub]
    if not hubs:
        return decision.unknown(
            "No integration the charger is published to knows the idTag, and none is a hub to ask in real time."
        )
    answers = await asyncio.gather(
        *(_ask(runtime, hub.publication, id_tag, "RFID", hub.place) for hub in hubs), return_exceptions=True
    )
    for hub, answer in zip(hubs, answers, strict=True):
        if isinstance(answer, Answer):
            return decision.from_answer(
                hub.publication.integration_id, answer.allowed, answer.token, answer.authorization_reference,
                answer.info,
            )
    for hub, answer in zip(hubs, answers, strict=True):
        if isinstance(answer, BaseException):
            if not isinstance(answer, CouldNotAsk):
                raise answer
            return decision.fallback(None, hub.publication.realtime_fallback, hub.publication.integration_id,
                                     answer.reason)
    return decision.unknown("No integration knows the idTag, and no hub asked in real time knows it.", "REAL_TIME")


async def _ask(runtime: Runtime, publication: Publication, uid: str, token_type: str, place: Place):
    async with runtime.sessions() as session:
        integration = await service.integration(session, publication.integration_id)
    return await realtime.authorize(runtime, integration, uid, token_type, place, publication.realtime_timeout_ms)


async def _record(
    runtime: Runtime, operator_id: int, request: AuthorizeRequest, verdict: Verdict, published: dict[str, _Published]
) -> dict[str, Any]:
    where = published.get(verdict.integration_id or "")
    row = {
        "authorization_reference": verdict.authorization_reference or new_reference(),
        "operator_id": operator_id,
        "charger_id": request.charger_id,
        "socket_id": request.socket_id,
        "id_tag": request.id_tag,
        "allowed": verdict.allowed,
        "status": verdict.status,
        "source": verdict.source,
        "reason": verdict.reason,
        "integration_id": verdict.integration_id,
        "token": verdict.token,
        "location_id": where.place.location_id if where else None,
        "evse_uid": where.place.evse_uid if where else None,
        "decided_at": datetime.now(UTC),
    }
    try:
        return await decision_log(runtime.engine).record(row, verdict.authorization_reference is not None)
    except IntegrityError:  # the charger was deleted while deciding
        raise NotFound("charger") from None
