"""Shapes of the CDR reads and of a correction.

Costs are broken down as for sessions (charging/cost_schemas.py). `cdr` on a single CDR is the OCPI 2.2.1 document as partners receive it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from evroam.api.schemas import CamelModel, Instant, JsonNumber, Omittable, RequestModel
from evroam.charging.cdrs.builder import money
from evroam.charging.cdrs.models import Cdr
from evroam.charging.cost_schemas import COST_FIELDS, Cost, CostBreakdown

class CdrOut(CamelModel):
    id: str
    integration_id: str
    session_id: str
    charger_id: str
    site_id: int
    credit: bool
    credit_reference_id: str | None
    currency: str
    start_date_time: datetime
    end_date_time: datetime
    total_energy: JsonNumber = Field(description="kWh")
    total_time: JsonNumber = Field(description="Hours, charging and parking")
    total_parking_time: JsonNumber = Field(description="Hours")
    costs: CostBreakdown
    created_at: datetime
    last_updated: datetime


class CdrDetailOut(CdrOut):
    cdr: dict[str, Any] = Field(description="The OCPI 2.2.1 CDR document")


class CorrectionIn(RequestModel):
    """Corrected figures of the session; an empty body credits the CDR without replacing it."""

    energy_kwh: Omittable[Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=13, decimal_places=6)]] = Field(
        default=None, description="The session's true energy, kWh: spread over the periods in their proportions"
    )
    end_date_time: Omittable[Instant] = Field(
        default=None, description="The session's true end: the last charging period ends there"
    )


class CorrectionOut(CamelModel):
    credit: CdrDetailOut
    corrected: CdrDetailOut | None


def cdr_out(cdr: Cdr, *, detail: bool = False) -> CdrOut:
    document = cdr.document
    costs = {name: _cost(document.get(field)) for name, field in COST_FIELDS.items()}
    values = dict(
        id=cdr.id, integration_id=cdr.integration_id, session_id=cdr.session_id, charger_id=cdr.charger_id,
        site_id=cdr.site_id, credit=cdr.credit, credit_reference_id=cdr.credit_reference_id, currency=cdr.currency,
        start_date_time=cdr.start_date_time, end_date_time=cdr.end_date_time, total_energy=cdr.total_energy,
        total_time=Decimal(str(document["total_time"])),
        total_parking_time=Decimal(str(document.get("total_parking_time", 0))),
        costs=CostBreakdown(**costs), created_at=cdr.created_at, last_updated=cdr.last_updated,
    )  # fmt: skip
    return CdrDetailOut(**values, cdr=document) if detail else CdrOut(**values)


def _cost(price: dict[str, Any] | None) -> Cost | None:
    amounts = money(price)
    return None if amounts is None else Cost.of(*amounts)
