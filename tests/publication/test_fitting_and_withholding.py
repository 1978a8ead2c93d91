"""What a partner's OCPI version cannot carry, on both engines: texts over its limits are shortened and the
operator is told (in the response of the publishing request and on the published location); a location
restricted with `publish: false` never reaches a 2.1.1 partner, by pull or by push, and one published
before is withdrawn the way 2.1.1 allows (every EVSE REMOVED)."""

from __future__ import annotations

import httpx
import orjson
import pytest
from sqlalchemy import select

from evroam.delivery.models import Delivery
from evroam.publication import hook
from tests.integrations.factories import (
    API,
    INTEGRATIONS,
    PUBLISH_ALLOWED_TO,
    STANDALONE,
    add_location,
    make_charger,
    make_integration,
    make_site,
    ok,
    tariff_body,
)
from tests.ocpi.factories import documents, set_integration, version_schema_errors
from tests.support.ocpi_partner import register_partner

LONG_ADDRESS = ("Pohjoisesplanadi 11-13, sisäpiha, rappu B, kerros 3 vasemmalla, "
                "ovi heti hissin jälkeen oikealla, B4")  # 100 characters
LONG_STATE = "Pohjois-Pohjanmaan maakunta"


async def connect_pushes(runtime, integration_id: str, version: str) -> None:
    """Pushes of locations are queued for the partner (nothing delivers them here: the outbox is read)."""
    endpoint = {"identifier": "locations", "url": f"https://emsp.example.com/{version}/locations"}
    if version != "2.1.1":
        endpoint["role"] = "RECEIVER"
    await set_integration(runtime, integration_id, ocpi_version=version, integration_status="CONNECTED",
                          version_details={"version": version, "endpoints": [endpoint]})


async def pushes(runtime, integration_id: str) -> list[tuple[str, str, dict | None]]:
    async with runtime.sessions() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.integration_id == integration_id).order_by(Delivery.id)
        )
        return [(row.method, row.path, orjson.loads(row.body) if row.body else None) for row in rows]


async def published(runtime, integration_id: str) -> dict[str, dict]:
    async with runtime.sessions() as session:
        return await documents(session, integration_id, "locations")


async def test_too_long_texts_are_shortened_and_the_operator_told(client, runtime):
    assert len(LONG_ADDRESS) == 100
    integration_id = (await make_integration(client))["integrationId"]
    await connect_pushes(runtime, integration_id, "2.2.1")
    url = f"{INTEGRATIONS}/{integration_id}/locations"
    created = await add_location(client, integration_id, {**STANDALONE, "address": LONG_ADDRESS, "state": LONG_STATE})
    assert created["address"] == LONG_ADDRESS, "the operator's data is kept as given"
    document = (await published(runtime, integration_id))[created["id"]]
    assert document["address"] == "Pohjoisesplanadi 11-13, sisäpiha, rappu B"
    assert document["state"] == "Pohjois-Pohjanmaan"
    assert version_schema_errors("2.2.1", "Location", document) == []
    expected = [
        {"field": "address", "ocpiVersion": "2.2.1", "limit": 45, "sent": document["address"]},
        {"field": "state", "ocpiVersion": "2.2.1", "limit": 20, "sent": document["state"]},
    ]
    assert [{key: warning[key] for key in ("field", "ocpiVersion", "limit", "sent")}
            for warning in created["warnings"]] == expected
    assert "100 were given" in created["warnings"][0]["message"]
    (put,) = [body for method, _, body in await pushes(runtime, integration_id) if method == "PUT"]
    assert put["address"] == document["address"], "the push sends what the pull serves"
    assert ok(await client.get(f"{url}/{created['id']}"))["warnings"] == created["warnings"]

    fixed = ok(await client.patch(f"{url}/{created['id']}", json={"address": "Kauppatori 1", "state": "Uusimaa"}))
    assert fixed["warnings"] == []
    assert ok(await client.get(f"{url}/{created['id']}"))["warnings"] == []

    # A text cut to the very words sent before is still reported (the document did not change).
    again = ok(await client.patch(f"{url}/{created['id']}", json={"address": document["address"] + " and more words"}))
    assert [warning["field"] for warning in again["warnings"]] == ["address"]
    exactly = ok(await client.patch(f"{url}/{created['id']}", json={"address": document["address"]}))
    assert exactly["warnings"] == []


async def test_a_site_change_shows_its_warning_on_the_location(client, runtime):
    integration_id = (await make_integration(client))["integrationId"]
    site_id = await make_site(client)
    location = await add_location(client, integration_id, {"siteId": site_id})
    assert location["warnings"] == []
    ok(await client.patch(f"{API}/sites/{site_id}", json={"streetAddress": LONG_ADDRESS}))
    shown = ok(await client.get(f"{INTEGRATIONS}/{integration_id}/locations/{location['id']}"))
    assert [(warning["field"], warning["limit"]) for warning in shown["warnings"]] == [("address", 45)]


@pytest.mark.parametrize("allowed", [[], PUBLISH_ALLOWED_TO], ids=["no-allowed-list", "allowed-list"])
async def test_restricted_location_never_reaches_a_2_1_1_partner(app, client, runtime, allowed):
    partner = await register_partner(runtime, "2.1.1")
    integration_id = partner.integration_id
    await connect_pushes(runtime, integration_id, "2.1.1")
    site_id = await make_site(client)
    await make_charger(client, site_id, "K-1")
    await make_charger(client, await make_site(client), "K-2")
    url = f"{INTEGRATIONS}/{integration_id}/locations"
    restricted = await add_location(client, integration_id, {"siteId": site_id, "publish": False,
                                                              "publishAllowedTo": allowed})
    public = await add_location(client, integration_id, {**STANDALONE})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": partner.authorization}) as ocpi:
        listed = ok(await ocpi.get("/ocpi/2.1.1/locations"))
        assert [location["id"] for location in listed["data"]] == [public["id"]]
        assert (await ocpi.get(f"/ocpi/2.1.1/locations/{restricted['id']}")).status_code == 404
        assert [path for _, path, _ in await pushes(runtime, integration_id)] == [
            f"/FI/EVR/{public['id']}"
        ], "nothing of the restricted location is pushed"
        assert [(w["field"], w["ocpiVersion"]) for w in restricted["warnings"]] == [("publish", "2.1.1")]

        # Published, then restricted: the partner learns it is gone as 2.1.1 allows, every EVSE REMOVED.
        opened = ok(await client.patch(f"{url}/{public['id']}", json={"chargerIds": ["K-2"]}))
        assert opened["warnings"] == []
        before = len(await pushes(runtime, integration_id))
        withdrawn = ok(await client.patch(f"{url}/{public['id']}", json={"publish": False,
                                                                          "publishAllowedTo": allowed}))
        assert [w["field"] for w in withdrawn["warnings"]] == ["publish"]
        (push,) = (await pushes(runtime, integration_id))[before:]
        method, path, body = push
        assert (method, path) == ("PUT", f"/FI/EVR/{public['id']}")
        assert [evse["status"] for evse in body["evses"]] == ["REMOVED", "REMOVED"]
        assert "publish" not in body and "publish_allowed_to" not in body
        served = ok(await ocpi.get(f"/ocpi/2.1.1/locations/{public['id']}"))["data"]
        assert served == body and version_schema_errors("2.1.1", "Location", served) == []

        # Open again: published again, as it is.
        reopened = ok(await client.patch(f"{url}/{public['id']}", json={"publish": True}))
        assert reopened["warnings"] == []
        served = ok(await ocpi.get(f"/ocpi/2.1.1/locations/{public['id']}"))["data"]
        assert [evse["status"] for evse in served["evses"]] == ["AVAILABLE", "AVAILABLE"]


async def test_a_2_2_1_partner_gets_the_restriction_itself(client, runtime):
    integration_id = (await make_integration(client))["integrationId"]
    await connect_pushes(runtime, integration_id, "2.2.1")
    location = await add_location(client, integration_id, {**STANDALONE, "publish": False,
                                                            "publishAllowedTo": PUBLISH_ALLOWED_TO})
    assert location["warnings"] == []
    document = (await published(runtime, integration_id))[location["id"]]
    assert document["publish"] is False and document["publish_allowed_to"][0]["group_id"] == "FLEET-1"


async def test_a_partner_moving_to_2_1_1_loses_the_restricted_location(client, runtime):
    integration_id = (await make_integration(client))["integrationId"]
    await connect_pushes(runtime, integration_id, "2.2.1")
    site_id = await make_site(client)
    await make_charger(client, site_id, "K-1", sockets=1)
    location = await add_location(client, integration_id, {"siteId": site_id, "publish": False})
    assert (await published(runtime, integration_id))[location["id"]]["publish"] is False
    await connect_pushes(runtime, integration_id, "2.1.1")
    async with runtime.sessions() as session:
        await hook.refresh_integration(session, integration_id)
        await session.commit()
    document = (await published(runtime, integration_id))[location["id"]]
    assert [evse["status"] for evse in document["evses"]] == ["REMOVED"] and "publish" not in document
    shown = ok(await client.get(f"{INTEGRATIONS}/{integration_id}/locations/{location['id']}"))
    assert [(w["field"], w["ocpiVersion"]) for w in shown["warnings"]] == [("publish", "2.1.1")]


async def test_tariff_links_tell_what_the_tariff_document_could_not_carry(client, runtime):
    location_body = {**STANDALONE}
    alt_text = [{"language": "de", "text": "Preis für Straße " + "ß" * 495}]  # 512 characters, 1007 in ASCII
    tariff_id = ok(await client.post(f"{API}/tariffs", json=tariff_body(tariffAltText=alt_text)), 201)["id"]
    for version, fields in (("2.2.1", []), ("2.1.1", ["tariff_alt_text[0].text", "elements[0]"])):
        integration_id = (await make_integration(client))["integrationId"]
        await connect_pushes(runtime, integration_id, version)
        location = await add_location(client, integration_id, location_body)
        url = f"{INTEGRATIONS}/{integration_id}/tariffs/{tariff_id}"
        linked = ok(await client.post(url, json={"locations": [{"locationId": location["id"]}]}))
        assert sorted(warning["field"] for warning in linked["warnings"]) == sorted(fields)
        assert ok(await client.get(url))["warnings"] == linked["warnings"]
        async with runtime.sessions() as session:
            document = (await documents(session, integration_id, "tariffs"))[tariff_id]
        assert version_schema_errors(version, "Tariff", document) == []
        if version == "2.1.1":
            (cut,) = [warning for warning in linked["warnings"] if warning["limit"]]
            assert cut["limit"] == 512 and cut["sent"] == document["tariff_alt_text"][0]["text"]
            assert len(document["elements"]) == 1, "the element restricted by current is left out"
