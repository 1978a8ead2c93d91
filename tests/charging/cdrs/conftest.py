"""A charger at a site of the operator, and a finished session there: what the sessions capability hands
to `create_cdr` (the Session document, the tariff that applied at its start, the published location)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from evroam.charging.cdrs import service
from evroam.charging.cdrs.models import Cdr
from evroam.runtime import Runtime
from tests.conftest import SHARED_DIR
from tests.ocpi.factories import charger, operator_id_of, site

INTEGRATION = "INT-CDRS-1"
# 0.30/kWh, parking 2.00/h per minute, a 1.00 start fee; VAT 24 %
TARIFF = {
    "country_code": "FI", "party_id": "EVR", "id": "TARIFF-1", "currency": "EUR",
    "elements": [{"price_components": [
        {"type": "FLAT", "price": 1.00, "vat": 24.0, "step_size": 1},
        {"type": "ENERGY", "price": 0.30, "vat": 24.0, "step_size": 1},
        {"type": "PARKING_TIME", "price": 2.00, "vat": 24.0, "step_size": 60},
    ]}],
    "last_updated": "2026-11-01T00:00:00Z",
}  # fmt: skip


def location_document() -> dict[str, Any]:
    """The spec's location example (EVSE 3256 with connector 1), as published to the integration."""
    return json.loads((SHARED_DIR / "ocpi-examples" / "location.json").read_text(encoding="utf-8"))


def session_document(session_id: str = "SESSION-1", **fields: Any) -> dict[str, Any]:
    """Charged 10 kWh in an hour, then parked 30 minutes (and a Session-only POWER reading)."""
    return {
        "country_code": "FI", "party_id": "EVR", "id": session_id,
        "start_date_time": "2026-11-02T10:00:00Z", "end_date_time": "2026-11-02T11:30:00Z", "kwh": 10.0,
        "cdr_token": {"country_code": "NL", "party_id": "TST", "uid": "123abc", "type": "RFID",
                      "contract_id": "NL-TST-C12345678-S"},
        "auth_method": "AUTH_REQUEST", "authorization_reference": "AUTH-REF-1",
        "location_id": "LOC1", "evse_uid": "3256", "connector_id": "1", "meter_id": "METER-7", "currency": "EUR",
        "charging_periods": [
            {"start_date_time": "2026-11-02T10:00:00Z",
             "dimensions": [{"type": "ENERGY", "volume": 10.0}, {"type": "TIME", "volume": 1.0},
                            {"type": "POWER", "volume": 10.0}, {"type": "MAX_POWER", "volume": 11.0}],
             "tariff_id": "TARIFF-1"},
            {"start_date_time": "2026-11-02T11:00:00Z",
             "dimensions": [{"type": "PARKING_TIME", "volume": 0.5}], "tariff_id": "TARIFF-1"},
        ],
        "total_cost": {"excl_vat": 5.0, "incl_vat": 6.2}, "status": "COMPLETED",
        "last_updated": "2026-11-02T11:30:00Z",
    } | fields  # fmt: skip


@dataclass
class Stops:
    """Finished sessions at charger CH-CDR-1 (or CH-CDR-2) of one site."""

    runtime: Runtime
    operator_id: int
    site_id: int
    charger_ids: list[str] = field(default_factory=list)

    async def stop(self, session_id: str = "SESSION-1", charger_id: str = "CH-CDR-1",
                   integration_id: str = INTEGRATION, **fields: Any) -> Cdr:  # fmt: skip
        async with self.runtime.sessions() as session:
            cdr = await service.create_cdr(
                session, operator_id=self.operator_id, integration_id=integration_id, charger_id=charger_id,
                session_document=session_document(session_id, **fields), tariff=TARIFF, location=location_document(),
            )  # fmt: skip
            await session.commit()
            return cdr


@pytest.fixture
async def stops(runtime: Runtime) -> Stops:
    operator_id = await operator_id_of(runtime)
    async with runtime.sessions() as session:
        place = site(operator_id)
        session.add(place)
        await session.flush()
        session.add_all([charger(operator_id, place.id, "CH-CDR-1"), charger(operator_id, place.id, "CH-CDR-2")])
        await session.commit()
        return Stops(runtime, operator_id, place.id, ["CH-CDR-1", "CH-CDR-2"])
