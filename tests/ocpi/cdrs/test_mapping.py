"""Stored 2.2.1 CDRs in each version's shape: the specification's example valid as it is in 2.2.1 and,
mapped, in 2.1.1 (auth_id, the location snapshot, total_cost a number, its names and tariffs)."""

from __future__ import annotations

from evroam.ocpi.cdrs.mapping import cdr_document
from evroam.ocpi.fitting import Fitting
from tests.ocpi.factories import example, version_schema_errors
from tests.ocpi.sessions.examples import location_211


def test_the_specification_example_is_valid_2_2_1_and_goes_out_as_it_is():
    # Valid, with the quirks ocpi-notes §15 #14 records (coordinates swapped, last_updated before the end).
    cdr = example("cdr.json")
    assert version_schema_errors("2.2.1", "CDR", cdr) == []
    assert cdr_document(cdr, "2.2.1") == cdr


def test_the_specification_example_in_2_1_1_is_valid():
    cdr = example("cdr.json")
    document = cdr_document(cdr, "2.1.1", location_211())
    assert version_schema_errors("2.1.1", "CDR", document) == []
    assert (document["start_date_time"], document["stop_date_time"]) == (cdr["start_date_time"], cdr["end_date_time"])
    assert document["auth_id"] == "DE8ACC12E46L89" and document["auth_method"] == "WHITELIST"
    assert (document["total_cost"], document["total_energy"], document["total_time"]) == (4.00, 15.342, 1.973)
    assert document["tariffs"] == [{"id": "12", "currency": "EUR", "elements": [
        {"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}]}
    ], "last_updated": "2015-02-02T14:15:01Z"}], "no party and no vat in 2.1.1"
    assert document["charging_periods"] == [
        {"start_date_time": "2015-06-29T21:39:09Z", "dimensions": [{"type": "TIME", "volume": 1.973}]}
    ]
    for absent in ("country_code", "party_id", "cdr_token", "cdr_location", "end_date_time", "total_time_cost"):
        assert absent not in document


def test_2_1_1_location_is_the_snapshot_completed_from_the_partners_location():
    document = cdr_document(example("cdr.json"), "2.1.1", location_211())
    location = document["location"]
    assert (location["id"], location["type"], location["address"], location["postal_code"]) == (
        "LOC1", "ON_STREET", "F.Rooseveltlaan 3A", "9000",
    )
    # The snapshot, not today's location: its EVSE id and connector format are the CDR's.
    (evse,) = location["evses"]
    assert (evse["uid"], evse["evse_id"], evse["status"]) == ("3256", "BE*BEC*E041503003", "AVAILABLE")
    assert evse["connectors"] == [{
        "id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_1_PHASE", "voltage": 220,
        "amperage": 16, "tariff_id": "12", "last_updated": "2015-03-16T10:10:02Z",
    }], "the connector's tariff is the one the CDR is priced by"
    assert location["time_zone"] == location_211()["time_zone"], "where the partner's location says it"
    assert location["coordinates"] == {"latitude": "3.729944", "longitude": "51.047599"}, "as the CDR says"


def test_2_1_1_location_of_a_never_published_place_uses_the_defaults():
    document = cdr_document(example("cdr.json"), "2.1.1")
    location = document["location"]
    assert location["type"] == "UNKNOWN" and location["evses"][0]["status"] == "UNKNOWN"
    assert (location["evses"][0]["connectors"][0]["voltage"], location["evses"][0]["connectors"][0]["amperage"]) == (
        230, 16,
    )
    assert location["last_updated"] == "2015-06-29T21:39:09Z", "the snapshot's moment: the session start"
    assert version_schema_errors("2.1.1", "CDR", document) == []


def test_2_1_1_drops_what_it_has_no_words_for():
    fitting = Fitting("2.1.1")
    cdr = example("cdr.json")
    cdr["auth_method"] = "COMMAND"
    cdr["charging_periods"][0]["dimensions"].append({"type": "MAX_POWER", "volume": 11})
    cdr["tariffs"].append({**cdr["tariffs"][0], "id": "13", "elements": [
        {"price_components": [{"type": "FLAT", "price": 1, "step_size": 1}], "restrictions": {"reservation": "RESERVATION"}},
    ]})
    cdr |= {"signed_data": {"encoding_method": "OCMF", "signed_values": [
        {"nature": "Start", "plain_data": "x", "signed_data": "eA=="}]}, "total_parking_time": 0.5, "remark": "Ok"}
    document = cdr_document(cdr, "2.1.1", location_211(), fitting)
    assert document["auth_method"] == "AUTH_REQUEST"
    assert [tariff["id"] for tariff in document["tariffs"]] == ["12"]
    assert document["charging_periods"][0]["dimensions"] == [{"type": "TIME", "volume": 1.973}]
    assert (document["total_parking_time"], document["remark"]) == (0.5, "Ok") and "signed_data" not in document
    assert sorted(warning.field for warning in fitting.warnings) == [
        "charging_periods[].dimensions[MAX_POWER]", "tariffs[13]", "tariffs[13].elements[0]",
    ]
    assert version_schema_errors("2.1.1", "CDR", document) == []


def test_a_credit_cdr_is_not_sent_in_2_1_1():
    fitting = Fitting("2.1.1")
    credit = {**example("cdr.json"), "id": "12345-C", "credit": True, "credit_reference_id": "12345"}
    assert cdr_document(credit, "2.1.1", location_211(), fitting) is None
    assert [warning.field for warning in fitting.warnings] == ["credit"]


def test_a_cdr_at_a_connector_2_1_1_has_no_word_for_is_not_sent_in_2_1_1():
    cdr = example("cdr.json")
    for field, value in (("connector_standard", "GBT_DC"), ("connector_power_type", "AC_2_PHASE")):
        fitting = Fitting("2.1.1")
        unsayable = {**cdr, "cdr_location": {**cdr["cdr_location"], field: value}}
        assert cdr_document(unsayable, "2.1.1", location_211(), fitting) is None
        assert [warning.field for warning in fitting.warnings] == [f"cdr_location.{field}"]
        assert cdr_document(unsayable, "2.2.1") == unsayable
