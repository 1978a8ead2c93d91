"""The Commands module's objects in 2.2.1 and 2.1.1 ↔ the domain's `CommandRequest` (ocpi-notes §12.6, §14
"Commands").

2.2.1 sends CommandResponse {result, timeout, message} at once and CommandResult {result, message} to the
`response_url`; 2.1.1 has no `timeout` or `message`, no CANCEL_RESERVATION, no `connector_id` or
`authorization_reference`, an integer `reservation_id`, and its asynchronous answer is again a
CommandResponse, whose type knows TIMEOUT but none of the charger's reasons: those become REJECTED.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, StringConstraints

from evroam.charging.commands.records import CommandRequest, CommandType, Verdict
from evroam.ocpi.modules import V211
from evroam.ocpi.protocol.datetimes import OcpiDateTimeText
from evroam.ocpi.tokens.mapping import CiString36, Token211, Token221, kept

# URL: string(255) in OCPI; evroam takes up to 512, since hubs append ids of their own.
Url = Annotated[str, StringConstraints(min_length=1, max_length=512)]

COMMANDS_211: tuple[str, ...] = ("START_SESSION", "STOP_SESSION", "RESERVE_NOW", "UNLOCK_CONNECTOR")

# 2.1.1's asynchronous answer is a CommandResponseType: the charger's reasons are refusals there.
_RESULT_211 = {"ACCEPTED": "ACCEPTED", "CANCELED_RESERVATION": "ACCEPTED", "NOT_SUPPORTED": "NOT_SUPPORTED",
               "TIMEOUT": "TIMEOUT"}


class _Lenient(BaseModel):
    # Unknown fields are ignored: peers add their own, and the specification may grow.
    model_config = ConfigDict(extra="ignore")


class _Command(_Lenient):
    response_url: Url


class StartSession221(_Command):
    token: Token221
    location_id: CiString36
    evse_uid: CiString36 | None = None
    connector_id: CiString36 | None = None
    authorization_reference: CiString36 | None = None


class StartSession211(_Command):
    token: Token211
    location_id: CiString36
    evse_uid: CiString36 | None = None


class StopSession(_Command):
    session_id: CiString36


class ReserveNow221(_Command):
    token: Token221
    expiry_date: OcpiDateTimeText
    reservation_id: CiString36
    location_id: CiString36
    evse_uid: CiString36 | None = None
    authorization_reference: CiString36 | None = None


class ReserveNow211(_Command):
    token: Token211
    expiry_date: OcpiDateTimeText
    reservation_id: int
    location_id: CiString36
    evse_uid: CiString36 | None = None


class CancelReservation(_Command):
    reservation_id: CiString36


class UnlockConnector(_Command):
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36


_MODELS: dict[tuple[str, bool], type[_Command]] = {
    ("START_SESSION", False): StartSession221, ("START_SESSION", True): StartSession211,
    ("STOP_SESSION", False): StopSession, ("STOP_SESSION", True): StopSession,
    ("RESERVE_NOW", False): ReserveNow221, ("RESERVE_NOW", True): ReserveNow211,
    ("CANCEL_RESERVATION", False): CancelReservation,
    ("UNLOCK_CONNECTOR", False): UnlockConnector, ("UNLOCK_CONNECTOR", True): UnlockConnector,
}


def command_model(command: str, version: str) -> type[_Command] | None:
    """The body's model for the command in that version; None: the version has no such command."""
    return _MODELS.get((command, version == V211))


def request_of(command: CommandType, body: _Command, party: tuple[str, str]) -> CommandRequest:
    """The domain's request; a 2.1.1 token takes `party`, the one the partner registered."""
    fields = body.model_dump(exclude={"token"}, exclude_none=True)
    token = getattr(body, "token", None)
    if token is not None:
        fields["token"] = kept(token, party).document
    if "reservation_id" in fields:
        fields["reservation_id"] = str(fields["reservation_id"])
    return CommandRequest(type=command, **fields)


def command_response(verdict: Verdict, version: str, timeout: int) -> dict[str, Any]:
    if version == V211:
        # 2.1.1's CommandResponse is the result alone: no timeout, no message.
        return {"result": verdict.result}
    response: dict[str, Any] = {"result": verdict.result, "timeout": timeout}
    if verdict.message:
        response["message"] = [display_text(verdict.message)]
    return response


def result_body(result: str, message: str | None, version: str) -> str:
    """What is POSTed to the `response_url`: a CommandResult (2.2.1) or a CommandResponse (2.1.1)."""
    if version == V211:
        body: dict[str, Any] = {"result": _RESULT_211.get(result, "REJECTED")}
    else:
        body = {"result": result}
        if message:
            body["message"] = [display_text(message)]
    return orjson.dumps(body).decode()


def display_text(text: str) -> dict[str, str]:
    # DisplayText.text is string(512).
    return {"language": "en", "text": text[:512]}
