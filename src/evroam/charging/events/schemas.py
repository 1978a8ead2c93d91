"""Shapes of POST /chargers/{chargerId}/events: a batch of what the charger reported, and the per-event
answer.

Field names and status values are the OCPP 1.6 ones a CSMS already has (`transactionId` as a string).
Energy is the meter register in Wh, as a JSON number or a decimal string (exact either way).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag

from evroam.api.schemas import CamelModel, Instant, JsonNumber, RequestModel
from evroam.network.chargers.schemas import MAX_INT, SocketNumber
from evroam.network.enums import SocketStatus

MAX_EVENTS = 1000  # a charger offline for a day, sampled every two minutes

EventId = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,64}$")]
TransactionId = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,64}$")]
IdTag = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,36}$")]
Reference = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,36}$")]
WattHours = Annotated[JsonNumber, Field(ge=0, max_digits=16, decimal_places=6, description="Wh, the meter register")]
Watts = Annotated[JsonNumber, Field(ge=0, max_digits=12, decimal_places=3, description="W, the power being delivered")]
Amperes = Annotated[JsonNumber, Field(ge=0, max_digits=10, decimal_places=3, description="A, summed over phases")]
Percent = Annotated[JsonNumber, Field(ge=0, le=100, max_digits=6, decimal_places=3, description="% of the battery")]
# OCPP 1.6 ChargePointErrorCode values.
ErrorCode = Literal[
    "ConnectorLockFailure", "EVCommunicationError", "GroundFailure", "HighTemperature", "InternalError",
    "LocalListConflict", "NoError", "OtherError", "OverCurrentFailure", "OverVoltage", "PowerMeterFailure",
    "PowerSwitchFailure", "ReaderFailure", "ResetFailure", "UnderVoltage", "WeakSignal",
]
# OCPP 1.6 StopTransaction reasons.
StopReason = Literal[
    "DeAuthorized", "EmergencyStop", "EVDisconnected", "HardReset", "Local", "Other", "PowerLoss", "Reboot",
    "Remote", "SoftReset", "UnlockCommand",
]


class _Event(RequestModel):
    event_id: Annotated[EventId, Field(description="Unique per charger: a repeated id is a duplicate")]
    time: Annotated[Instant, Field(description="When it happened at the charger (RFC 3339 with offset)")]


class StatusChanged(_Event):
    type: Literal["StatusChanged"]
    socket_id: SocketNumber
    status: SocketStatus
    error_code: ErrorCode = "NoError"


class SessionStarted(_Event):
    type: Literal["SessionStarted"]
    socket_id: SocketNumber
    transaction_id: TransactionId
    id_tag: IdTag
    meter_start_wh: WattHours
    reservation_id: Annotated[int, Field(ge=0, le=MAX_INT)] | None = None
    authorization_reference: Reference | None = None
    command_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class MeterValues(_Event):
    type: Literal["MeterValues"]
    transaction_id: TransactionId
    energy_wh: WattHours
    power_w: Watts | None = None
    current_a: Amperes | None = None
    state_of_charge: Percent | None = None


class SessionStopped(_Event):
    type: Literal["SessionStopped"]
    transaction_id: TransactionId
    meter_stop_wh: WattHours
    reason: StopReason = "Local"


def _event_type(value: Any) -> Any:
    return value.get("type") if isinstance(value, dict) else getattr(value, "type", None)


# Chosen by `type` with a callable: RequestModel's number check runs before every field, which a plain
# discriminator field does not allow.
ChargerEventIn = Annotated[
    Annotated[StatusChanged, Tag("StatusChanged")]
    | Annotated[SessionStarted, Tag("SessionStarted")]
    | Annotated[MeterValues, Tag("MeterValues")]
    | Annotated[SessionStopped, Tag("SessionStopped")],
    Discriminator(_event_type, custom_error_type="event_type",
                  custom_error_message="type must be StatusChanged, SessionStarted, MeterValues or SessionStopped"),
]


class EventBatch(RequestModel):
    events: Annotated[list[ChargerEventIn], Field(min_length=1, max_length=MAX_EVENTS)]


class EventResult(CamelModel):
    event_id: str
    result: Literal["accepted", "duplicate"]


class EventResults(CamelModel):
    results: list[EventResult]
