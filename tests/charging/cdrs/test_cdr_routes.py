"""GET /cdrs (filters, pages) and GET /cdrs/{id} with the costs without and with VAT."""

from __future__ import annotations

import httpx

from tests.charging.cdrs.conftest import Stops

CDRS = "/api/v2/cpo/cdrs"


async def listed(client: httpx.AsyncClient, **params) -> dict:
    response = await client.get(CDRS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_one_cdr_with_its_costs(client: httpx.AsyncClient, stops: Stops) -> None:
    cdr = await stops.stop()
    response = await client.get(f"{CDRS}/{cdr.id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cdr"] == cdr.document
    assert (body["integrationId"], body["sessionId"], body["chargerId"], body["siteId"]) == (
        "INT-CDRS-1", "SESSION-1", "CH-CDR-1", stops.site_id)
    assert (body["totalEnergy"], body["totalTime"], body["totalParkingTime"]) == (10.0, 1.5, 0.5)
    assert body["costs"] == {
        "total": {"exclVat": 5.0, "inclVat": 6.2, "vat": 1.2},
        "fixed": {"exclVat": 1.0, "inclVat": 1.24, "vat": 0.24},
        "energy": {"exclVat": 3.0, "inclVat": 3.72, "vat": 0.72},
        "time": {"exclVat": 0.0, "inclVat": 0.0, "vat": 0.0},
        "parking": {"exclVat": 1.0, "inclVat": 1.24, "vat": 0.24},
        "reservation": None,
    }
    assert (body["credit"], body["creditReferenceId"], body["currency"]) == (False, None, "EUR")


async def test_filters_and_pages(client: httpx.AsyncClient, stops: Stops) -> None:
    early = await stops.stop("S-EARLY", start_date_time="2026-11-01T10:00:00Z",
                             charging_periods=[{"start_date_time": "2026-11-01T10:00:00Z",
                                                "dimensions": [{"type": "ENERGY", "volume": 10.0}]}],
                             end_date_time="2026-11-01T11:00:00Z")  # fmt: skip
    late = await stops.stop("S-LATE")
    other_charger = await stops.stop("S-CH2", charger_id="CH-CDR-2", integration_id="INT-CDRS-2")
    everything = await listed(client)
    assert [item["id"] for item in everything["items"]][-1] == early.id  # latest sessions first
    assert everything["totalRecords"] == 3
    assert [item["id"] for item in (await listed(client, chargerId="CH-CDR-2"))["items"]] == [other_charger.id]
    assert [item["id"] for item in (await listed(client, integrationId="INT-CDRS-2"))["items"]] == [other_charger.id]
    assert (await listed(client, siteId=stops.site_id))["totalRecords"] == 3
    assert (await listed(client, siteId=stops.site_id + 1000))["totalRecords"] == 0
    window = await listed(client, **{"from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z"})
    assert [item["id"] for item in window["items"]] == [early.id]
    after = await listed(client, **{"from": "2026-11-02T10:00:00Z"})
    assert {item["id"] for item in after["items"]} == {late.id, other_charger.id}
    first = await listed(client, limit=2)
    second = await listed(client, limit=2, page=2)
    assert (first["hasNextPage"], second["hasNextPage"], second["hasPreviousPage"]) == (True, False, True)
    assert len({item["id"] for item in first["items"] + second["items"]}) == 3


async def test_bad_queries_and_other_operators(client: httpx.AsyncClient, other_client: httpx.AsyncClient,
                                               stops: Stops) -> None:  # fmt: skip
    cdr = await stops.stop()
    for params in ({"from": "2026-11-03T00:00:00Z", "to": "2026-11-02T00:00:00Z"}, {"siteId": "x"},
                   {"from": "yesterday"}, {"limit": 101}, {"chargerid": "CH-CDR-1"}):  # fmt: skip
        response = await client.get(CDRS, params=params)
        assert response.status_code == 400, (params, response.text)
    assert (await client.get(f"{CDRS}/NO-SUCH")).status_code == 404
    assert (await other_client.get(f"{CDRS}/{cdr.id}")).status_code == 404
    assert (await other_client.get(CDRS)).json()["totalRecords"] == 0
