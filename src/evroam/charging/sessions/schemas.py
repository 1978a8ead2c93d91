"""Shapes of GET /sessions and /sessions/{id}: a charging session as the operator sees it, with its cost
broken down as for CDRs (charging/cost_schemas.py; 4 decimals, the engine's figures rounded half up)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from evroam.api.schemas import CamelModel, JsonNumber
from evroam.charging.cost_schemas import COST_FIELDS, Cost, CostBreakdown
from evroam.charging.sessions.models import rounded_amount

SessionStatus = Literal["PENDING", "ACTIVE", "COMPLETED", "INVALID"]


class SessionOut(CamelModel):
    id: Annotated[str, Field(description="The OCPI Session id")]
    charger_id: str
    socket_id: int | None
    transaction_id: str
    site_id: int | None
    integration_id: Annotated[str | None, Field(description="The integration billed (none: nobody's token)")]
    status: SessionStatus
    id_tag: str | None
    authorization_reference: str | None
    auth_method: Literal["AUTH_REQUEST", "COMMAND", "WHITELIST"] | None
    start_date_time: datetime
    end_date_time: datetime | None
    meter_start_wh: Annotated[JsonNumber | None, Field(description="Wh, the meter register at the start")]
    meter_stop_wh: Annotated[JsonNumber | None, Field(description="Wh, the meter register at the stop")]
    kwh: Annotated[JsonNumber, Field(description="kWh charged so far")]
    stop_reason: str | None
    currency: str | None
    tariff_id: str | None
    costs: CostBreakdown | None
    last_updated: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, row: Any) -> Any:
        if isinstance(row, dict):
            return row
        values = {name: getattr(row, name) for name in cls.model_fields if hasattr(row, name) and name != "costs"}
        values["costs"] = None if row.costs is None else {
            shown: Cost.of(*(rounded_amount(Decimal(row.costs[field][side])) for side in ("exclVat", "inclVat")))
            for shown, field in COST_FIELDS.items()
        }
        return values
