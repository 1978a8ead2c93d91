"""The OCPI 2.2.1 Session document of a charging session, from its domain state (ocpi-notes §10.4).

Built once per change of the session and stored on it, so the publisher and the CDR builder read the
same document. Its charging periods carry every dimension the price depends on (ENERGY, TIME or
PARKING_TIME, and the current and power extremes a restriction may test), so the eMSP can recompute the
cost; STATE_OF_CHARGE only where the integration asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evroam.charging.sessions.builder import Period, SessionState
from evroam.ocpi.locations.mapping import utc_text
from evroam.tariffs.pricing.model import Money, PeriodState, SessionPeriod

_CDR_TOKEN_FIELDS = ("country_code", "party_id", "uid", "type", "contract_id")
_SECONDS_PER_HOUR = Decimal(3600)
# Hours to the millisecond and kWh to the milliwatt-hour: precise enough to recompute a cost to the cent.
_HOURS = Decimal("0.0000001")
_KWH = Decimal("0.000001")
_MONEY = Decimal("0.0001")
_QUANTITY = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who the session is reported to and as what: the CPO party, the partner's token and the place as
    published to that integration."""

    country_code: str
    party_id: str
    token: dict[str, Any]
    auth_method: str
    location_id: str
    evse_uid: str
    connector_id: str
    currency: str
    tariff_id: str | None = None


def session_document(
    session_id: str, state: SessionState, attribution: Attribution, last_updated: datetime
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "country_code": attribution.country_code,
        "party_id": attribution.party_id,
        "id": session_id,
        "start_date_time": utc_text(state.start),
        "kwh": _number(state.kwh, _KWH),
        "cdr_token": {name: attribution.token[name] for name in _CDR_TOKEN_FIELDS if name in attribution.token},
        "auth_method": attribution.auth_method,
        "location_id": attribution.location_id,
        "evse_uid": attribution.evse_uid,
        "connector_id": attribution.connector_id,
        "currency": attribution.currency,
        "charging_periods": [_charging_period(period, attribution.tariff_id) for period in state.periods],
        "status": state.status,
        "last_updated": utc_text(last_updated),
    }
    if state.end is not None:
        document["end_date_time"] = utc_text(state.end)
    if state.authorization_reference is not None:
        document["authorization_reference"] = state.authorization_reference
    if state.cost is not None:
        document["total_cost"] = price(state.cost.total_cost)
    return document


def price(money: Money) -> dict[str, float]:
    return {"excl_vat": _number(money.excl_vat, _MONEY), "incl_vat": _number(money.incl_vat, _MONEY)}


def _charging_period(item: Period, tariff_id: str | None) -> dict[str, Any]:
    period = item.period
    hours = Decimal(period.duration_s) / _SECONDS_PER_HOUR
    if period.state == PeriodState.RESERVATION:
        # Reserved, not yet in use: no energy, and the engine refuses a reservation period stating any.
        return _period_document(period, [{"type": "RESERVATION_TIME", "volume": _number(hours, _HOURS)}], tariff_id)
    time_dimension = "PARKING_TIME" if period.state == PeriodState.PARKING else "TIME"
    dimensions = [
        {"type": "ENERGY", "volume": _number(period.energy_kwh, _KWH)},
        {"type": time_dimension, "volume": _number(hours, _HOURS)},
    ]
    for name, value in (
        ("MIN_CURRENT", period.min_current_a), ("MAX_CURRENT", period.max_current_a),
        ("MIN_POWER", period.min_power_kw), ("MAX_POWER", period.max_power_kw),
        ("STATE_OF_CHARGE", item.state_of_charge),
    ):
        if value is not None:
            dimensions.append({"type": name, "volume": _number(value, _QUANTITY)})
    return _period_document(period, dimensions, tariff_id)


def _period_document(period: SessionPeriod, dimensions: list[dict[str, Any]], tariff_id: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {"start_date_time": utc_text(period.start), "dimensions": dimensions}
    if tariff_id is not None:
        found["tariff_id"] = tariff_id
    return found


def _number(value: Decimal, step: Decimal) -> float:
    return float(value.quantize(step, ROUND_HALF_UP))
