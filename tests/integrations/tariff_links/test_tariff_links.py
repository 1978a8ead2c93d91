"""/api/v2/cpo/integrations/{id}/tariffs/{tariffId} on both engines: links at every level, and which wins."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.exc import IntegrityError

from evroam.events import Change, announce
from evroam.integrations.tariff_links.models import TariffLink
from evroam.network.operators import service as operator_service
from tests.integrations.factories import (
    API,
    INTEGRATIONS,
    STANDALONE,
    add_location,
    make_charger,
    make_integration,
    make_site,
    make_tariff,
    ok,
)


@dataclass
class Published:
    integration_id: str
    harbour: str  # site-backed location: chargers H-1 and H-2, two sockets each
    kiosk: str  # standalone location holding K-1 (one socket)

    def url(self, tariff_id: str) -> str:
        return f"{INTEGRATIONS}/{self.integration_id}/tariffs/{tariff_id}"


@pytest.fixture
async def published(client) -> Published:
    site_id = await make_site(client)
    await make_charger(client, site_id, "H-1")
    await make_charger(client, site_id, "H-2")
    kiosk_site = await make_site(client, name="Kiosk site")
    await make_charger(client, kiosk_site, "K-1", sockets=1)
    integration_id = (await make_integration(client))["integrationId"]
    harbour = (await add_location(client, integration_id, {"siteId": site_id}))["id"]
    kiosk = (await add_location(client, integration_id, {**STANDALONE, "chargerIds": ["K-1"]}))["id"]
    return Published(integration_id, harbour, kiosk)


def socket_tariffs(details: dict) -> dict[tuple[str, int], list[str]]:
    return {
        (charger["chargerID"], socket["id"]): socket["tariffIds"]
        for location in details["locations"] for charger in location["chargers"] for socket in charger["sockets"]
    }


async def test_most_specific_link_wins(client, published, changes):
    whole, charger_level, socket_level = [await make_tariff(client, name=name) for name in ("A", "B", "C")]
    links = ok(await client.post(published.url(whole), json={"locations": [{"locationId": published.harbour}]}))
    assert links == {"tariffId": whole, "locations": [{"locationId": published.harbour, "chargers": []}],
                     "warnings": []}
    assert changes[-1].integration_ids == frozenset({published.integration_id})
    ok(await client.post(published.url(charger_level), json={"locations": [
        {"locationId": published.harbour, "chargers": [{"chargerId": "H-1"}]},
        {"locationId": published.kiosk, "chargers": [{"chargerId": "K-1", "sockets": []}]},
    ]}))
    ok(await client.post(published.url(socket_level), json={"locations": [
        {"locationId": published.harbour, "chargers": [{"chargerId": "H-1", "sockets": [2]}]},
    ]}))

    details = ok(await client.get(f"{INTEGRATIONS}/{published.integration_id}"))
    assert socket_tariffs(details) == {
        ("H-1", 1): [charger_level],
        ("H-1", 2): [socket_level],
        ("H-2", 1): [whole],
        ("H-2", 2): [whole],
        ("K-1", 1): [charger_level],
    }
    assert sorted(tariff["id"] for tariff in details["tariffs"]) == sorted([whole, charger_level, socket_level])
    assert [tariff["name"] for tariff in details["tariffs"]] == ["A", "B", "C"]

    # Two tariffs on the same level both apply.
    also = await make_tariff(client, name="D")
    ok(await client.post(published.url(also), json={"locations": [{"locationId": published.harbour}]}))
    details = ok(await client.get(f"{INTEGRATIONS}/{published.integration_id}"))
    assert socket_tariffs(details)[("H-2", 1)] == sorted([whole, also])


async def test_post_adds_put_replaces_delete_removes(client, published, changes):
    tariff_id = await make_tariff(client)
    url = published.url(tariff_id)
    ok(await client.post(url, json={"locations": [{"locationId": published.kiosk}]}))
    added = ok(await client.post(url, json={"locations": [
        {"locationId": published.harbour, "chargers": [{"chargerId": "H-2", "sockets": [1, 2]}, {"chargerId": "H-1"}]},
        {"locationId": published.kiosk},
    ]}))
    expected = sorted([
        {"locationId": published.harbour, "chargers": [{"chargerId": "H-1", "sockets": []},
                                                       {"chargerId": "H-2", "sockets": [1, 2]}]},
        {"locationId": published.kiosk, "chargers": []},
    ], key=lambda entry: entry["locationId"])
    assert added == {"tariffId": tariff_id, "locations": expected, "warnings": []}
    assert ok(await client.get(url)) == added

    replaced = ok(await client.put(url, json={"locations": [
        {"locationId": published.harbour, "chargers": [{"chargerId": "H-2", "sockets": [2]}]}]}))
    assert replaced["locations"] == [{"locationId": published.harbour,
                                      "chargers": [{"chargerId": "H-2", "sockets": [2]}]}]
    assert ok(await client.get(url)) == replaced

    changes.clear()
    assert (await client.delete(url)).status_code == 204
    assert changes[-1].integration_ids == frozenset({published.integration_id})
    # Unlinking withdraws the tariff from this integration only: the tariff itself is not deleted (a
    # deletion would be refused while other integrations link it).
    assert changes[-1].deleted_tariff_ids == frozenset()
    assert ok(await client.get(url))["locations"] == []
    details = ok(await client.get(f"{INTEGRATIONS}/{published.integration_id}"))
    assert details["tariffs"] == [] and set(map(tuple, socket_tariffs(details).values())) == {()}
    # Unlinked, the tariff can be deleted centrally again.
    assert (await client.delete(f"{API}/tariffs/{tariff_id}")).status_code == 204


@pytest.mark.parametrize("use_type", ["COST", "OTHER"])
async def test_only_price_tariffs_are_linked(client, published, use_type):
    """Linking agrees with publishing (evroam.tariffs.publishability): a link always means a published tariff."""
    unpublishable = await make_tariff(client, useType=use_type)
    response = await client.post(published.url(unpublishable), json={"locations": [{"locationId": published.harbour}]})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "tariffId"
    assert use_type in response.json()["details"][0]["problem"]


@pytest.mark.parametrize(
    ("locations", "field"),
    [
        ([{"locationId": "no-such-location"}], "locations.0.locationId"),
        ([{"locationId": "{kiosk}"},
          {"locationId": "{harbour}", "chargers": [{"chargerId": "H-1"}, {"chargerId": "K-1"}]}],
         "locations.1.chargers.1.chargerId"),
        ([{"locationId": "{harbour}", "chargers": [{"chargerId": "H-1", "sockets": [1, 9]}]}],
         "locations.0.chargers.0.sockets.1"),
        ([{"locationId": "{harbour}", "chargers": [{"chargerId": "H-1", "sockets": [-1]}]}],
         "locations.0.chargers.0.sockets.0"),
        ([], "locations"),
        ([{"chargers": []}], "locations.0.locationId"),
    ],
)
async def test_links_are_validated_and_nothing_half_written(client, published, locations, field):
    tariff_id = await make_tariff(client)
    url = published.url(tariff_id)
    ok(await client.post(url, json={"locations": [{"locationId": published.kiosk}]}))
    body = [
        {key: value.format(kiosk=published.kiosk, harbour=published.harbour) if key == "locationId" else value
         for key, value in entry.items()}
        for entry in locations
    ]
    for method in (client.post, client.put):
        response = await method(url, json={"locations": body})
        assert response.status_code == 400, response.text
        assert field in [detail["field"] for detail in response.json()["details"]]
    assert ok(await client.get(url))["locations"] == [{"locationId": published.kiosk, "chargers": []}]


async def test_location_of_another_integration_is_refused(client, published):
    tariff_id = await make_tariff(client)
    other = (await make_integration(client, integrationName="Other"))["integrationId"]
    foreign = (await add_location(client, other, {**STANDALONE, "name": "Elsewhere"}))["id"]
    response = await client.post(published.url(tariff_id), json={"locations": [{"locationId": foreign}]})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "locations.0.locationId"


async def test_other_operator_and_unknown_tariff(client, other_client, published):
    tariff_id = await make_tariff(client)
    body = {"locations": [{"locationId": published.harbour}]}
    for method in ("get", "post", "put", "delete"):
        kwargs = {"json": body} if method in ("post", "put") else {}
        response = await getattr(other_client, method)(published.url(tariff_id), **kwargs)
        assert response.status_code == 404, method
    theirs = await make_tariff(other_client)
    assert (await client.post(published.url(theirs), json=body)).status_code == 404
    assert (await client.post(published.url("no-such-tariff"), json=body)).status_code == 404
    assert (await client.delete(published.url("no-such-tariff"))).status_code == 404
    assert ok(await client.get(published.url(tariff_id)))["locations"] == []


async def test_links_follow_chargers_leaving_a_location(client, published):
    tariff_id = await make_tariff(client)
    url = published.url(tariff_id)
    ok(await client.post(url, json={"locations": [
        {"locationId": published.kiosk, "chargers": [{"chargerId": "K-1", "sockets": [1]}]}]}))
    locations = f"{INTEGRATIONS}/{published.integration_id}/locations/{published.kiosk}"
    ok(await client.patch(locations, json={"chargerIds": []}))
    assert ok(await client.get(url))["locations"] == []

    # Deleting the location takes its links along.
    ok(await client.post(url, json={"locations": [{"locationId": published.harbour}]}))
    harbour = f"{INTEGRATIONS}/{published.integration_id}/locations/{published.harbour}"
    assert (await client.delete(harbour)).status_code == 204
    assert ok(await client.get(url))["locations"] == []


@pytest.mark.parametrize(("charger_id", "socket_id"), [(None, None), ("H-1", None), ("H-1", 2)])
async def test_the_database_keeps_one_link_per_level(client, runtime, published, charger_id, socket_id):
    """Also at the location and charger levels, whose NULL ids a plain UNIQUE lets repeat: two concurrent
    requests adding the same link cannot both store it."""
    tariff_id = await make_tariff(client)

    async def store_link() -> None:
        """As the service stores one, announcing it (the read models follow)."""
        async with runtime.sessions() as session:
            session.add(TariffLink(integration_id=published.integration_id, tariff_id=tariff_id,
                                   location_id=published.harbour, charger_id=charger_id, socket_id=socket_id))
            await session.flush()
            operator_id = (await operator_service.default_operator(session, runtime.settings)).id
            await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({published.integration_id})))
            await session.commit()  # fmt: skip

    await store_link()
    with pytest.raises(IntegrityError):
        await store_link()
