"""Request and response shapes of /chargers; sockets travel inside the charger body.

Field names match the table columns, so a body's `model_dump()` is the row's values; the two socket
fields the platform spells differently from the columns (`id`, `socketPowerType`) carry an alias.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StringConstraints, WithJsonSchema

from evroam.api.schemas import CamelModel, JsonNumber, Omittable, RequestModel
from evroam.network.enums import Capability, ConnectorFormat, ConnectorStandard, PowerType, SocketStatus

CHARGER_ID_PATTERN = r"^[A-Za-z0-9_.*-]{1,64}$"
# eMI3 EVSE id: country, operator id, then E and the power outlet id; the separators are optional; any case.
EVSE_ID_PATTERN = r"^[A-Za-z]{2}\*?[A-Za-z0-9]{3}\*?[Ee][A-Za-z0-9*]{1,30}$"
_EVSE_ID = re.compile(EVSE_ID_PATTERN)
MAX_INT = 2_147_483_647


def _check_evse_id(value: str) -> str:
    if not _EVSE_ID.match(value):
        raise ValueError(f"'{value}' is not an eMI3 EVSE id such as FI*EMA*E12345")
    return value


ChargerIdText = Annotated[str, StringConstraints(pattern=CHARGER_ID_PATTERN)]
EvseId = Annotated[str, AfterValidator(_check_evse_id), WithJsonSchema({"type": "string", "pattern": EVSE_ID_PATTERN})]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=100)]
SocketNumber = Annotated[int, Field(ge=1, le=MAX_INT)]
SocketName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
KiloWatts = Annotated[JsonNumber, Field(gt=0, max_digits=10, decimal_places=3, description="Maximum power, kW")]
Volts = Annotated[int, Field(ge=1, le=MAX_INT, description="Maximum voltage, V")]
Amperes = Annotated[int, Field(ge=1, le=MAX_INT, description="Maximum current, A")]
# OCPP 1.6 security profile 1 (HTTP Basic): the whitepaper's AuthorizationKey is 16 to 40 characters, long
# enough that the plain SHA-256 the API keys use is a fit for storing it. Write-only: never in a response.
OcppPassword = Annotated[str | None, StringConstraints(pattern=r"^[!-~]{16,40}$"), Field(
    json_schema_extra={"writeOnly": True},
    description="Write-only. The password the charger gives at its OCPP connection (HTTP Basic, security "
                "profile 1): 16 to 40 printable ASCII characters. Never returned; null (in a PATCH) removes it, "
                "and a charger without one cannot connect.",
)]


class SocketFields(RequestModel):
    """The optional socket fields, shared by every socket shape."""

    name: SocketName | None = None
    max_power: KiloWatts | None = None
    max_voltage: Volts | None = None
    max_amperage: Amperes | None = None
    evse_id: EvseId | None = None


class SocketCreate(SocketFields):
    socket_id: SocketNumber = Field(alias="id")
    type: ConnectorStandard
    format: ConnectorFormat
    power_type: PowerType = Field(alias="socketPowerType")
    status: SocketStatus = "Available"


class SocketUpdate(SocketFields):
    """PATCH of one socket: only the fields given change."""

    type: Omittable[ConnectorStandard] = None
    format: Omittable[ConnectorFormat] = None
    power_type: Omittable[PowerType] = Field(default=None, alias="socketPowerType")
    status: Omittable[SocketStatus] = None


class SocketReplacement(SocketUpdate):
    """An item of `sockets` in a charger PATCH: a kept socket is updated with the fields given, a new id
    needs the fields of SocketCreate."""

    socket_id: SocketNumber = Field(alias="id")


class ChargerFields(RequestModel):
    model: ShortText | None = None
    manufacturer: ShortText | None = None
    firmware_version: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None
    serial_number: ShortText | None = None
    charger_group_id: Annotated[int, Field(ge=0, le=MAX_INT)] | None = None
    charger_group_name: ShortText | None = None
    evse_id: EvseId | None = None


class ChargerCreate(ChargerFields):
    charger_id: ChargerIdText
    name: Name
    site_id: Annotated[int, Field(ge=1, le=MAX_INT)]
    split_evse_by_socket: StrictBool = True
    active_connection: StrictBool = True
    capabilities: list[Capability] = []
    sockets: list[SocketCreate] = []
    ocpp_password: OcppPassword = None


class ChargerUpdate(ChargerFields):
    """PATCH: only the fields given change; `sockets`, when given, is the charger's whole socket list."""

    # Accepted only when equal to the path's id: a charger cannot be renamed, its id is its identity.
    charger_id: Omittable[ChargerIdText] = None
    name: Omittable[Name] = None
    site_id: Omittable[Annotated[int, Field(ge=1, le=MAX_INT)]] = None
    split_evse_by_socket: Omittable[StrictBool] = None
    active_connection: Omittable[StrictBool] = None
    capabilities: list[Capability] | None = None  # null: none
    sockets: Omittable[list[SocketReplacement]] = None
    ocpp_password: OcppPassword = None


class SocketOut(CamelModel):
    socket_id: int = Field(alias="id")
    name: str | None = None
    type: ConnectorStandard
    format: ConnectorFormat
    power_type: PowerType = Field(alias="socketPowerType")
    max_power: Annotated[JsonNumber | None, Field(description="Maximum power, kW")] = None
    max_voltage: Annotated[int | None, Field(description="Maximum voltage, V")] = None
    max_amperage: Annotated[int | None, Field(description="Maximum current, A")] = None
    status: SocketStatus
    status_updated_at: datetime
    evse_id: str | None = None


class ChargerOut(CamelModel):
    charger_id: str
    name: str
    site_id: int
    evse_id: str | None = None
    split_evse_by_socket: StrictBool
    active_connection: StrictBool
    capabilities: list[Capability]
    model: str | None = None
    manufacturer: str | None = None
    firmware_version: str | None = None
    serial_number: str | None = None
    charger_group_id: int | None = None
    charger_group_name: str | None = None
    sockets: list[SocketOut]
    created_at: datetime
    updated_at: datetime
