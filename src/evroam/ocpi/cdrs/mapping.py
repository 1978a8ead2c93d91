"""Stored CDRs (2.2.1 CDR documents, as the CDR domain keeps them) in the shape of the partner's version.

A 2.2.1 partner gets the document as it is. 2.1.1 (ocpi-notes §14, "CDRs") says the same CDR with:

* `stop_date_time` for `end_date_time`; no country_code/party_id/session_id, no per-dimension cost
  fields, no signed data, no `home_charging_compensation` or invoice reference;
* `auth_id`, the token's 2.1.1 name of its contract id, instead of `cdr_token`;
* AuthMethod COMMAND (a StartSession of the eMSP, 2.2+) as AUTH_REQUEST: 2.1.1 has no COMMAND, and a
  session the eMSP started is one it authorized;
* the whole `location` instead of `cdr_location`: the snapshot taken at the start (address, EVSE,
  connector), completed with what 2.1.1 requires and the snapshot lacks (location type, EVSE status,
  connector voltage and amperage, stamps) from the partner's 2.1.1 Location document when there is
  one, else UNKNOWN, the default ratings of the power type and the CDR's start (CDRs may describe
  locations never published);
* `total_cost` as a number, excluding VAT; the tariffs in the 2.1.1 shape (`tariff_211`, the tariffs
  module's one conversion);
* charging periods without `tariff_id` and with only the dimensions 2.1.1 names (CHARGING_PERIOD_211);
  a period left without any is left out.

What 2.1.1 cannot say at all is not sent rather than sent with another meaning: a credit CDR (2.1.1
has no credit CDRs). Each change that loses information is noted in the document's `Fitting`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from evroam.ocpi.fitting import Fitting, Limits
from evroam.ocpi.locations.mapping import connector_unsaid_in_211, geo_location, location_at, ratings
from evroam.ocpi.modules import V211
from evroam.ocpi.protocol.ascii_211 import ascii_document
from evroam.ocpi.tariffs.mapping import tariff_211

# CdrDimensionType of 2.1.1: no session-only dimensions (CURRENT, POWER, STATE_OF_CHARGE, ENERGY_IMPORT,
# ENERGY_EXPORT), no MAX/MIN_POWER and no RESERVATION_TIME; FLAT was dropped only in 2.2.
DIMENSIONS_211 = frozenset({"ENERGY", "FLAT", "MAX_CURRENT", "MIN_CURRENT", "PARKING_TIME", "TIME"})
AUTH_METHODS_211 = {"AUTH_REQUEST": "AUTH_REQUEST", "WHITELIST": "WHITELIST", "COMMAND": "AUTH_REQUEST"}
# string(n) of 2.1.1 CDR texts that 2.2.1 allows longer or that transliteration can lengthen.
CDR_LIMITS_211: Limits = {
    "remark": 255, "meter_id": 255,
    "location": {"name": 255, "address": 45, "city": 45, "postal_code": 10},
}
# What cdr_location says of the place, by its 2.1.1 Location name.
_PLACE_FIELDS = ("name", "address", "city", "postal_code", "country")


def cdr_document(
    cdr: Mapping[str, Any], version: str, location: Mapping[str, Any] | None = None, fitting: Fitting | None = None
) -> dict[str, Any] | None:
    """The CDR a partner of `version` sees, or None when its version cannot say it; `location` is the
    partner's 2.1.1 Location document of the CDR's location, if it has one."""
    fitting = fitting or Fitting(version)
    if version != V211:
        return dict(cdr)
    if cdr.get("credit"):
        fitting.left_out("credit", "there are no credit CDRs: the credit CDR is not sent")
        return None
    snapshot = cdr["cdr_location"]
    unsaid = connector_unsaid_in_211(snapshot["connector_standard"], snapshot["connector_power_type"])
    if unsaid is not None:
        fitting.left_out(f"cdr_location.connector_{unsaid[0]}", f"there is no {unsaid[0]} {unsaid[1]}: "
                         "the CDR cannot name its connector and is not sent")  # fmt: skip
        return None
    periods = charging_periods_211(cdr.get("charging_periods") or [], fitting)
    if not periods:
        fitting.left_out("charging_periods", "no charging period has a dimension 2.1.1 names: the CDR is not sent")
        return None
    doc: dict[str, Any] = {
        "id": cdr["id"],
        "start_date_time": cdr["start_date_time"],
        "stop_date_time": cdr["end_date_time"],
        "auth_id": cdr["cdr_token"]["contract_id"],
        "auth_method": auth_method_211(cdr["auth_method"]),
        "location": _location(cdr, location),
    }
    if cdr.get("meter_id"):
        doc["meter_id"] = cdr["meter_id"]
    doc["currency"] = cdr["currency"]
    tariffs = _tariffs(cdr.get("tariffs") or [], fitting)
    if tariffs:
        doc["tariffs"] = tariffs
    doc["charging_periods"] = periods
    doc |= {"total_cost": cdr["total_cost"]["excl_vat"], "total_energy": cdr["total_energy"],
            "total_time": cdr["total_time"]}
    for name in ("total_parking_time", "remark"):
        if cdr.get(name) is not None:
            doc[name] = cdr[name]
    doc["last_updated"] = cdr["last_updated"]
    return fitting.fit_lengths(ascii_document(doc), CDR_LIMITS_211)


def charging_periods_211(periods: list[Mapping[str, Any]], fitting: Fitting) -> list[dict[str, Any]]:
    """ChargingPeriods (of a CDR or a Session) in 2.1.1: no tariff_id, only the dimensions it names;
    each dimension type left out noted once."""
    said, left_out = [], set()
    for period in periods:
        dimensions = [dict(item) for item in period["dimensions"] if item["type"] in DIMENSIONS_211]
        left_out |= {item["type"] for item in period["dimensions"]} - DIMENSIONS_211
        if dimensions:
            said.append({"start_date_time": period["start_date_time"], "dimensions": dimensions})
    for kind in sorted(left_out):
        fitting.left_out(f"charging_periods[].dimensions[{kind}]", f"there is no dimension {kind}: left out")
    return said


def auth_method_211(method: str) -> str:
    """AuthMethod in 2.1.1 (of a CDR or a Session)."""
    return AUTH_METHODS_211[method]


def _tariffs(tariffs: list[Mapping[str, Any]], fitting: Fitting) -> list[dict[str, Any]]:
    said = []
    for tariff in tariffs:
        inner = Fitting(fitting.version)
        document = tariff_211(tariff, inner)
        fitting.warnings += [
            dataclasses.replace(warning, field=f"tariffs[{tariff['id']}].{warning.field}") for warning in inner.warnings
        ]
        if document is None:
            fitting.left_out(f"tariffs[{tariff['id']}]", "none of the tariff's elements can be said: left out")
        else:
            said.append(document)
    return said


def _location(cdr: Mapping[str, Any], published: Mapping[str, Any] | None) -> dict[str, Any]:
    """The snapshot of the CDR as a 2.1.1 Location, completed from the published document."""
    snapshot = cdr["cdr_location"]
    trimmed = location_at(published, snapshot["evse_uid"], snapshot["connector_id"]) if published else None
    evse = trimmed["evses"][0] if trimmed else {}
    connector = evse.get("connectors", [{}])[0]
    stamp = cdr["start_date_time"]
    voltage, amperage = ratings(snapshot["connector_power_type"], None, None, None)
    said_connector = {
        "id": snapshot["connector_id"],
        "standard": snapshot["connector_standard"],
        "format": snapshot["connector_format"],
        "power_type": snapshot["connector_power_type"],
        "voltage": connector.get("voltage", voltage),
        "amperage": connector.get("amperage", amperage),
    }
    tariffs = cdr.get("tariffs") or []
    if tariffs:  # the tariff that applied at this connector is the one the CDR is priced by
        said_connector["tariff_id"] = tariffs[0]["id"]
    said_connector["last_updated"] = connector.get("last_updated", stamp)
    said_evse = {"uid": snapshot["evse_uid"], "evse_id": snapshot["evse_id"], "status": evse.get("status", "UNKNOWN"),
                 "connectors": [said_connector], "last_updated": evse.get("last_updated", stamp)}
    place = {name: snapshot[name] for name in _PLACE_FIELDS if snapshot.get(name) is not None}
    return {
        "id": snapshot["id"],
        "type": (trimmed or {}).get("type", "UNKNOWN"),
        **place,
        "postal_code": snapshot.get("postal_code") or "",
        "coordinates": geo_location(snapshot["coordinates"]),
        "evses": [said_evse],
        **({"time_zone": trimmed["time_zone"]} if trimmed and trimmed.get("time_zone") else {}),
        "last_updated": (trimmed or {}).get("last_updated", stamp),
    }
