"""Shapes of /commands: a partner's command (or charging profile request) as the charger side takes it, and
the result it posts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from evroam.api.schemas import CamelModel, RequestModel
from evroam.charging.charging_profiles.schemas import ActiveChargingProfileIn
from evroam.charging.commands.records import RequestType, ResultType

CommandStatus = Literal["PENDING", "ANSWERED", "TIMED_OUT"]


class CommandOut(CamelModel):
    command_id: Annotated[str, Field(description="evroam's id of the command (a SessionStarted event may name it)")]
    type: RequestType
    status: Annotated[CommandStatus, Field(description="PENDING until the charger side answers or the deadline passes")]
    integration_id: str
    ocpi_version: str
    charger_id: str
    socket_id: int | None
    location_id: str | None
    evse_uid: str | None
    connector_id: str | None
    id_tag: Annotated[str | None, Field(description="START_SESSION and RESERVE_NOW: the token uid to use")]
    token: Annotated[dict[str, Any] | None, Field(description="START_SESSION and RESERVE_NOW: the eMSP's token")]
    authorization_reference: str | None
    session_id: Annotated[str | None, Field(description="STOP_SESSION and profile requests: the OCPI Session")]
    transaction_id: Annotated[str | None, Field(description="STOP_SESSION and profile requests: the charger's "
                                                            "transaction")]
    details: Annotated[dict[str, Any] | None, Field(description="Profile requests: `charging_profile` to set (OCPI "
                                                                "ChargingProfile), `duration` asked for, `active` "
                                                                "answered; a RESERVE_NOW replacing a reservation: "
                                                                "`replaces`, what that one held")]
    reservation_id: Annotated[int | None, Field(description="RESERVE_NOW and CANCEL_RESERVATION: the charger's "
                                                            "reservationId (evroam's, never the eMSP's)")]
    expiry_date: datetime | None
    created_at: datetime
    deadline: Annotated[datetime, Field(description="When the partner is told TIMEOUT if nobody answered")]
    answered_at: datetime | None
    result: Annotated[str | None, Field(description="The OCPI CommandResultType the partner is sent")]
    message: str | None

    @classmethod
    def of(cls, row: Any) -> CommandOut:
        values = {name: getattr(row, name) for name in cls.model_fields if name != "command_id"}
        return cls(command_id=row.id, **values)


class CommandResultIn(RequestModel):
    result: Annotated[ResultType, Field(description="The charger's answer: OCPI's CommandResultType for a command "
                                                    "(TIMEOUT is evroam's to send, at the deadline), "
                                                    "ChargingProfileResultType for a profile request")]
    message: Annotated[str | None, Field(max_length=512, description="Why, in words the eMSP may show")] = None
    active_charging_profile: Annotated[ActiveChargingProfileIn | None,
                                       Field(description="GET_ACTIVE_CHARGING_PROFILE answered ACCEPTED: the profile")] = None
