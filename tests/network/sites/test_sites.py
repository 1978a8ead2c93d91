"""/api/v2/cpo/sites on both engines: the happy paths, bad input, and another operator's view."""

from __future__ import annotations

import pytest

SITE = {
    "name": "Harbour car park",
    "timezone": "Europe/Helsinki",
    "country": "FIN",
    "city": "Helsinki",
    "streetAddress": "Satamakatu 1",
    "postalCode": "00160",
    "latitude": 60.167,
    "longitude": 24.952,
    "externalId": "HEL-001",
    "parkingType": "PARKING_LOT",
    "facilities": ["CAFE", "WIFI"],
}


async def test_create_get_list_update_delete(client):
    created = await client.post("/api/v2/cpo/sites", json=SITE)
    assert created.status_code == 201, created.text
    site = created.json()
    assert site["name"] == "Harbour car park" and site["facilities"] == ["CAFE", "WIFI"]
    assert site["latitude"] == 60.167

    fetched = await client.get(f"/api/v2/cpo/sites/{site['id']}")
    assert fetched.json()["streetAddress"] == "Satamakatu 1"

    sub = await client.post("/api/v2/cpo/sites", json={**SITE, "name": "Level 2", "parentSiteId": site["id"]})
    assert sub.status_code == 201 and sub.json()["parentSiteId"] == site["id"]

    listing = (await client.get("/api/v2/cpo/sites", params={"limit": 1})).json()
    assert listing["totalRecords"] == 2 and listing["hasNextPage"] is True and len(listing["items"]) == 1
    second = (await client.get("/api/v2/cpo/sites", params={"limit": 1, "page": 2})).json()
    assert second["hasPreviousPage"] is True and second["hasNextPage"] is False

    patched = await client.patch(f"/api/v2/cpo/sites/{site['id']}", json={"name": "Harbour P1"})
    assert patched.status_code == 200 and patched.json()["name"] == "Harbour P1"
    assert patched.json()["city"] == "Helsinki"

    blocked = await client.delete(f"/api/v2/cpo/sites/{site['id']}")
    assert blocked.status_code == 409, "a site with subsites must not be deleted"
    assert (await client.delete(f"/api/v2/cpo/sites/{sub.json()['id']}")).status_code == 204
    assert (await client.delete(f"/api/v2/cpo/sites/{site['id']}")).status_code == 204
    assert (await client.get(f"/api/v2/cpo/sites/{site['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"country": "FI"}, "country"),
        ({"latitude": 91}, "latitude"),
        ({"parkingType": "ROOFTOP"}, "parkingType"),
        ({"facilities": ["CASINO"]}, "facilities.0"),
        ({"name": ""}, "name"),
    ],
)
async def test_bad_input_names_the_field(client, change, field):
    response = await client.post("/api/v2/cpo/sites", json={**SITE, **change})
    assert response.status_code == 400
    body = response.json()
    assert field in [detail["field"] for detail in body["details"]], body


async def test_missing_field_and_invalid_json(client):
    body = {key: value for key, value in SITE.items() if key != "city"}
    response = await client.post("/api/v2/cpo/sites", json=body)
    assert response.status_code == 400
    assert {"field": "city", "problem": "is required"} in response.json()["details"]
    broken = await client.post("/api/v2/cpo/sites", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400


async def test_patch_cannot_null_a_required_field_and_keeps_the_row(client):
    site = (await client.post("/api/v2/cpo/sites", json=SITE)).json()
    response = await client.patch(f"/api/v2/cpo/sites/{site['id']}", json={"city": None})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "city"
    assert (await client.get(f"/api/v2/cpo/sites/{site['id']}")).json()["city"] == "Helsinki"


async def test_parent_cycle_is_refused(client):
    parent = (await client.post("/api/v2/cpo/sites", json=SITE)).json()
    child = (await client.post("/api/v2/cpo/sites", json={**SITE, "parentSiteId": parent["id"]})).json()
    response = await client.patch(f"/api/v2/cpo/sites/{parent['id']}", json={"parentSiteId": child["id"]})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "parentSiteId"


async def test_other_operator_sees_nothing(client, other_client):
    site = (await client.post("/api/v2/cpo/sites", json=SITE)).json()
    assert (await other_client.get(f"/api/v2/cpo/sites/{site['id']}")).status_code == 404
    assert (await other_client.patch(f"/api/v2/cpo/sites/{site['id']}", json={"name": "x"})).status_code == 404
    assert (await other_client.delete(f"/api/v2/cpo/sites/{site['id']}")).status_code == 404
    assert (await other_client.get("/api/v2/cpo/sites")).json()["totalRecords"] == 0
    assert (await client.get(f"/api/v2/cpo/sites/{site['id']}")).json()["name"] == SITE["name"]


async def test_missing_and_unknown_key(client):
    assert (await client.get("/api/v2/cpo/sites", headers={"x-api-key": ""})).status_code == 401
    response = await client.get("/api/v2/cpo/sites", headers={"x-api-key": "nope"})
    assert response.status_code == 401 and "error" in response.json()
