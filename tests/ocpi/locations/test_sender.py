"""GET /ocpi/{version}/locations[/...]: pages from the ledger, filters, links, objects by id, who sees what."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

from evroam.events import Change, announce
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.models import IntegrationToken
from evroam.publication.ledger import published_document
from evroam.security import hash_secret
from tests.support.ocpi_partner import register_partner
from tests.ocpi.factories import Network, publish_site, schema_errors, set_integration

LOCATIONS = "/ocpi/2.2.1/locations"


async def publish(runtime, integration_id: str, count: int) -> list[Network]:
    networks = []
    for _ in range(count):
        networks.append(await publish_site(runtime, integration_id))
        await asyncio.sleep(0.003)  # distinct millisecond stamps
    return networks


def next_link(response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    url, rel = link.split(";")
    assert rel.strip() == 'rel="next"'
    return url.strip().removeprefix("<").removesuffix(">")


async def test_list_pages_follow_links_in_creation_order(runtime, ocpi_client, partner):
    networks = await publish(runtime, partner.integration_id, 5)
    seen, url, pages = [], f"{LOCATIONS}?limit=2", 0
    while url:
        response = await ocpi_client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["status_code"] == 1000 and body["timestamp"].endswith("Z")
        assert response.headers["x-total-count"] == "5" and response.headers["x-limit"] == "1000"
        seen += [location["id"] for location in body["data"]]
        url = next_link(response)
        if url:
            assert url.startswith("http://testserver/ocpi/2.2.1/locations?")
        pages += 1
    assert pages == 3
    assert seen == [network.location_id for network in networks]
    for location in (await ocpi_client.get(LOCATIONS)).json()["data"]:
        assert schema_errors("locations", "Location", location) == []


async def test_limit_is_capped_and_offset_past_the_end_is_empty(runtime, ocpi_client, partner):
    await publish(runtime, partner.integration_id, 2)
    capped = await ocpi_client.get(LOCATIONS, params={"limit": 5000})
    assert len(capped.json()["data"]) == 2 and capped.headers["x-limit"] == "1000"
    for offset in (10, 2**70):
        beyond = await ocpi_client.get(LOCATIONS, params={"offset": offset})
        assert beyond.status_code == 200 and beyond.json()["data"] == []
        assert beyond.headers["x-total-count"] == "2" and "link" not in beyond.headers


async def test_date_filters_are_inclusive_from_and_exclusive_to(runtime, ocpi_client, partner):
    networks = await publish(runtime, partner.integration_id, 3)
    stamps = [loc["last_updated"] for loc in (await ocpi_client.get(LOCATIONS)).json()["data"]]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3

    async def ids(**params):
        response = await ocpi_client.get(LOCATIONS, params=params)
        return [loc["id"] for loc in response.json()["data"]], response.headers["x-total-count"]

    assert await ids(date_from=stamps[1]) == ([n.location_id for n in networks[1:]], "2")
    assert await ids(date_to=stamps[1]) == ([networks[0].location_id], "1")
    assert await ids(date_from=stamps[0], date_to=stamps[2]) == ([n.location_id for n in networks[:2]], "2")
    same_instant = stamps[1].replace("Z", "+00:00")
    assert (await ids(date_from=same_instant))[1] == "2", "an explicit +00:00 offset is read as UTC"
    response = await ocpi_client.get(LOCATIONS, params={"date_from": stamps[0], "limit": 1})
    link = urlsplit(next_link(response))
    assert parse_qs(link.query) == {
        "offset": ["1"], "limit": ["1"], "date_from": [stamps[0]], "continue_after": [f"1:{networks[0].location_id}"]
    }, "filters carried"


async def test_links_continue_after_the_last_object_and_offset_alone_still_pages(runtime, ocpi_client, partner):
    networks = await publish(runtime, partner.integration_id, 5)
    ids = [network.location_id for network in networks]

    async def page(url, **params):
        response = await ocpi_client.get(url, params=params or None)  # an empty dict would drop the link's query
        return [location["id"] for location in response.json()["data"]], next_link(response)

    first, link = await page(LOCATIONS, limit=2)
    assert first == ids[:2]
    assert parse_qs(urlsplit(link).query) == {"offset": ["2"], "limit": ["2"], "continue_after": [f"2:{ids[1]}"]}
    assert (await page(link))[0] == ids[2:4]
    assert (await page(LOCATIONS, offset=2, limit=2))[0] == ids[2:4], "a URL the client builds: OCPI offset"
    edited = (await page(LOCATIONS, offset=1, limit=2, continue_after=f"2:{ids[1]}"))[0]
    assert edited == ids[1:3], "an offset changed by the client wins over our continuation"
    assert (await page(LOCATIONS, offset=3, continue_after="3"))[0] == ids[3:], "a malformed continuation is ignored"
    assert (await page(LOCATIONS, offset=0, continue_after="0:unknown"))[0] == [], "nothing follows an unknown object"


@pytest.mark.parametrize(
    "params",
    [{"offset": "-1"}, {"limit": "0"}, {"limit": "ten"}, {"date_from": "yesterday"},
     {"date_to": "2026-13-01T00:00:00Z"},
     # Given but empty is no value either (the conformance test's coverage phase sends date_from=).
     {"date_from": ""}, {"date_to": ""}, {"offset": ""}, {"limit": ""},
     # A filter we do not know is refused, not dropped: the partner would take the whole list for the
     # filtered one.
     {"country_code": "NL"}],
)
async def test_bad_parameters_answer_2001(ocpi_client, params):
    response = await ocpi_client.get(LOCATIONS, params=params)
    assert response.status_code == 200
    assert response.json()["status_code"] == 2001 and "data" not in response.json()
    assert response.json()["status_message"].startswith(next(iter(params))), "the message names the parameter"


async def test_location_evse_and_connector_by_id(runtime, ocpi_client, partner):
    (network,) = await publish(runtime, partner.integration_id, 1)
    location = (await ocpi_client.get(f"{LOCATIONS}/{network.location_id}")).json()
    assert location["status_code"] == 1000 and location["data"]["id"] == network.location_id
    uid = location["data"]["evses"][1]["uid"]
    evse = (await ocpi_client.get(f"{LOCATIONS}/{network.location_id}/{uid}")).json()["data"]
    assert evse == location["data"]["evses"][1]
    connector = (await ocpi_client.get(f"{LOCATIONS}/{network.location_id}/{uid.lower()}/1")).json()["data"]
    assert connector == evse["connectors"][0], "ids compare case-insensitively"
    assert schema_errors("locations", "EVSE", evse) == [] and schema_errors("locations", "Connector", connector) == []
    upper = await ocpi_client.get(f"{LOCATIONS}/{network.location_id.upper()}")
    assert upper.json()["data"]["id"] == network.location_id
    for path in ("unknown", f"{network.location_id}/nope", f"{network.location_id}/{uid}/9"):
        missing = await ocpi_client.get(f"{LOCATIONS}/{path}")
        assert missing.status_code == 404 and missing.json()["status_code"] == 2003


async def test_a_partner_sees_only_its_own_integration(runtime, ocpi_client, partner):
    mine = await publish_site(runtime, partner.integration_id)
    colleague = await register_partner(runtime)
    theirs = await publish_site(runtime, colleague.integration_id)
    listed = (await ocpi_client.get(LOCATIONS)).json()["data"]
    assert [location["id"] for location in listed] == [mine.location_id]
    foreign = await ocpi_client.get(f"{LOCATIONS}/{theirs.location_id}")
    assert foreign.status_code == 404 and foreign.json()["status_code"] == 2003


async def test_module_not_offered_and_wrong_version(runtime, ocpi_client, partner):
    await set_integration(runtime, partner.integration_id, models={"pullLocation": False})
    closed = await ocpi_client.get(LOCATIONS)
    assert closed.status_code == 404 and closed.json()["status_code"] == 2000
    await set_integration(runtime, partner.integration_id, models={})
    wrong = await ocpi_client.get("/ocpi/2.1.1/locations")
    assert wrong.status_code == 404 and "2.2.1" in wrong.json()["status_message"]


async def test_unknown_or_registration_token_is_401(runtime, app, partner):
    async with runtime.sessions() as session:
        session.add(IntegrationToken(token_hash=hash_secret("token-a"), integration_id=partner.integration_id, kind="A"))
        await session.commit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as anonymous:
        assert (await anonymous.get(LOCATIONS)).status_code == 401
        for token in (b"nope", b"token-a"):
            refused = await anonymous.get(LOCATIONS, headers={"Authorization": "Token " + base64.b64encode(token).decode()})
            assert refused.status_code == 401 and refused.json()["status_code"] == 2000


async def test_unpublished_locations_are_served_with_who_may_see_them(runtime, ocpi_client, partner):
    network = await publish_site(runtime, partner.integration_id)
    async with runtime.sessions() as session:
        location = await session.get(IntegrationLocation, network.location_id)
        location.publish, location.publish_allowed_to = False, [{"groupId": "fleet-7"}]
        await session.flush()
        await announce(session, Change(operator_id=network.operator_id, integration_ids=frozenset({partner.integration_id})))
        await session.commit()
    (served,) = (await ocpi_client.get(LOCATIONS)).json()["data"]
    assert served["publish"] is False and served["publish_allowed_to"] == [{"group_id": "fleet-7"}]


async def test_message_ids_are_echoed(ocpi_client):
    response = await ocpi_client.get(LOCATIONS, headers={"X-Request-ID": "req-1", "X-Correlation-ID": "cor-1"})
    assert response.headers["x-request-id"] == "req-1" and response.headers["x-correlation-id"] == "cor-1"


async def test_2_1_1_partner_reads_2_1_1_documents(runtime, app):
    partner = await register_partner(runtime, version="2.1.1")
    network = await publish_site(runtime, partner.integration_id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": partner.authorization}) as client:
        response = await client.get("/ocpi/2.1.1/locations")
        (location,) = response.json()["data"]
        assert location["id"] == network.location_id and location["type"] == "PARKING_GARAGE"
        assert "country_code" not in location and "voltage" in location["evses"][0]["connectors"][0]
        assert (await client.get(LOCATIONS)).status_code == 404


async def test_page_body_is_the_stored_text(runtime, ocpi_client, partner):
    network = await publish_site(runtime, partner.integration_id)
    raw = (await ocpi_client.get(LOCATIONS)).content
    async with runtime.sessions() as session:
        stored = await published_document(session, partner.integration_id, "locations", network.location_id)
    assert raw.startswith(b'{"data":[' + stored + b"]")
    assert orjson.loads(raw)["data"][0] == orjson.loads(stored)
