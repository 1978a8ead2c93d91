"""The ChargingProfiles module's objects (2.2.1 only, ocpi-notes §12.7) ↔ what the charger side sees.

The partner's ChargingProfile is kept as it came (validated) and handed to the charger side as it is:
OCPP's SetChargingProfile has the same fields in its own names, which the CSMS or the gateway maps. What
goes back to the `response_url` depends on the request: a ChargingProfileResult (PUT), an
ActiveChargingProfileResult with the profile (GET) or a ClearProfileResult (DELETE); all three are
`{result}` with ChargingProfileResultType, which has no TIMEOUT: a request nobody answered is REJECTED.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from evroam.charging.commands.records import TIMEOUT, Verdict
from evroam.ocpi.protocol.datetimes import OcpiDateTimeText
from evroam.ocpi.protocol.envelope import JSON_OPTIONS

# "Accepts at most one digit fraction (e.g. 8.1)".
Rate = Annotated[Decimal, Field(ge=0, decimal_places=1)]


class _Lenient(BaseModel):
    # Unknown fields are ignored: peers add their own, and the specification may grow.
    model_config = ConfigDict(extra="ignore")


class ChargingProfilePeriod(_Lenient):
    start_period: Annotated[int, Field(ge=0)]
    limit: Rate


class ChargingProfile(_Lenient):
    start_date_time: OcpiDateTimeText | None = None
    duration: Annotated[int, Field(ge=0)] | None = None
    charging_rate_unit: Literal["W", "A"]
    min_charging_rate: Rate | None = None
    charging_profile_period: Annotated[list[ChargingProfilePeriod], Field(max_length=1024)] = []


class SetChargingProfile(_Lenient):
    charging_profile: ChargingProfile
    response_url: Annotated[str, Field(min_length=1, max_length=512)]


class ActiveChargingProfile(_Lenient):
    start_date_time: OcpiDateTimeText
    charging_profile: ChargingProfile


def profile_document(profile: ChargingProfile | ActiveChargingProfile) -> dict[str, Any]:
    """As OCPI writes it: no null fields, DateTimes in UTC with Z, numbers as numbers."""
    return orjson.loads(orjson.dumps(profile.model_dump(exclude_none=True), option=JSON_OPTIONS, default=float))


def profile_response(verdict: Verdict, timeout: int) -> dict[str, Any]:
    return {"result": verdict.result, "timeout": timeout}


def result_body(request_type: str, result: str, details: dict[str, Any] | None) -> str:
    body: dict[str, Any] = {"result": "REJECTED" if result == TIMEOUT else result}
    if request_type == "GET_ACTIVE_CHARGING_PROFILE" and result == "ACCEPTED" and details and "active" in details:
        body["profile"] = details["active"]
    return orjson.dumps(body).decode()
