"""Building OCPI 2.2.1 CDRs, pure: from a finished session, and the credit CDR that cancels one.

A CDR is what the eMSP bills, so it carries everything needed to recompute every cent (ocpi-notes
§11, §13.6): the tariff as it was at the session's start, the charging periods each naming that
tariff, and the totals the project's pricing engine (`evroam.tariffs.pricing.price_cdr`) gives for
exactly those periods. The engine's amounts are exact to 4 decimals; no further rounding happens here
(§16.7: rounding is the invoice's business).

Decisions:
* The periods are the session's, with the Session-only dimensions (CURRENT, POWER, ENERGY_IMPORT,
  ENERGY_EXPORT, STATE_OF_CHARGE) left out, as a CDR may not carry them. The CDR is priced from the
  periods it sends, so what the eMSP recomputes is what we bill.
* A period left without dimensions by that (a Session period of POWER readings only) states its
  TIME, from its start to the next one's: the engine prices such a period as charging for that span.
* A session without a tariff is free: no tariffs, no `tariff_id` on its periods, every cost 0.
* A credit CDR (OCPI 2.2.1 "Credit CDRs") holds all the data of the CDR it credits, with id
  `<id>-C`, `credit` true, `credit_reference_id` the credited id, and only `total_cost` negated, as
  the specification words it ("Only the values in the total_cost field SHALL contain the negative
  amounts"). The other cost fields stay as they were: they describe the session being credited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from evroam.errors import Invalid
from evroam.tariffs.pricing import price_cdr
from evroam.tariffs.pricing.errors import MissingSpotPriceError, PricingInputError

# Our ids: 36 characters at most, so that the credit suffix fits OCPI's CiString(39).
CDR_ID_LENGTH = 36
CREDIT_SUFFIX = "-C"

# The CDR cost fields, in the order OCPI lists them; total_reservation_cost only where a reservation was billed.
COST_FIELDS = ("total_cost", "total_fixed_cost", "total_energy_cost", "total_time_cost", "total_parking_cost",
               "total_reservation_cost")  # fmt: skip
_CDR_DIMENSIONS = frozenset(
    {"ENERGY", "MAX_CURRENT", "MIN_CURRENT", "MAX_POWER", "MIN_POWER", "PARKING_TIME", "RESERVATION_TIME", "TIME"}
)
# CdrLocation's lengths (ocpi-notes §15 #16: still address 45 and state 20 after the Location erratum).
_LOCATION_LENGTHS = {"name": 255, "address": 45, "city": 45, "postal_code": 10, "state": 20}
_FREE = [{"price_components": [{"type": "FLAT", "price": 0, "step_size": 1}]}]


def build_cdr(
    session: Mapping[str, Any],
    tariff: Mapping[str, Any] | None,
    location: Mapping[str, Any],
    *,
    cdr_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The CDR of a finished 2.2.1 Session, priced with `tariff` (the one that applied at its start).

    `location` is the 2.2.1 Location document as published to the session's partner; its time zone
    (or its country's) places the tariff's restrictions. Raises Invalid naming the culprit.
    """
    if len(cdr_id) > CDR_ID_LENGTH:
        raise Invalid("id", f"longer than {CDR_ID_LENGTH} characters")
    if session.get("status") != "COMPLETED":
        raise Invalid("session.status", "a CDR is issued for a COMPLETED session only")
    end = session.get("end_date_time")
    if not end:
        raise Invalid("session.end_date_time", "a CDR needs the session's end")
    tariff_id = None if tariff is None else tariff.get("id")
    document: dict[str, Any] = {
        "country_code": _required(session, "country_code"),
        "party_id": _required(session, "party_id"),
        "id": cdr_id,
        "start_date_time": _required(session, "start_date_time"),
        "end_date_time": end,
        "session_id": _required(session, "id"),
        "cdr_token": _required(session, "cdr_token"),
        "auth_method": _required(session, "auth_method"),
    }
    _copy_present(session, document, "authorization_reference")
    if session.get("location_id") != location.get("id"):
        raise Invalid("session.location_id", f"is not the location given ({location.get('id')!r})")
    document["cdr_location"] = cdr_location(location, _required(session, "evse_uid"),
                                            _required(session, "connector_id"))  # fmt: skip
    _copy_present(session, document, "meter_id")
    document["currency"] = _required(session, "currency")
    document["tariffs"] = [] if tariff is None else [dict(tariff)]
    periods = session.get("charging_periods") or []
    if not periods:
        raise Invalid("session.charging_periods", "a CDR needs at least one charging period")
    ends = [period.get("start_date_time") for period in periods[1:]] + [end]
    document["charging_periods"] = [_cdr_period(period, until, tariff_id) for period, until in zip(periods, ends)]
    if _reserved(periods[0]):
        # OCPI: "in case of a reservation (before the start of a session) the start of the reservation".
        document["start_date_time"] = periods[0]["start_date_time"]
    # what the periods do not state (energy, for periods of TIME only) the engine takes from the total
    if session.get("kwh") is not None:
        document["total_energy"] = session["kwh"]
    totals = priced_totals(document, tariff, location.get("time_zone"))
    document.pop("total_energy", None)  # back among the totals, in OCPI's order
    document |= totals
    document["last_updated"] = ocpi_datetime(now)
    return document


def credit_cdr(original: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    """The credit CDR cancelling `original` (see the module's decisions)."""
    if original.get("credit"):
        raise Invalid("credit", "a credit CDR cannot itself be credited")
    total = original["total_cost"]
    return {
        **original,
        "id": f"{original['id']}{CREDIT_SUFFIX}",
        "total_cost": {key: -amount for key, amount in total.items()},
        "credit": True,
        "credit_reference_id": original["id"],
        "last_updated": ocpi_datetime(now),
    }


def priced_totals(document: Mapping[str, Any], tariff: Mapping[str, Any] | None, time_zone: str | None) -> dict[str, Any]:
    """The CDR's totals as the engine prices its charging periods (with `tariff`, or free without one)."""
    priced_with = tariff if tariff is not None else {"currency": document["currency"], "elements": _FREE}
    try:
        priced = price_cdr(priced_with, document, time_zone)
    except PricingInputError as error:
        raise Invalid(error.field or "cdr", error.problem) from None
    except MissingSpotPriceError as error:
        raise Invalid("tariffs", str(error)) from None
    totals = {field: priced[field] for field in COST_FIELDS}
    if tariff is None or not any(totals["total_reservation_cost"].values()):
        del totals["total_reservation_cost"]
    totals["total_energy"] = priced["total_energy"]
    totals["total_time"] = priced["total_time"]
    totals["total_parking_time"] = priced["total_parking_time"]
    # OCPI lists the totals in its own order: energy and time beside their costs
    order = ("total_cost", "total_fixed_cost", "total_energy", "total_energy_cost", "total_time", "total_time_cost",
             "total_parking_time", "total_parking_cost", "total_reservation_cost")  # fmt: skip
    return {field: totals[field] for field in order if field in totals}


def cdr_location(location: Mapping[str, Any], evse_uid: str, connector_id: str) -> dict[str, Any]:
    """The CdrLocation of the connector, from the Location document published to the partner."""
    evse = next((item for item in location.get("evses") or [] if item.get("uid") == evse_uid), None)
    if evse is None:
        raise Invalid("session.evse_uid", f"{evse_uid!r} is not an EVSE of location {location.get('id')!r}")
    connector = next((item for item in evse.get("connectors") or [] if item.get("id") == connector_id), None)
    if connector is None:
        raise Invalid("session.connector_id", f"{connector_id!r} is not a connector of EVSE {evse_uid!r}")
    result: dict[str, Any] = {"id": _required(location, "id", "location")}
    for field in ("name", "address", "city", "postal_code", "state", "country", "coordinates"):
        value = location.get(field)
        if value is not None:
            result[field] = value[: _LOCATION_LENGTHS[field]] if field in _LOCATION_LENGTHS else value
    for field in ("address", "city", "country", "coordinates"):
        if field not in result:
            raise Invalid(f"location.{field}", "required in a CDR's cdr_location")
    return result | {
        "evse_uid": evse_uid,
        # required in a CdrLocation: an EVSE published without an EVSE id is named by its uid
        "evse_id": evse.get("evse_id") or evse_uid,
        "connector_id": connector_id,
        "connector_standard": connector["standard"],
        "connector_format": connector["format"],
        "connector_power_type": connector["power_type"],
    }


def money(price: Mapping[str, Any] | None) -> tuple[Decimal, Decimal] | None:
    """An OCPI Price as exact decimals (excl. VAT, incl. VAT); None for an absent Price.

    The engine writes amounts of 4 decimals as JSON numbers, whose shortest text is that decimal.
    """
    if price is None:
        return None
    excl_vat = Decimal(str(price["excl_vat"]))
    incl_vat = price.get("incl_vat")
    return excl_vat, excl_vat if incl_vat is None else Decimal(str(incl_vat))


def ocpi_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_datetime(text: Any, field: str) -> datetime:
    """An OCPI DateTime (UTC, with or without Z) as an aware datetime; Invalid naming `field` otherwise."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise Invalid(field, "not an OCPI DateTime") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _cdr_period(period: Mapping[str, Any], until: Any, tariff_id: str | None) -> dict[str, Any]:
    start = period.get("start_date_time")
    dimensions = [dimension for dimension in period.get("dimensions") or [] if dimension.get("type") in _CDR_DIMENSIONS]
    if not dimensions:
        span = read_datetime(until, "session.charging_periods.start_date_time") - read_datetime(
            start, "session.charging_periods.start_date_time")  # fmt: skip
        dimensions = [{"type": "TIME", "volume": round(span.total_seconds()) / 3600}]
    result = {"start_date_time": start, "dimensions": dimensions}
    if tariff_id is not None:
        result["tariff_id"] = tariff_id
    return result


def _reserved(period: Mapping[str, Any]) -> bool:
    return any(dimension.get("type") == "RESERVATION_TIME" for dimension in period.get("dimensions") or [])


def _required(document: Mapping[str, Any], field: str, where: str = "session") -> Any:
    value = document.get(field)
    if value is None:
        raise Invalid(f"{where}.{field}", "required for a CDR")
    return value


def _copy_present(source: Mapping[str, Any], target: dict[str, Any], field: str) -> None:
    if source.get(field) is not None:
        target[field] = source[field]
