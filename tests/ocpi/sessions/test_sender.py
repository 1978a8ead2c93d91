"""GET /ocpi/{version}/sessions (ocpi-notes §10.2, §2.6): the sessions the ledger holds for the caller's
integration, in its version, paged with date filters; PUT .../charging_preferences (2.2.1) answered
NOT_POSSIBLE."""

from __future__ import annotations

from typing import Any

import pytest

from evroam.ocpi.sessions.mapping import session_document
from tests.ocpi.factories import example, version_schema_errors
from tests.ocpi.sender_support import STAMPS, client_of, crawl, put_in_ledger
from tests.ocpi.sessions.examples import location_211
from tests.support.ocpi_partner import register_partner

def sessions(version: str, prefix: str = "S") -> list[dict[str, Any]]:
    """Five sessions as a partner of `version` sees them, stored newest first: the list's order is the
    ledger's, not last_updated's."""
    stored = [{**example("session_finished.json"), "id": f"{prefix}-{index}", "last_updated": stamp}
              for index, stamp in enumerate(STAMPS)]  # fmt: skip
    return [session_document(session, version, location_211()) for session in reversed(stored)]


@pytest.mark.parametrize("version", ["2.2.1", "2.1.1"])
async def test_pages_of_a_date_window_follow_the_links(app, runtime, version):
    partner = await register_partner(runtime, version)
    await put_in_ledger(runtime, partner.integration_id, "sessions", sessions(version))
    colleague = await register_partner(runtime, version)
    await put_in_ledger(runtime, colleague.integration_id, "sessions", sessions(version, prefix="OTHER"))
    url = f"/ocpi/{version}/sessions"
    async with client_of(app, partner) as client:
        window = {"date_from": "2026-03-01T11:00:00Z", "date_to": "2026-03-01T14:00:00Z", "limit": 2}
        pages = await crawl(client, url, window)
        everything = await crawl(client, url, {"date_from": "2015-01-01T00:00:00Z"})
    assert len(pages) == 2
    assert [page.headers["x-total-count"] for page in pages] == ["3", "3"]
    assert {page.headers["x-limit"] for page in pages} == {"1000"}
    assert "date_from=2026-03-01T11%3A00%3A00Z" in pages[0].headers["link"]
    assert "date_to=2026-03-01T14%3A00%3A00Z" in pages[0].headers["link"]
    listed = [document for page in pages for document in page.json()["data"]]
    assert [document["id"] for document in listed] == ["S-3", "S-2", "S-1"], "from 11:00 on, before 14:00"
    assert all(version_schema_errors(version, "Session", document) == [] for document in listed)
    assert [document["id"] for document in everything[0].json()["data"]] == ["S-4", "S-3", "S-2", "S-1", "S-0"]
    if version == "2.1.1":
        assert listed[0]["auth_id"] == "NL-TST-C12345678-S" and listed[0]["location"]["id"] == "LOC1"


async def test_a_list_without_date_from_is_served_whole(app, runtime, partner, ocpi_client):
    await put_in_ledger(runtime, partner.integration_id, "sessions", sessions("2.2.1"))
    response = await ocpi_client.get("/ocpi/2.2.1/sessions", params={"offset": 3})
    assert [document["id"] for document in response.json()["data"]] == ["S-1", "S-0"]
    assert response.headers["x-total-count"] == "5" and "link" not in response.headers


async def test_not_offered_other_version_and_bad_parameters(app, runtime):
    closed = await register_partner(runtime, models={"pullSession": False})
    async with client_of(app, closed) as client:
        refused = await client.get("/ocpi/2.2.1/sessions")
    assert refused.status_code == 404 and refused.json()["status_code"] == 2000
    partner = await register_partner(runtime, "2.1.1")
    async with client_of(app, partner) as client:
        wrong_version = await client.get("/ocpi/2.2.1/sessions")
        bad = await client.get("/ocpi/2.1.1/sessions", params={"date_from": "yesterday"})
    assert wrong_version.status_code == 404
    assert bad.status_code == 200 and bad.json()["status_code"] == 2001 and "date_from" in bad.json()["status_message"]


async def test_charging_preferences_are_not_possible(runtime, partner, ocpi_client):
    await put_in_ledger(runtime, partner.integration_id, "sessions", sessions("2.2.1"))
    url = "/ocpi/2.2.1/sessions/S-1/charging_preferences"
    answer = await ocpi_client.put(url, json={"profile_type": "FAST", "departure_time": "2026-03-01T18:00:00Z",
                                              "energy_need": 20.5})  # fmt: skip
    assert answer.status_code == 200
    assert (answer.json()["status_code"], answer.json()["data"]) == (1000, "NOT_POSSIBLE")
    for body, field in (({"profile_type": "TURBO"}, "profile_type"),
                        ({"profile_type": "FAST", "departure_time": 1772388000}, "departure_time"),
                        ({"profile_type": "FAST", "energy_need": "20"}, "energy_need"),
                        ({"profile_type": "FAST", "departure_time": None}, "departure_time")):
        bad = await ocpi_client.put(url, json=body)
        assert bad.json()["status_code"] == 2001 and field in bad.json()["status_message"], body
    unknown = await ocpi_client.put("/ocpi/2.2.1/sessions/S-9/charging_preferences", json={"profile_type": "FAST"})
    assert unknown.status_code == 404 and unknown.json()["status_code"] == 2003


async def test_2_1_1_has_no_charging_preferences(app, runtime):
    partner = await register_partner(runtime, "2.1.1")
    await put_in_ledger(runtime, partner.integration_id, "sessions", sessions("2.1.1"))
    async with client_of(app, partner) as client:
        answer = await client.put("/ocpi/2.1.1/sessions/S-1/charging_preferences", json={"profile_type": "FAST"})
    assert answer.status_code in (404, 405) and answer.json().get("data") != "NOT_POSSIBLE"
