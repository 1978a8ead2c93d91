"""Shapes of GET /sessions and /sessions/{id}: a charging session as the operator sees it, with its cost
broken down per dimension, excluding and including VAT (4 decimals, the engine's figures rounded half up)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from evroam.api.schemas import CamelModel, JsonNumber
from evroam.network.common_schemas import EXCL_VAT, INCL_VAT

SessionStatus = Literal["PENDING", "ACTIVE", "COMPLETED", "INVALID"]
# Stored cost field -> the breakdown's name.
_BREAKDOWN = {"total_energy_cost": "energy", "total_time_cost": "time", "total_parking_cost": "parking",
              "total_fixed_cost": "fixed", "total_reservation_cost": "reservation"}  # fmt: skip
_AMOUNT = Decimal("0.0001")


class MoneyOut(CamelModel):
    excl_vat: Annotated[JsonNumber, Field(description=EXCL_VAT)]
    incl_vat: Annotated[JsonNumber, Field(description=INCL_VAT)]


class CostBreakdown(CamelModel):
    """Per dimension, uncapped: min/max_price clamp only the total."""

    energy: MoneyOut
    time: MoneyOut
    parking: MoneyOut
    fixed: MoneyOut
    reservation: MoneyOut


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
    auth_method: Literal["AUTH_REQUEST", "WHITELIST"] | None
    start_date_time: datetime
    end_date_time: datetime | None
    meter_start_wh: Annotated[JsonNumber | None, Field(description="Wh, the meter register at the start")]
    meter_stop_wh: Annotated[JsonNumber | None, Field(description="Wh, the meter register at the stop")]
    kwh: Annotated[JsonNumber, Field(description="kWh charged so far")]
    stop_reason: str | None
    currency: str | None
    tariff_id: str | None
    total_cost: MoneyOut | None
    costs: CostBreakdown | None
    last_updated: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, row: Any) -> Any:
        if isinstance(row, dict):
            return row
        values = {name: getattr(row, name) for name in cls.model_fields if hasattr(row, name) and name != "costs"}
        total = None
        if row.total_cost_excl_vat is not None:
            total = {"excl_vat": row.total_cost_excl_vat, "incl_vat": row.total_cost_incl_vat}
        values["total_cost"] = total
        values["costs"] = None if row.costs is None else {
            shown: {"excl_vat": Decimal(row.costs[name]["exclVat"]).quantize(_AMOUNT),
                    "incl_vat": Decimal(row.costs[name]["inclVat"]).quantize(_AMOUNT)}
            for name, shown in _BREAKDOWN.items()
        }
        return values
