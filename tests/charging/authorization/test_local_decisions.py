"""Whitelisted tokens decided from the stored copy, the decision log per charger, and bad input."""

from __future__ import annotations

import pytest

from tests.charging.authorization.conftest import AUTHORIZE, Published
from tests.support.authorizing_emsp import info, published_integration, site_with_charger, store_token


@pytest.mark.parametrize("whitelist", ["ALWAYS", "ALLOWED"])
@pytest.mark.parametrize("valid", [True, False])
async def test_whitelisted_token_decides_locally_and_is_recorded(published: Published, whitelist, valid) -> None:
    document = await store_token(published.runtime, published.integration_id, "04A1B2C3", whitelist=whitelist,
                                 valid=valid)
    published.emsp.script["04A1B2C3"] = info("BLOCKED" if valid else "ALLOWED")  # never asked
    answer = await published.authorize("04a1b2c3")  # CiString: the case of the card does not matter
    assert answer["allowed"] is valid
    assert answer["status"] == ("ALLOWED" if valid else "BLOCKED")
    assert answer["source"] == "LOCAL"
    assert answer["integrationId"] == published.integration_id
    assert answer["token"] == document
    assert whitelist in answer["reason"] and "04A1B2C3" in answer["reason"]
    assert 1 <= len(answer["authorizationReference"]) <= 36
    assert published.emsp.received == []
    listed = await published.decisions()
    assert listed["totalRecords"] == 1
    row = listed["items"][0]
    assert row["authorizationReference"] == answer["authorizationReference"]
    assert row["idTag"] == "04a1b2c3" and row["socketId"] == 1 and row["allowed"] is valid
    assert row["evseUid"] == "CH-1-1" and row["locationId"] and row["token"] == document


async def test_decisions_are_listed_newest_first_and_paged(published: Published) -> None:
    await store_token(published.runtime, published.integration_id, "AAA111")
    references = [(await published.authorize("AAA111", socket_id=n % 2 + 1))["authorizationReference"]
                  for n in range(3)]
    first = await published.decisions(limit=2)
    assert first["totalRecords"] == 3 and first["hasNextPage"] is True
    second = await published.decisions(limit=2, page=2)
    listed = [item["authorizationReference"] for item in first["items"] + second["items"]]
    assert listed == references[::-1]


async def test_unknown_idtag_without_a_hub_is_unknown_and_nobody_is_asked(published: Published) -> None:
    published.emsp.script["FFFF0000"] = info("ALLOWED")
    answer = await published.authorize("FFFF0000")
    assert answer["allowed"] is False and answer["status"] == "UNKNOWN" and answer["source"] == "LOCAL"
    assert answer["integrationId"] is None and answer["token"] is None
    assert published.emsp.received == [], "an eMSP is never asked about an idTag it did not give us"
    assert (await published.decisions())["items"][0]["status"] == "UNKNOWN"


async def test_tokens_count_only_where_the_charger_is_published(published: Published) -> None:
    # A second integration whose location excludes the site's chargers, and one holding only CH-2.
    other_site = await site_with_charger(published.client, "CH-2")
    excluded = await published_integration(published.client, published.runtime, published.emsp, published.site_id,
                                           excludeChargers=True)
    elsewhere = await published_integration(published.client, published.runtime, published.emsp, other_site)
    await store_token(published.runtime, excluded, "CAFE01")
    await store_token(published.runtime, elsewhere, "CAFE01")
    answer = await published.authorize("CAFE01")
    assert answer["status"] == "UNKNOWN" and answer["allowed"] is False
    assert (await published.authorize("CAFE01", charger_id="CH-2"))["integrationId"] == elsewhere


async def test_a_picked_charger_counts_for_its_integration(published: Published) -> None:
    picked = await published_integration(published.client, published.runtime, published.emsp, published.site_id,
                                         excludeChargers=True, chargerIds=["CH-1"])
    await store_token(published.runtime, picked, "BEEF02")
    answer = await published.authorize("BEEF02", socket_id=2)
    assert answer["allowed"] is True and answer["integrationId"] == picked


async def test_a_whitelisted_valid_token_wins_over_others_of_the_same_uid(published: Published) -> None:
    second = await published_integration(published.client, published.runtime, published.emsp, published.site_id)
    await store_token(published.runtime, published.integration_id, "D00D", whitelist="NEVER")
    await store_token(published.runtime, second, "D00D", whitelist="ALWAYS", party_id="TWO")
    await store_token(published.runtime, second, "D00D", whitelist="ALWAYS", valid=False, party_id="BAD")
    for _ in range(2):
        answer = await published.authorize("D00D")
        assert answer["integrationId"] == second and answer["token"]["party_id"] == "TWO"
        assert answer["source"] == "LOCAL" and answer["allowed"] is True
    assert published.emsp.received == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"idTag": ""}, "idTag"),
        ({"idTag": "A" * 37}, "idTag"),
        ({"idTag": "AB CD"}, "idTag"),
        ({"idTag": "AB\u0001"}, "idTag"),
        ({"idTag": "ÄB"}, "idTag"),
        ({"idTag": 1234}, "idTag"),
        ({"socketId": "1"}, "socketId"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_input_is_400_naming_the_field_and_records_nothing(published: Published, body, field) -> None:
    response = await published.client.post(AUTHORIZE, json={"chargerId": "CH-1", "socketId": 1, "idTag": "AB", **body})
    assert response.status_code == 400, response.text
    assert field in [detail["field"] for detail in response.json()["details"]]
    assert (await published.decisions())["totalRecords"] == 0


async def test_unknown_charger_socket_or_another_operators_charger_is_404(published: Published, other_client) -> None:
    await store_token(published.runtime, published.integration_id, "AB")
    for body in ({"chargerId": "NOPE", "socketId": 1}, {"chargerId": "CH-1", "socketId": 3}):
        response = await published.client.post(AUTHORIZE, json={**body, "idTag": "AB"})
        assert response.status_code == 404, response.text
    response = await other_client.post(AUTHORIZE, json={"chargerId": "CH-1", "socketId": 1, "idTag": "AB"})
    assert response.status_code == 404
    assert (await other_client.get("/api/v2/cpo/chargers/CH-1/authorizations")).status_code == 404
    assert (await published.decisions())["totalRecords"] == 0
