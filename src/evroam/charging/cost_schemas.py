"""The cost of a session or of a CDR as the management API shows it: per OCPI cost field, the amount
without and with VAT and the VAT between them, exact decimals written as JSON numbers."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from evroam.api.schemas import CamelModel, JsonNumber

# Each entry of the breakdown and the OCPI cost field it shows.
COST_FIELDS = {"total": "total_cost", "fixed": "total_fixed_cost", "energy": "total_energy_cost",
               "time": "total_time_cost", "parking": "total_parking_cost",
               "reservation": "total_reservation_cost"}  # fmt: skip


class Cost(CamelModel):
    excl_vat: JsonNumber = Field(description="Amount excluding VAT, in the currency of the session or CDR")
    incl_vat: JsonNumber = Field(description="Amount including VAT, in the currency of the session or CDR")
    vat: JsonNumber = Field(description="The VAT in it: inclVat - exclVat")

    @classmethod
    def of(cls, excl_vat: Decimal, incl_vat: Decimal) -> Cost:
        return cls(excl_vat=excl_vat, incl_vat=incl_vat, vat=incl_vat - excl_vat)


class CostBreakdown(CamelModel):
    """The OCPI cost fields; one not carried (a CDR's reservation, mostly) is null. Per dimension the
    costs are uncapped: a tariff's min_price and max_price clamp only the total."""

    total: Cost
    fixed: Cost | None
    energy: Cost | None
    time: Cost | None
    parking: Cost | None
    reservation: Cost | None
