"""Stored sessions (2.2.1 Session documents, ocpi/sessions/document.py) in the shape of the partner's
version.

A 2.2.1 partner gets the document as it is. 2.1.1 (ocpi-notes §14, "Sessions") says the same session
with:

* `start_datetime`/`end_datetime` for `start_date_time`/`end_date_time`;
* `auth_id`, the token's 2.1.1 name of its contract id, instead of `cdr_token`; no
  country_code/party_id or authorization_reference; AuthMethod as for CDRs (`auth_method_211`);
* the whole `location`, trimmed to the EVSE and connector in use, instead of
  location_id/evse_uid/connector_id: the partner's 2.1.1 Location document, as the ledger holds it.
  A session at a location that document does not show (never published to this partner, withheld
  from 2.1.1, or its connector has no 2.1.1 standard) cannot be said, and is not sent;
* `total_cost` as a number, excluding VAT;
* charging periods as for CDRs (`charging_periods_211`): the session-only dimensions (CURRENT, POWER,
  STATE_OF_CHARGE, ENERGY_IMPORT/EXPORT), MAX/MIN_POWER and RESERVATION_TIME are not in 2.1.1.

A RESERVATION session is not sent: 2.1.1 has no such status, and its sessions begin with charging.
Each change that loses information is noted in the document's `Fitting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt

from evroam.ocpi.cdrs.mapping import auth_method_211, charging_periods_211
from evroam.ocpi.fitting import Fitting, Limits
from evroam.ocpi.locations.mapping import location_at
from evroam.ocpi.modules import V211
from evroam.ocpi.protocol.ascii_211 import ascii_document
from evroam.ocpi.protocol.datetimes import OcpiDateTimeText
from evroam.ocpi.tokens.mapping import ProfileType

SESSION_LIMITS_211: Limits = {"meter_id": 255}
# The ChargingPreferencesResponse evroam gives: it plans no session by a driver's preferences.
NOT_POSSIBLE = "NOT_POSSIBLE"


class ChargingPreferences(BaseModel):
    """What an eMSP asks of a session (2.2.1, ocpi-notes §10.4); unknown fields are ignored. Values of
    another JSON type, null included, are refused, not converted (evroam does not use them, but a partner
    sending "20" for a number should hear of it): an absent optional field is left out, the defaults
    below are never validated."""

    model_config = ConfigDict(extra="ignore")

    profile_type: ProfileType
    departure_time: OcpiDateTimeText = None  # type: ignore[assignment]
    energy_need: StrictInt | StrictFloat = None  # type: ignore[assignment]
    discharge_allowed: StrictBool = None  # type: ignore[assignment]


def session_document(
    session: Mapping[str, Any], version: str, location: Mapping[str, Any] | None = None, fitting: Fitting | None = None
) -> dict[str, Any] | None:
    """The session a partner of `version` sees, or None when its version cannot say it; `location` is
    the partner's 2.1.1 Location document of the session's location."""
    fitting = fitting or Fitting(version)
    if version != V211:
        return dict(session)
    if session["status"] == "RESERVATION":
        fitting.left_out("status", "there is no RESERVATION status: the session is sent once charging starts")
        return None
    at = location_at(location, session["evse_uid"], session["connector_id"]) if location else None
    if at is None:
        fitting.left_out("location", f"the partner's 2.1.1 location {session['location_id']} does not show EVSE "
                         f"{session['evse_uid']} connector {session['connector_id']}: the session is not sent")
        return None
    doc: dict[str, Any] = {"id": session["id"], "start_datetime": session["start_date_time"]}
    if session.get("end_date_time"):
        doc["end_datetime"] = session["end_date_time"]
    doc |= {
        "kwh": session["kwh"],
        "auth_id": session["cdr_token"]["contract_id"],
        "auth_method": auth_method_211(session["auth_method"]),
        "location": at,
    }
    if session.get("meter_id"):
        doc["meter_id"] = session["meter_id"]
    doc["currency"] = session["currency"]
    periods = charging_periods_211(session.get("charging_periods") or [], fitting)
    if periods:
        doc["charging_periods"] = periods
    if session.get("total_cost") is not None:
        doc["total_cost"] = session["total_cost"]["excl_vat"]
    doc |= {"status": session["status"], "last_updated": session["last_updated"]}
    return fitting.fit_lengths(ascii_document(doc), SESSION_LIMITS_211)
