"""GET /ocpi/{version}/cdrs (ocpi-notes §11.2, §2.6): the CDRs the ledger holds for the caller's
integration, in its version, paged with date filters."""

from __future__ import annotations

import pytest

from evroam.ocpi.cdrs.mapping import cdr_document
from tests.ocpi.factories import example, version_schema_errors
from tests.ocpi.sender_support import STAMPS, client_of, crawl, put_in_ledger
from tests.ocpi.sessions.examples import location_211
from tests.support.ocpi_partner import register_partner


def cdrs(version: str, prefix: str = "C") -> list[dict]:
    stored = [{**example("cdr.json"), "id": f"{prefix}-{index}", "last_updated": stamp}
              for index, stamp in enumerate(STAMPS)]  # fmt: skip
    return [cdr_document(cdr, version, location_211()) for cdr in stored]


@pytest.mark.parametrize("version", ["2.2.1", "2.1.1"])
async def test_pages_of_a_date_window_follow_the_links(app, runtime, version):
    partner = await register_partner(runtime, version)
    await put_in_ledger(runtime, partner.integration_id, "cdrs", cdrs(version))
    colleague = await register_partner(runtime, version)
    await put_in_ledger(runtime, colleague.integration_id, "cdrs", cdrs(version, prefix="OTHER"))
    async with client_of(app, partner) as client:
        pages = await crawl(client, f"/ocpi/{version}/cdrs", {"date_from": "2026-03-01T12:00:00Z", "limit": 1})
        before = await crawl(client, f"/ocpi/{version}/cdrs", {"date_to": "2026-03-01T12:00:00Z"})
    assert [page.headers["x-total-count"] for page in pages] == ["3", "3", "3"]
    listed = [document for page in pages for document in page.json()["data"]]
    assert [document["id"] for document in listed] == ["C-2", "C-3", "C-4"]
    assert [document["id"] for page in before for document in page.json()["data"]] == ["C-0", "C-1"]
    assert all(version_schema_errors(version, "CDR", document) == [] for document in listed)
    if version == "2.1.1":
        assert "stop_date_time" in listed[0] and listed[0]["total_cost"] == 4.0


async def test_not_offered(app, runtime):
    closed = await register_partner(runtime, models={"pullCdr": False})
    async with client_of(app, closed) as client:
        refused = await client.get("/ocpi/2.2.1/cdrs")
    assert refused.status_code == 404 and refused.json()["status_code"] == 2000
