"""A partner's command as the domain takes it, whichever OCPI version it came in (`ocpi/commands/mapping.py`
makes it), and the immediate answer the partner gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

CommandType = Literal["START_SESSION", "STOP_SESSION", "RESERVE_NOW", "CANCEL_RESERVATION", "UNLOCK_CONNECTOR"]
COMMAND_TYPES: tuple[str, ...] = CommandType.__args__  # type: ignore[attr-defined]
# A ChargingProfiles request (PUT, GET and DELETE of the session's profile) goes the same way as a command:
# queued for the charger side, answered or timed out, its result POSTed to the partner's response_url.
ProfileRequestType = Literal["SET_CHARGING_PROFILE", "GET_ACTIVE_CHARGING_PROFILE", "CLEAR_PROFILE"]
PROFILE_REQUEST_TYPES: tuple[str, ...] = ProfileRequestType.__args__  # type: ignore[attr-defined]
RequestType = Literal[CommandType, ProfileRequestType]
# What the charger side may answer a command (OCPI CommandResultType without TIMEOUT, which only the
# deadline gives) and a profile request (ChargingProfileResultType).
ResultType = Literal["ACCEPTED", "CANCELED_RESERVATION", "EVSE_OCCUPIED", "EVSE_INOPERATIVE", "FAILED",
                     "NOT_SUPPORTED", "REJECTED", "UNKNOWN_RESERVATION", "UNKNOWN"]
PROFILE_RESULTS: tuple[str, ...] = ("ACCEPTED", "REJECTED", "UNKNOWN")
COMMAND_RESULTS: tuple[str, ...] = tuple(name for name in ResultType.__args__ if name != "UNKNOWN")  # type: ignore[attr-defined]
TIMEOUT = "TIMEOUT"
# OCPI CommandResponseType and ChargingProfileResponseType: whether evroam takes the request, not what the
# charger does.
ResponseType = Literal["ACCEPTED", "REJECTED", "UNKNOWN_SESSION", "NOT_SUPPORTED"]


@dataclass(frozen=True, slots=True)
class CommandRequest:
    type: CommandType
    response_url: str
    location_id: str | None = None
    evse_uid: str | None = None
    connector_id: str | None = None
    # The driver's token as evroam keeps tokens (2.2.1 shape), for START_SESSION and RESERVE_NOW.
    token: dict[str, Any] | None = None
    authorization_reference: str | None = None
    session_id: str | None = None
    # The eMSP's reservation id (a 2.1.1 integer as text).
    reservation_id: str | None = None
    expiry_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The CommandResponse: `command_id` when the command was taken and waits for the charger side."""

    result: ResponseType
    message: str | None = None
    command_id: str | None = None

    @classmethod
    def rejected(cls, message: str) -> Verdict:
        return cls("REJECTED", message)
