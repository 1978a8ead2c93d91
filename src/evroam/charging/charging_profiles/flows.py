"""Charging profiles: a partner's requests for the profile of its session under way, and the active profile
the charger side reports.

A request (set, get the active one, clear) is a command of its own kind (`charging/commands`): kept
PENDING for the charger side, answered or timed out once, its result POSTed to the `response_url`.
When the charger side reports that a session's active profile changed, the partner that set a profile
on that session (and only one that did, ocpi-notes §12.7) is sent the ActiveChargingProfile, PUT to its
chargingprofiles endpoint at `/{session_id}`.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.commands import flows as commands
from evroam.charging.commands.models import ANSWERED, Command
from evroam.charging.commands.records import Verdict
from evroam.charging.sessions.models import ChargingSession
from evroam.delivery.outbox import enqueue_to_url, receiver_url
from evroam.errors import NotFound
from evroam.integrations.models import Integration
from evroam.ocpi.modules import CHARGINGPROFILES, PUT
from evroam.ocpi.protocol.client import Party
from evroam.outbound.policy import url_problem
from evroam.runtime import Runtime


async def accept(
    session: AsyncSession, runtime: Runtime, integration: Integration, requester: Party | None, request_type: str,
    version: str, session_id: str, response_url: str, details: dict[str, Any] | None,
) -> Verdict:
    """The ChargingProfileResponse; a taken request is added to `session` (the caller commits)."""
    problem = url_problem(response_url)
    if problem:
        return Verdict.rejected(f"response_url: {problem}")
    command = commands.new_command(runtime, integration, requester, request_type, version, response_url)
    refusal = await commands.take_session(session, integration.integration_id, session_id, command)
    if refusal is not None:
        return refusal
    command.details = details
    session.add(command)
    return Verdict("ACCEPTED", command_id=command.id)


async def report_active_profile(
    session: AsyncSession, operator_id: int, session_id: str, active: dict[str, Any]
) -> tuple[ChargingSession, bool, str]:
    """Sends the session's new ActiveChargingProfile to the partner that set a profile on it; (the session,
    whether it is sent, why or why not)."""
    charging = await session.get(ChargingSession, session_id)
    if charging is None or charging.operator_id != operator_id:
        raise NotFound("session")
    if charging.integration_id is None:
        return charging, False, "the session is no partner's"
    # The latest profile set: its requester (a hub's eMSP may not be the integration's own party) is the
    # party the routing headers address.
    set_last = await session.scalar(
        select(Command)
        .where(Command.session_id == charging.id, Command.integration_id == charging.integration_id,
               Command.type == "SET_CHARGING_PROFILE", Command.status == ANSWERED, Command.result == "ACCEPTED")
        .order_by(Command.answered_at.desc()).limit(1)
    )
    if set_last is None:
        return charging, False, "the partner never set a charging profile on this session"
    integration = await session.get_one(Integration, charging.integration_id)
    endpoint = receiver_url(integration.version_details, CHARGINGPROFILES)
    if endpoint is None:
        return charging, False, "the partner's version details list no chargingprofiles endpoint"
    enqueue_to_url(session, integration.integration_id, CHARGINGPROFILES, charging.id, PUT,
                   f"{endpoint}/{charging.id}", commands.addressee(set_last), orjson.dumps(active).decode())
    await session.commit()
    return charging, True, f"PUT to {endpoint}/{charging.id}"
