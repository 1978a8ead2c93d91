"""HTTP for /api/v2/cpo/commands: the charger side (a CSMS) takes partners' commands and answers them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from evroam.api.deps import OperatorId, RuntimeDep, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Page
from evroam.charging.commands import flows, service
from evroam.charging.commands.records import RequestType
from evroam.charging.commands.schemas import CommandOut, CommandResultIn, CommandStatus
from evroam.network.chargers.schemas import CHARGER_ID_PATTERN

router = APIRouter(prefix="/commands", tags=["commands"])
CommandId = Annotated[str, Path(alias="commandId", max_length=36)]


@router.get("", response_model=Page[CommandOut])
async def list_commands(
    session: SessionDep,
    operator_id: OperatorId,
    page: PageParams,
    status: Annotated[CommandStatus | None, Query()] = None,
    charger_id: Annotated[str | None, Query(alias="chargerId", pattern=CHARGER_ID_PATTERN)] = None,
    integration_id: Annotated[str | None, Query(alias="integrationId", max_length=36)] = None,
    command_type: Annotated[RequestType | None, Query(alias="type")] = None,
) -> dict:
    """Partners' commands for the operator's chargers, oldest first: `status=PENDING&chargerId=…` is what a
    charger is yet to be told."""
    filters = service.Filters(status, charger_id, integration_id, command_type)
    found, total = await service.list_commands(session, operator_id, filters, page)
    return page_envelope(page, [CommandOut.of(item) for item in found], total)


@router.get("/{commandId}", response_model=CommandOut)
async def get_command(command_id: CommandId, session: SessionDep, operator_id: OperatorId) -> CommandOut:
    """One command, with its state and timing: why a driver's remote start failed."""
    return CommandOut.of(await service.get_command(session, operator_id, command_id))


@router.post("/{commandId}/result", response_model=CommandOut,
             responses={404: {"description": "No such command of this operator"},
                        409: {"description": "The partner was already sent another result (or TIMEOUT)"}})
async def post_result(command_id: CommandId, body: CommandResultIn, session: SessionDep, runtime: RuntimeDep,
                      operator_id: OperatorId) -> CommandOut:
    """The charger's answer to a command: sent on to the partner's `response_url`, once. Posting the same
    result again changes nothing."""
    active = body.active_charging_profile.ocpi() if body.active_charging_profile is not None else None
    return CommandOut.of(await flows.answer(runtime, session, operator_id, command_id, body.result, body.message,
                                            active))
