"""What the management API says about a bad request: every bad field named (up to the bound) in the error
sentence and in `details`, in evroam's words; an unknown field refused, not dropped; a field the schema
does not document as nullable refused when sent as null; a date-time only in RFC 3339."""

from __future__ import annotations

import pytest

from evroam.errors import MAX_PROBLEMS_NAMED
from tests.integrations.factories import FULL_SITE, socket, tariff_body

API = "/api/v2/cpo"
# Words of the framework that must never reach a caller.
FRAMEWORK_WORDS = ("Value error", "Input should be", "Field required", "Extra inputs", "String should",
                   "pydantic", "Assertion failed")  # fmt: skip
REQUIRED_SITE_FIELDS = ("name", "timezone", "country", "city", "streetAddress", "latitude", "longitude")


def assert_own_words(body: dict) -> None:
    said = [body["error"], *(detail["problem"] for detail in body["details"])]
    assert not [text for text in said if any(word in text for word in FRAMEWORK_WORDS)], said


async def test_the_sentence_names_every_missing_field(client):
    response = await client.post(f"{API}/sites", json={})
    assert response.status_code == 400
    body = response.json()
    assert [detail["field"] for detail in body["details"]] == list(REQUIRED_SITE_FIELDS)
    for field in REQUIRED_SITE_FIELDS:
        assert f"{field}: is required" in body["error"]
    assert_own_words(body)


async def test_the_validators_own_message_arrives_without_the_framework_prefix(client):
    response = await client.post(f"{API}/sites", json={**FULL_SITE, "timezone": "Mars/Olympus"})
    assert response.status_code == 400
    problem = "'Mars/Olympus' is not an IANA time zone such as Europe/Helsinki"
    assert response.json()["details"] == [{"field": "timezone", "problem": problem}]
    assert response.json()["error"] == (
        "Invalid request: timezone: 'Mars/Olympus' is not an IANA time zone such as Europe/Helsinki")


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"name": "n" * 256}, "name", "must be at most 255 characters"),
        ({"name": ""}, "name", "must be at least 1 characters"),
        ({"country": "Finland"}, "country", "must match the pattern ^[A-Z]{3}$"),
        ({"latitude": 91}, "latitude", "must be at most 90"),
        ({"latitude": "north"}, "latitude", "must be a number"),
        ({"isPublic": "perhaps"}, "isPublic", "must be true or false"),
        ({"facilities": "HOTEL"}, "facilities", "must be a list"),
        ({"parkingType": "ROOFTOP"}, "parkingType", "must be one of"),
        ({"owner": "me"}, "owner", "must be an object"),
        ({"openingTimes": {"twentyfourseven": True, "exceptionalOpenings": [
            {"periodBegin": "2025-01-01", "periodEnd": "2025-01-02T00:00:00Z"}]}},
         "openingTimes.exceptionalOpenings.0.periodBegin", "must be a date-time with an offset"),
    ],
)
async def test_each_kind_of_mistake_in_the_apis_words(client, change, field, problem):
    response = await client.post(f"{API}/sites", json={**FULL_SITE, **change})
    assert response.status_code == 400
    body = response.json()
    assert [detail["field"] for detail in body["details"]] == [field]
    assert body["details"][0]["problem"].startswith(problem)
    assert_own_words(body)


async def test_the_sentence_stops_at_the_bound_and_says_how_many_more(client):
    body = {**FULL_SITE, "facilities": ["NOT_A_FACILITY"] * (MAX_PROBLEMS_NAMED + 5)}
    answer = (await client.post(f"{API}/sites", json=body)).json()
    assert answer["error"].count("must be one of") == MAX_PROBLEMS_NAMED
    assert answer["error"].endswith("body: 5 more problems not listed")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("sites", {**FULL_SITE, "nmae": "typo"}, "nmae"),
        ("sites", {**FULL_SITE, "owner": {"name": "Owner", "homepage": "x"}}, "owner.homepage"),
        ("chargers", {"chargerId": "C1", "name": "C", "siteId": 1, "sockets": [{**socket(1), "colour": "red"}]},
         "sockets.0.colour"),
        ("tariffs", {**tariff_body(), "vatIncluded": True}, "vatIncluded"),
        ("integrations", {"integrationName": "eMSP", "models": {"pushCdrs": True}}, "models.pushCdrs"),
        ("spot-prices", {"biddingZone": "FI", "currency": "EUR", "prices": [
            {"start": "2025-01-01T00:00:00Z", "end": "2025-01-01T01:00:00Z", "price": 1, "unit": "MWh"}]},
         "prices.0.unit"),
    ],
)
async def test_an_unknown_field_is_refused_naming_it(client, path, body, field):
    response = await client.post(f"{API}/{path}", json=body)
    assert response.status_code == 400, response.text
    details = response.json()["details"]
    assert {"field": field, "problem": "is not a field of this request (check its spelling)"} in details
    assert field in response.json()["error"]


async def test_an_unknown_field_changes_nothing(client):
    site = (await client.post(f"{API}/sites", json=FULL_SITE)).json()
    response = await client.patch(f"{API}/sites/{site['id']}", json={"name": "Renamed", "postCode": "00100"})
    assert response.status_code == 400
    assert (await client.get(f"{API}/sites/{site['id']}")).json() == site


@pytest.mark.parametrize("field", ["name", "timezone", "latitude"])
async def test_a_field_that_cannot_be_null_is_documented_without_null(app, client, field):
    schema = app.openapi()["components"]["schemas"]["SiteUpdate"]["properties"][field]
    assert "null" not in str(schema)
    site = (await client.post(f"{API}/sites", json=FULL_SITE)).json()
    response = await client.patch(f"{API}/sites/{site['id']}", json={field: None})
    assert (response.status_code, response.json()["details"]) == (400, [{"field": field, "problem": "cannot be null"}])


async def test_a_field_documented_nullable_takes_null(app, client):
    schema = app.openapi()["components"]["schemas"]["SiteUpdate"]["properties"]["publicName"]
    assert {"type": "null"} in schema["anyOf"]
    site = (await client.post(f"{API}/sites", json={**FULL_SITE, "publicName": "Shown"})).json()
    response = await client.patch(f"{API}/sites/{site['id']}", json={"publicName": None})
    assert response.status_code == 200 and "publicName" not in response.json()


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2025-01-01", "2025-01-01T10:00Z", "2025-01-01T10:00:00"])
async def test_a_date_time_is_rfc_3339_with_an_offset(client, value):
    response = await client.get(f"{API}/spot-prices", params={"to": value})
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"field": "to", "problem": "must be a date-time with an offset, such as 2025-01-31T12:00:00Z"}]  # fmt: skip


async def test_an_rfc_3339_date_time_is_taken(client):
    response = await client.get(f"{API}/spot-prices", params={"to": "2025-01-01T10:00:00.5+02:00"})
    assert response.status_code == 200


async def test_an_environmental_impact_too_large_to_publish_is_refused(client):
    """Schemathesis found it: 1e308 g/kWh was stored, and every later document of the site failed."""
    energy_mix = {"isGreenEnergy": False, "environImpact": [{"category": "CARBON_DIOXIDE", "amount": 1e308}]}
    response = await client.post(f"{API}/sites", json={**FULL_SITE, "energyMix": energy_mix})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "energyMix.environImpact.0.amount"


@pytest.mark.parametrize(("body", "field", "problem"), [
    ({"chargerId": "C1", "name": "C", "siteId": "1"}, "siteId", "must be an integer"),
    ({"chargerId": "C1", "name": "C", "siteId": True}, "siteId", "must be an integer"),
    ({"chargerId": "C1", "name": "C", "siteId": 1, "activeConnection": 0}, "activeConnection", "must be true or false"),
    ({"chargerId": "C1", "name": "C", "siteId": 1, "sockets": [socket(1, maxPower=" 22")]}, "sockets.0.maxPower",
     "must be a number"),
    ({"chargerId": "C1", "name": "C", "siteId": 1, "sockets": [socket(1, maxPower="1_000")]}, "sockets.0.maxPower",
     "must be a number"),
])  # fmt: skip
async def test_numbers_and_flags_are_taken_only_as_documented(client, body, field, problem):
    response = await client.post(f"{API}/chargers", json=body)
    assert response.status_code == 400
    assert {"field": field, "problem": problem} in response.json()["details"]


async def test_a_decimal_string_in_plain_notation_is_taken(client):
    site = (await client.post(f"{API}/sites", json={**FULL_SITE, "latitude": "60.1675"})).json()
    assert site["latitude"] == 60.1675
