"""/api/v2/cpo/spot-prices on both engines: JSON, CSV and ENTSO-E XML imports, re-imports that
replace, listing, bad input naming the field, and what another operator sees."""

from __future__ import annotations

import pytest

from tests.tariffs.pricing_support import FIXTURES

SPOT_PRICES = "/api/v2/cpo/spot-prices"
IMPORT = f"{SPOT_PRICES}/import"
CSV = {"content-type": "text/csv"}
XML = {"content-type": "application/xml"}
HOURLY_XML = (FIXTURES / "entsoe_day_ahead_fi_pt60m_a01.xml").read_bytes()
QUARTER_XML = (FIXTURES / "entsoe_day_ahead_fi_pt15m_a03.xml").read_bytes()
FI_SE3_CSV = (FIXTURES / "spot_prices_fi_se3.csv").read_bytes()
TWO_HOURS = {
    "biddingZone": "FI",
    "currency": "EUR",
    "prices": [
        {"start": "2026-11-23T13:00:00Z", "end": "2026-11-23T14:00:00Z", "price": 0.10},
        {"start": "2026-11-23T16:00:00+02:00", "end": "2026-11-23T17:00:00+02:00", "price": "0.30"},
    ],
}


def fields(response) -> list[str]:
    assert response.status_code == 400, response.text
    return [detail["field"] for detail in response.json()["details"]]


async def listed(client, **params) -> dict:
    response = await client.get(SPOT_PRICES, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_json_import_then_list(client):
    response = await client.post(SPOT_PRICES, json=TWO_HOURS)
    assert response.status_code == 201, response.text
    assert response.json() == {"zones": [{
        "biddingZone": "FI", "currency": "EUR", "intervals": 2, "replaced": 0,
        "start": "2026-11-23T13:00:00Z", "end": "2026-11-23T15:00:00Z",
    }]}  # fmt: skip
    page = await listed(client, biddingZone="FI")
    assert page["totalRecords"] == 2 and page["hasNextPage"] is False
    first, second = page["items"]
    assert (first["start"], first["end"], first["price"], first["currency"]) == (
        "2026-11-23T13:00:00Z", "2026-11-23T14:00:00Z", 0.1, "EUR")  # fmt: skip
    assert (second["start"], second["price"]) == ("2026-11-23T14:00:00Z", 0.3), "offsets are stored as UTC"
    assert first["importedAt"].endswith("Z")


async def test_csv_import_holds_several_zones(client):
    response = await client.post(IMPORT, content=FI_SE3_CSV, headers={"content-type": "text/csv; charset=utf-8"})
    assert response.status_code == 201, response.text
    zones = {zone["biddingZone"]: zone for zone in response.json()["zones"]}
    assert (zones["FI"]["intervals"], zones["FI"]["currency"]) == (2, "EUR")
    assert (zones["SE3"]["intervals"], zones["SE3"]["start"]) == (1, "2026-11-23T12:00:00Z")
    fi = (await listed(client, biddingZone="FI"))["items"]
    assert [item["price"] for item in fi] == [0.0963, 0.27], "per MWh in the file, per kWh stored"
    assert (await listed(client))["totalRecords"] == 3


async def test_xml_import_needs_the_zone_name_and_reimport_replaces(client):
    assert fields(await client.post(IMPORT, content=HOURLY_XML, headers=XML)) == ["biddingZone"]
    hourly = await client.post(IMPORT, params={"biddingZone": "FI"}, content=HOURLY_XML, headers=XML)
    assert hourly.status_code == 201, hourly.text
    assert hourly.json()["zones"][0] == {
        "biddingZone": "FI", "currency": "EUR", "intervals": 24, "replaced": 0,
        "start": "2026-11-22T23:00:00Z", "end": "2026-11-23T23:00:00Z",
    }  # fmt: skip
    afternoon = await listed(client, biddingZone="FI", **{"from": "2026-11-23T14:00:00Z", "to": "2026-11-23T15:00:00Z"})
    assert [(item["start"], item["price"]) for item in afternoon["items"]] == [("2026-11-23T14:00:00Z", 0.27)]

    quarters = await client.post(IMPORT, params={"biddingZone": "FI"}, content=QUARTER_XML,
                                 headers={"content-type": "text/xml"})  # fmt: skip
    assert quarters.status_code == 201, quarters.text
    assert (quarters.json()["zones"][0]["intervals"], quarters.json()["zones"][0]["replaced"]) == (96, 24)
    assert (await listed(client, biddingZone="FI", limit=1))["totalRecords"] == 96
    at_two = await listed(client, biddingZone="FI", **{"from": "2026-11-23T13:00:00Z", "to": "2026-11-23T14:00:00Z"})
    assert [item["price"] for item in at_two["items"]] == [0.2104, 0.265, 0.265, 0.265], "A03 gaps repeat the last"

    corrected = {"biddingZone": "FI", "currency": "EUR",
                 "prices": [{"start": "2026-11-23T13:15:00Z", "end": "2026-11-23T13:30:00Z", "price": 0.2}]}
    again = await client.post(SPOT_PRICES, json=corrected)
    assert again.status_code == 201 and again.json()["zones"][0]["replaced"] == 1
    at_two = await listed(client, biddingZone="FI", **{"from": "2026-11-23T13:00:00Z", "to": "2026-11-23T14:00:00Z"})
    assert [item["price"] for item in at_two["items"]] == [0.2104, 0.2, 0.265, 0.265]


async def test_listing_pages_and_filters(client):
    await client.post(IMPORT, params={"biddingZone": "FI"}, content=HOURLY_XML, headers=XML)
    await client.post(IMPORT, content=FI_SE3_CSV, headers=CSV)
    page = await listed(client, biddingZone="FI", limit=10, page=3)
    shape = (page["totalRecords"], len(page["items"]), page["hasPreviousPage"], page["hasNextPage"])
    assert shape == (24, 4, True, False)
    assert page["items"][-1]["price"] == -0.00125, "negative prices are kept"
    se3 = await listed(client, biddingZone="SE3")
    assert [(item["currency"], item["price"]) for item in se3["items"]] == [("SEK", 1.0125)]
    assert (await listed(client, biddingZone="DK1"))["totalRecords"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**TWO_HOURS, "currency": "eur"}, "currency"),
        ({**TWO_HOURS, "currency": "EURO"}, "currency"),
        ({**TWO_HOURS, "biddingZone": "10YFI-1--------U"}, "biddingZone"),
        ({**TWO_HOURS, "prices": []}, "prices"),
        ({**TWO_HOURS, "prices": [{"start": "2026-11-23T13:00:00", "end": "2026-11-23T14:00:00Z", "price": 1}]},
         "prices.0.start"),
        ({**TWO_HOURS, "prices": [{"start": "2026-11-23T13:00:00Z", "end": "2026-11-23T14:00:00Z", "price": "x"}]},
         "prices.0.price"),
        ({**TWO_HOURS, "prices": [{"start": "2026-11-23T13:00:00Z", "end": "2026-11-23T14:00:00Z",
                                   "price": 0.123456789}]}, "prices.0.price"),
        ({**TWO_HOURS, "prices": [{"start": "2026-11-23T14:00:00Z", "end": "2026-11-23T14:00:00Z", "price": 1}]},
         "prices.0.end"),
        ({**TWO_HOURS, "prices": [{"start": "2026-11-23T14:00:00Z", "end": "2026-11-23T13:00:00Z", "price": 1}]},
         "prices.0.end"),
        ({**TWO_HOURS, "prices": [*TWO_HOURS["prices"],
                                  {"start": "2026-11-23T13:30:00Z", "end": "2026-11-23T13:45:00Z", "price": 1}]},
         "prices.2.start"),
        ({key: value for key, value in TWO_HOURS.items() if key != "biddingZone"}, "biddingZone"),
    ],
)
async def test_bad_json_names_the_field_and_stores_nothing(client, body, field):
    assert field in fields(await client.post(SPOT_PRICES, json=body))
    assert (await listed(client))["totalRecords"] == 0


async def test_overlap_problem_names_both_intervals(client):
    body = {**TWO_HOURS, "prices": [*TWO_HOURS["prices"],
                                    {"start": "2026-11-23T13:30:00Z", "end": "2026-11-23T13:45:00Z", "price": 1}]}
    detail = (await client.post(SPOT_PRICES, json=body)).json()["details"][0]
    assert detail == {"field": "prices.2.start", "problem": "the interval of FI starting 2026-11-23T13:30Z overlaps "
                      "the interval of FI starting 2026-11-23T13:00Z"}  # fmt: skip


HEADER = b"bidding_zone,start,end,currency,price_per_kwh\n"
# A good zone after the bad one: an import is refused whole, so this one must not be stored either.
GOOD_SE3 = b"SE3,2026-11-23T10:00:00Z,2026-11-23T11:00:00Z,SEK,1\n"
FI_13 = b"FI,2026-11-23T13:00:00Z,2026-11-23T14:00:00Z,EUR,0.1\n"


@pytest.mark.parametrize(
    ("content", "field", "fragment"),
    [
        (b"zone,start,end\nFI,x,y\n", "header (line 1)", "bidding_zone"),
        (HEADER, "prices", "holds no price interval"),
        (HEADER + b"FI,yesterday,2026-11-23T14:00:00Z,EUR,0.1\n" + GOOD_SE3, "start (line 2)", "RFC 3339"),
        (HEADER + FI_13 + b"FI,2026-11-23T13:30:00Z,2026-11-23T14:30:00Z,EUR,0.1\n" + GOOD_SE3, "start", "overlaps"),
        (HEADER + FI_13 + b"FI,2026-11-23T14:00:00Z,2026-11-23T15:00:00Z,SEK,1\n" + GOOD_SE3, "currency",
         "one currency per zone"),
        (HEADER + b"FI,2026-11-23T13:00:00Z,2026-11-23T13:00:00Z,EUR,0.1\n" + GOOD_SE3, "end",
         "does not end after it starts"),
        (HEADER + b"FI,2026-11-23T13:00:00Z,2026-11-23T14:00:00Z,Euro,0.1\n" + GOOD_SE3, "currency", "ISO 4217"),
        (HEADER + b"FI,2026-11-23T13:00:00Z,2026-11-23T14:00:00Z,EUR,0.123456789\n" + GOOD_SE3, "price",
         "more than 8 decimals"),
        (HEADER + b"FI,2026-11-23T13:00:00Z,2026-11-24T14:00:00Z,EUR,0.1\n" + GOOD_SE3, "end", "more than a day"),
        (HEADER + b"\xff\xfe", "body", "UTF-8"),
    ],
)
async def test_bad_csv_names_the_problem_and_stores_nothing(client, content, field, fragment):
    response = await client.post(IMPORT, content=content, headers=CSV)
    assert fields(response) == [field]
    assert fragment in response.json()["details"][0]["problem"]
    assert (await listed(client))["totalRecords"] == 0


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"<Publication_MarketDocument><TimeSeries>", "document"),
        (b"<html><body>Service unavailable</body></html>", "document"),
        (HOURLY_XML.replace(b"<resolution>PT60M</resolution>", b"<resolution>P1W</resolution>"),
         "TimeSeries[0].Period[0].resolution"),
        (HOURLY_XML.replace(b"MWH", b"KWH"), "TimeSeries[0].price_Measure_Unit.name"),
    ],
)
async def test_bad_xml_names_the_problem(client, content, field):
    response = await client.post(IMPORT, params={"biddingZone": "FI"}, content=content, headers=XML)
    assert fields(response) == [field]
    assert (await listed(client))["totalRecords"] == 0


async def test_bad_parameters_and_media_type(client):
    assert fields(await client.post(IMPORT, content=FI_SE3_CSV, headers={"content-type": "application/json"})) == [
        "content-type"]  # fmt: skip
    assert fields(await client.post(IMPORT, params={"biddingZone": "fi"}, content=HOURLY_XML, headers=XML)) == [
        "biddingZone"]  # fmt: skip
    assert fields(await client.post(IMPORT, params={"biddingZone": "SE3"}, content=FI_SE3_CSV, headers=CSV)) == [
        "biddingZone"], "a zone given with a CSV file is a check that it holds no other"  # fmt: skip
    empty_range = {"from": "2026-11-23T14:00:00Z", "to": "2026-11-23T14:00:00Z"}
    assert fields(await client.get(SPOT_PRICES, params=empty_range)) == ["to"]
    assert fields(await client.get(SPOT_PRICES, params={"from": "yesterday"})) == ["from"]
    assert fields(await client.get(SPOT_PRICES, params={"biddingZone": "x"})) == ["biddingZone"]
    assert fields(await client.get(SPOT_PRICES, params={"limit": 101})) == ["limit"]


async def test_other_operator_neither_sees_nor_overwrites(client, other_client):
    assert (await client.post(SPOT_PRICES, json=TWO_HOURS)).status_code == 201
    assert (await listed(other_client))["totalRecords"] == 0
    theirs = {**TWO_HOURS, "prices": [{**TWO_HOURS["prices"][0], "price": 9.99}]}
    response = await other_client.post(SPOT_PRICES, json=theirs)
    assert response.status_code == 201 and response.json()["zones"][0]["replaced"] == 0
    assert [item["price"] for item in (await listed(client))["items"]] == [0.1, 0.3]
    assert [item["price"] for item in (await listed(other_client))["items"]] == [9.99]


async def test_missing_and_unknown_key(client):
    assert (await client.get(SPOT_PRICES, headers={"x-api-key": ""})).status_code == 401
    assert (await client.post(SPOT_PRICES, json=TWO_HOURS, headers={"x-api-key": "nope"})).status_code == 401
    assert (await client.post(IMPORT, content=FI_SE3_CSV, headers={**CSV, "x-api-key": "nope"})).status_code == 401
