"""Charging profiles as the management API writes them (the charger side's answers and reports), and their
OCPI form (ocpi-notes §12.7): the same fields, in the API's camelCase."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from evroam.api.schemas import CamelModel, Instant, RequestModel

# OCPI: "at most one digit fraction (e.g. 8.1)".
Rate = Annotated[Decimal, Field(ge=0, decimal_places=1)]


class ProfilePeriodIn(RequestModel):
    start_period: Annotated[int, Field(ge=0, description="Seconds from the profile's start")]
    limit: Annotated[Rate, Field(description="In the profile's chargingRateUnit, at most one decimal")]


class ChargingProfileIn(RequestModel):
    start_date_time: Instant | None = None
    duration: Annotated[int, Field(ge=0, description="Seconds")] | None = None
    charging_rate_unit: Literal["W", "A"]
    min_charging_rate: Annotated[Rate, Field(description="In the profile's chargingRateUnit (W or A)")] | None = None
    charging_profile_period: Annotated[list[ProfilePeriodIn], Field(max_length=1024)] = []


class ActiveChargingProfileIn(RequestModel):
    start_date_time: Instant
    charging_profile: ChargingProfileIn

    def ocpi(self) -> dict[str, Any]:
        """The OCPI ActiveChargingProfile: snake_case, no null fields, UTC DateTimes with Z, numbers."""
        return _ocpi(self.model_dump(exclude_none=True))


class ActiveProfileOut(CamelModel):
    session_id: str
    integration_id: str | None
    sent: Annotated[bool, Field(description="Whether the partner's chargingprofiles endpoint is sent it")]
    reason: str


def _ocpi(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _ocpi(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_ocpi(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, Decimal):
        return float(value)
    return value
