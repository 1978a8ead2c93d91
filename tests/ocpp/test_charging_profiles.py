"""A charger's GetCompositeSchedule answer as the ActiveChargingProfile an eMSP is sent (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ocpp.v16 import call_result

from evroam.ocpp.charging_profiles import NoActiveProfile, active_profile

ANSWERED_AT = datetime(2026, 12, 1, 10, 0, 5, tzinfo=UTC)


def accepted(schedule: dict | None, schedule_start: str | None = None) -> call_result.GetCompositeSchedule:
    """The `.conf` as the library hands it: nested objects in snake_case."""
    return call_result.GetCompositeSchedule(status="Accepted", connector_id=1, schedule_start=schedule_start,
                                            charging_schedule=schedule)


def test_the_schedule_is_the_profile_from_its_start_in_utc() -> None:
    schedule = {"charging_rate_unit": "W", "duration": 900, "start_schedule": "2026-12-01T09:00:00Z",
                "min_charging_rate": 1400, "charging_schedule_period": [
                    {"start_period": 0, "limit": 11000, "number_phases": 3}, {"start_period": 600, "limit": 7400.1}]}
    assert active_profile(accepted(schedule, "2026-12-01T12:00:00+02:00"), ANSWERED_AT) == {
        "start_date_time": "2026-12-01T10:00:00Z",
        "charging_profile": {"start_date_time": "2026-12-01T09:00:00Z", "duration": 900, "charging_rate_unit": "W",
                             "min_charging_rate": 1400.0, "charging_profile_period": [
                                 {"start_period": 0, "limit": 11000.0}, {"start_period": 600, "limit": 7400.1}]},
    }


def test_a_schedule_without_its_start_counts_from_the_answer_and_finer_rates_are_rounded() -> None:
    schedule = {"charging_rate_unit": "A", "charging_schedule_period": [{"start_period": 0, "limit": 15.94}]}
    assert active_profile(accepted(schedule), ANSWERED_AT) == {
        "start_date_time": "2026-12-01T10:00:05Z",
        "charging_profile": {"charging_rate_unit": "A", "charging_profile_period": [{"start_period": 0, "limit": 15.9}]},
    }


@pytest.mark.parametrize(("schedule", "schedule_start", "naming"), [
    (None, None, "without a charging schedule"),
    ({"charging_rate_unit": "W", "charging_schedule_period": []}, "yesterday", "scheduleStart 'yesterday'"),
    ({"charging_rate_unit": "kW", "charging_schedule_period": []}, None, "charging_profile.charging_rate_unit"),
    ({"charging_rate_unit": "W", "charging_schedule_period": [{"start_period": -5, "limit": 1}]}, None,
     "charging_profile.charging_profile_period.0.start_period"),
])
def test_an_answer_with_no_profile_says_why(schedule: dict | None, schedule_start: str | None, naming: str) -> None:
    with pytest.raises(NoActiveProfile, match=naming):
        active_profile(accepted(schedule, schedule_start), ANSWERED_AT)
