"""Stored 2.2.1 Sessions in each version's shape: the specification's examples valid as they are in
2.2.1 and, mapped, in 2.1.1 (auth_id, the embedded location, total_cost a number, its dimensions)."""

from __future__ import annotations

import pytest

from evroam.ocpi.fitting import Fitting
from evroam.ocpi.sessions.mapping import session_document
from tests.ocpi.factories import example, version_schema_errors
from tests.ocpi.sessions.examples import location_211


@pytest.mark.parametrize("name", ["session.json", "session_finished.json"])
def test_the_specification_examples_are_valid_2_2_1_and_go_out_as_they_are(name):
    session = example(name)
    assert version_schema_errors("2.2.1", "Session", session) == []
    assert session_document(session, "2.2.1") == session


@pytest.mark.parametrize("name", ["session.json", "session_finished.json"])
def test_the_specification_examples_in_2_1_1_are_valid(name):
    session = example(name)
    document = session_document(session, "2.1.1", location_211())
    assert version_schema_errors("2.1.1", "Session", document) == []
    assert document["id"] == session["id"] and document["start_datetime"] == session["start_date_time"]
    assert document["auth_id"] == session["cdr_token"]["contract_id"] == "NL-TST-C12345678-S"
    assert document["total_cost"] == session["total_cost"]["excl_vat"]
    for absent in ("country_code", "party_id", "cdr_token", "location_id", "evse_uid", "connector_id",
                   "start_date_time", "end_date_time"):
        assert absent not in document


def test_2_1_1_embeds_the_location_trimmed_to_the_evse_and_connector_in_use():
    location = location_211()
    document = session_document({**example("session.json"), "evse_uid": "3256", "connector_id": "2"}, "2.1.1", location)
    (evse,) = document["location"]["evses"]
    assert evse["uid"] == "3256" and [connector["id"] for connector in evse["connectors"]] == ["2"]
    assert evse["connectors"][0] == location["evses"][0]["connectors"][1]
    assert {name: value for name, value in document["location"].items() if name != "evses"} == {
        name: value for name, value in location.items() if name != "evses"
    }


def test_2_1_1_keeps_only_its_dimensions_and_drops_the_tariff_id():
    fitting = Fitting("2.1.1")
    periods = [
        {"start_date_time": "2026-03-01T10:00:00Z", "tariff_id": "T1", "dimensions": [
            {"type": "ENERGY", "volume": 1.5}, {"type": "STATE_OF_CHARGE", "volume": 40}, {"type": "POWER", "volume": 11}]},
        {"start_date_time": "2026-03-01T10:15:00Z", "dimensions": [{"type": "STATE_OF_CHARGE", "volume": 45}]},
    ]
    session = {**example("session_finished.json"), "charging_periods": periods, "end_date_time": "2026-03-01T11:00:00Z"}
    document = session_document(session, "2.1.1", location_211(), fitting)
    assert document["charging_periods"] == [
        {"start_date_time": "2026-03-01T10:00:00Z", "dimensions": [{"type": "ENERGY", "volume": 1.5}]}
    ], "a period with no 2.1.1 dimension is left out"
    assert document["end_datetime"] == "2026-03-01T11:00:00Z"
    assert sorted(warning.field for warning in fitting.warnings) == [
        "charging_periods[].dimensions[POWER]", "charging_periods[].dimensions[STATE_OF_CHARGE]",
    ]
    assert version_schema_errors("2.1.1", "Session", document) == []


def test_2_1_1_says_a_remote_start_as_auth_request_and_leaves_out_absent_cost():
    session = {key: value for key, value in example("session.json").items() if key != "total_cost"}
    document = session_document({**session, "auth_method": "COMMAND"}, "2.1.1", location_211())
    assert document["auth_method"] == "AUTH_REQUEST" and "total_cost" not in document
    assert version_schema_errors("2.1.1", "Session", document) == []


@pytest.mark.parametrize(
    ("changes", "location", "field"),
    [
        ({"status": "RESERVATION"}, location_211(), "status"),
        ({}, None, "location"),
        ({"evse_uid": "3257", "connector_id": "9"}, location_211(), "location"),
    ],
)
def test_what_2_1_1_cannot_say_is_not_sent(changes, location, field):
    fitting = Fitting("2.1.1")
    assert session_document({**example("session.json"), **changes}, "2.1.1", location, fitting) is None
    assert [warning.field for warning in fitting.warnings] == [field]
