"""A partner's commands (and charging profile requests), from its request to the result it is sent, inside
the caller's transactions.

1. `accept`: the command is checked against what is published to that partner (its location, EVSE and
   connector; for STOP_SESSION, its session) and, when evroam can pass it on, kept PENDING for the charger
   side with a deadline. The answer is the CommandResponse: at once, never waiting on a charger.
   A START_SESSION (and a RESERVE_NOW) also records an allowed authorization decision for the token the
   eMSP vouches for, under the command's authorization reference: the session that follows is attributed
   through it like any other (auth method COMMAND), also when it starts after the command timed out.
2. `answer`: the charger side's result; `time_out_commands`: the deadline's TIMEOUT. Either settles the
   command once (`service.settle`) and, in the same transaction, queues the result for the partner's
   `response_url` in the outbox: the worker POSTs it, retrying while the partner fails, exactly once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.authorization.models import Authorization
from evroam.charging.commands import service
from evroam.charging.commands.models import ANSWERED, TIMED_OUT, Command
from evroam.charging.reservations import flows as reservations
from evroam.charging.reservations import service as reservation_service
from evroam.charging.reservations.models import ACTIVE, CANCELLED, Reservation
from evroam.charging.commands.records import (
    COMMAND_RESULTS,
    PROFILE_REQUEST_TYPES,
    PROFILE_RESULTS,
    TIMEOUT,
    CommandRequest,
    Verdict,
)
from evroam.delivery.outbox import enqueue_to_url
from evroam.errors import Conflict, Invalid
from evroam.integrations.models import Integration
from evroam.ocpi.chargingprofiles.mapping import result_body as profile_result_body
from evroam.ocpi.commands.mapping import result_body
from evroam.ocpi.commands.targets import Target, UnfitTarget, target
from evroam.ocpi.modules import CHARGINGPROFILES, COMMANDS, POST
from evroam.ocpi.protocol.client import Party
from evroam.outbound.policy import url_problem
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

# How many overdue commands one transaction of the time-out job settles.
TIMEOUT_BATCH = 200
# How often the periodic job looks for commands past their deadline.
TIMEOUT_CHECK_EVERY = 5.0


def new_command(
    runtime: Runtime, integration: Integration, requester: Party | None, request_type: str, version: str,
    response_url: str,
) -> Command:
    """A command (or profile request) as taken now, due back by the deadline the settings give."""
    now = datetime.now(UTC)
    return Command(
        id=str(uuid.uuid4()), operator_id=integration.operator_id, integration_id=integration.integration_id,
        type=request_type, ocpi_version=version, response_url=response_url,
        requester_country_code=requester.country_code if requester else None,
        requester_party_id=requester.party_id if requester else None,
        created_at=now, deadline=now + timedelta(seconds=runtime.settings.command_timeout),
    )


async def accept(
    session: AsyncSession, runtime: Runtime, integration: Integration, requester: Party | None, version: str,
    request: CommandRequest,
) -> Verdict:
    """The CommandResponse; a taken command is added to `session` (the caller commits). UnknownLocation
    propagates: OCPI answers it with its own status code."""
    problem = url_problem(request.response_url)
    if problem:
        return Verdict.rejected(f"response_url: {problem}")
    command = new_command(runtime, integration, requester, request.type, version, request.response_url)
    try:
        refusal = await _fill(session, integration, request, command, command.created_at)
    except UnfitTarget as exc:
        refusal = Verdict.rejected(str(exc))
    if refusal is not None:
        return refusal
    session.add(command)
    return Verdict("ACCEPTED", command_id=command.id)


async def _fill(
    session: AsyncSession, integration: Integration, request: CommandRequest, command: Command, now: datetime
) -> Verdict | None:
    """Completes the command from what the request names; a refusal when it names nothing evroam can act on."""
    if request.type == "STOP_SESSION":
        return await _stop(session, integration, request, command)
    if request.type == "CANCEL_RESERVATION":
        return await _cancel(session, integration, request, command)
    if request.evse_uid is None:
        return Verdict.rejected(f"evse_uid: is required, this CPO takes {request.type} for a named EVSE only")
    place = await target(session, integration.integration_id, request.location_id, request.evse_uid,
                         request.connector_id)
    _place(command, place)
    if request.type == "UNLOCK_CONNECTOR":
        return None
    if request.type == "RESERVE_NOW" and request.expiry_date <= now:
        return Verdict.rejected("expiry_date: is in the past")
    reference = request.authorization_reference or str(uuid.uuid4())
    if await service.reference_taken(session, reference):
        return Verdict.rejected(f"authorization_reference: {reference} is already used by another authorization")
    command.token, command.id_tag, command.authorization_reference = request.token, request.token["uid"], reference
    session.add(Authorization(
        authorization_reference=reference, operator_id=integration.operator_id, charger_id=place.charger_id,
        socket_id=place.socket_id, id_tag=request.token["uid"], allowed=True, status="ALLOWED", source="COMMAND",
        reason=f"The eMSP sent {request.type} for this token", integration_id=integration.integration_id,
        token=request.token, location_id=place.location_id, evse_uid=place.evse_uid, decided_at=now,
    ))
    if request.type == "RESERVE_NOW":
        reserved, held = await reservation_service.reserve(session, Reservation(
            operator_id=integration.operator_id, integration_id=integration.integration_id,
            partner_reservation_id=request.reservation_id, charger_id=place.charger_id, socket_id=place.socket_id,
            location_id=place.location_id, evse_uid=place.evse_uid, id_tag=request.token["uid"],
            expiry_date=request.expiry_date, status=ACTIVE, created_at=now, last_updated=now,
        ))
        command.reservation_id, command.expiry_date = reserved.id, request.expiry_date
        if held is not None:
            command.details = {"replaces": held}
    return None


def _place(command: Command, place: Target) -> None:
    command.location_id, command.evse_uid, command.connector_id = place.location_id, place.evse_uid, place.connector_id
    command.charger_id, command.socket_id = place.charger_id, place.socket_id


async def _stop(session: AsyncSession, integration: Integration, request: CommandRequest, command: Command) -> Verdict | None:
    return await take_session(session, integration.integration_id, request.session_id, command)


async def take_session(session: AsyncSession, integration_id: str, session_id: str, command: Command) -> Verdict | None:
    """Points the command at the partner's session under way; UNKNOWN_SESSION for one not its own, REJECTED
    for one that ended."""
    charging = await service.partner_session(session, integration_id, session_id)
    if charging is None:
        return Verdict("UNKNOWN_SESSION", f"session_id: no session {session_id} of yours is known here")
    if charging.status not in ("PENDING", "ACTIVE"):
        return Verdict.rejected(f"session_id: session {charging.id} is {charging.status}, it is no longer under way")
    command.session_id, command.charger_id, command.socket_id = charging.id, charging.charger_id, charging.socket_id
    command.transaction_id = charging.transaction_id
    return None


async def _cancel(session: AsyncSession, integration: Integration, request: CommandRequest, command: Command) -> Verdict | None:
    reserved = await reservation_service.reservation(session, integration.integration_id, request.reservation_id)
    if reserved is None or reserved.status != ACTIVE:
        return Verdict.rejected(f"reservation_id: no active reservation {request.reservation_id} of yours is known here")
    command.reservation_id, command.charger_id, command.socket_id = reserved.id, reserved.charger_id, reserved.socket_id
    command.location_id, command.evse_uid = reserved.location_id, reserved.evse_uid
    return None


async def answer(
    runtime: Runtime, session: AsyncSession, operator_id: int, command_id: str, result: str, message: str | None,
    active_profile: dict[str, Any] | None = None,
) -> Command:
    """The charger side's result, sent on to the partner once. The same result again changes nothing (a
    retry after a lost answer); another one, once the partner was told something, is a Conflict.
    `active_profile`: a GET_ACTIVE_CHARGING_PROFILE's answer (an OCPI ActiveChargingProfile)."""
    command = await service.get_command(session, operator_id, command_id)
    _check_answer(command, result, active_profile)
    now = datetime.now(UTC)
    if await service.settle(session, command.id, ANSWERED, result, message, now):
        if active_profile is not None:
            command.details = {**(command.details or {}), "active": active_profile}
        _queue_result(session, command, result, message)
        statuses = await _reservation_outcome(session, command, result, now)
        await session.commit()
        await session.refresh(command)
        for shown in statuses:
            # After the commit: the status goes through the events' own transaction.
            await reservations.show_status(runtime, *shown)
        return command
    await session.refresh(command)
    if command.status == ANSWERED and command.result == result:
        return command
    told = "TIMEOUT, at its deadline" if command.status == TIMED_OUT else f"{command.result}"
    raise Conflict("result", f"the partner was already sent {told} ({command.answered_at:%Y-%m-%dT%H:%M:%SZ}); "
                             "a command has one result")


def _check_answer(command: Command, result: str, active_profile: dict[str, Any] | None) -> None:
    allowed = PROFILE_RESULTS if command.type in PROFILE_REQUEST_TYPES else COMMAND_RESULTS
    if result not in allowed:
        raise Invalid("result", f"a {command.type} is answered with one of {', '.join(allowed)}")
    if active_profile is not None and command.type != "GET_ACTIVE_CHARGING_PROFILE":
        raise Invalid("activeChargingProfile", f"answers a GET_ACTIVE_CHARGING_PROFILE only, not a {command.type}")
    if active_profile is None and command.type == "GET_ACTIVE_CHARGING_PROFILE" and result == "ACCEPTED":
        # An ActiveChargingProfileResult ACCEPTED carries the profile: the eMSP asked for nothing else.
        raise Invalid("activeChargingProfile", "is required to answer a GET_ACTIVE_CHARGING_PROFILE ACCEPTED")


async def _reservation_outcome(
    session: AsyncSession, command: Command, result: str, now: datetime
) -> list[tuple[Reservation, str, str, tuple[str, int] | None]]:
    """What the charger's answer does to the reservation, and the socket statuses it shows: (reservation,
    status, why, the socket when not the reservation's own)."""
    if command.type not in ("RESERVE_NOW", "CANCEL_RESERVATION") or command.reservation_id is None:
        return []
    reserved = await session.get(Reservation, command.reservation_id)
    if reserved is None:
        return []
    if command.type == "CANCEL_RESERVATION":
        if result not in ("ACCEPTED", "CANCELED_RESERVATION"):
            return []
        reserved.status, reserved.last_updated = CANCELLED, now
        return [(reserved, reservations.FREE, "cancelled", None)]
    held = (command.details or {}).get("replaces")
    if result != "ACCEPTED":
        if held is None:
            reserved.status, reserved.last_updated = CANCELLED, now  # the charger would not hold it
        else:
            reservation_service.restore(reserved, held, now)  # the charger keeps the reservation it had
        return []
    statuses = [(reserved, reservations.RESERVED, "reserved", None)]
    left = (held["charger_id"], held["socket_id"]) if held is not None else None
    if left is not None and left != (reserved.charger_id, reserved.socket_id):
        statuses.append((reserved, reservations.FREE, "moved", left))  # the replacement holds another socket
    return statuses


async def time_out_commands(runtime: Runtime, now: datetime | None = None) -> int:
    """Tells the partners TIMEOUT for every PENDING command past its deadline; how many."""
    now = now or datetime.now(UTC)
    settled = 0
    while True:
        async with runtime.sessions() as session:
            overdue = await service.overdue(session, now, TIMEOUT_BATCH)
            for command_id in overdue:
                if await service.settle(session, command_id, TIMED_OUT, TIMEOUT, None, now):
                    _queue_result(session, await session.get_one(Command, command_id), TIMEOUT, None)
                    settled += 1
            await session.commit()
        if len(overdue) < TIMEOUT_BATCH:
            return settled


def addressee(command: Command) -> str | None:
    """The party that asked, as "NL/EMS", whom what it is sent is addressed to (None: the integration's own)."""
    if command.requester_country_code and command.requester_party_id:
        return f"{command.requester_country_code}/{command.requester_party_id}"
    return None


def _queue_result(session: AsyncSession, command: Command, result: str, message: str | None) -> None:
    if command.type in PROFILE_REQUEST_TYPES:
        module, body = CHARGINGPROFILES, profile_result_body(command.type, result, command.details)
    else:
        module, body = COMMANDS, result_body(result, message, command.ocpi_version)
    enqueue_to_url(session, command.integration_id, module, command.id, POST, command.response_url, addressee(command),
                   body)
    log.info("%s %s settled %s; its result is queued for %s", command.type, command.id, result,
             command.integration_id)
