"""Concurrent management requests against one row, on both engines (PostgreSQL is where they truly run
in parallel): the stored rows stay consistent and what partners receive (the publication ledger) equals
a rebuild from the tables, checked after every round here and after every test by the runtime fixture.

Before the row locks: 20 concurrent POSTs of one site-backed location stored 9 to 13; a site deletion
racing a location creation let both succeed, the location gone from the API and still in the OCPI pull;
20 concurrent PATCHes of one tariff left the published tariff without some of the changes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integrations.factories import (
    API,
    INTEGRATIONS,
    add_location,
    make_charger,
    make_site,
    make_tariff,
    ok,
)
from tests.support.ocpi_partner import RegisteredPartner
from tests.support.read_models import assert_publication_ledger_current

PARALLEL = 20
ROUNDS = 5


async def published_tariff(client, partner: RegisteredPartner) -> tuple[str, str]:
    """A site with a charger, published in the partner's integration with a linked tariff."""
    site_id = await make_site(client)
    charger_id = await make_charger(client, site_id, "RACE-1", sockets=2)
    location_id = (await add_location(client, partner.integration_id, {"siteId": site_id}))["id"]
    tariff_id = await make_tariff(client)
    ok(await client.post(f"{INTEGRATIONS}/{partner.integration_id}/tariffs/{tariff_id}",
                         json={"locations": [{"locationId": location_id}]}))  # fmt: skip
    return tariff_id, charger_id


def tariff_change(round_: int, index: int) -> dict[str, Any]:
    """Each of the 20 PATCHes changes another field of what partners see."""
    value = f"{round_}-{index}"
    changes = [
        {"tariffAltUrl": f"https://example.com/prices/{value}"},
        {"tariffAltText": [{"language": "en", "text": f"price {value}"}]},
        {"minPrice": {"exclVat": f"{round_}.{index:02d}", "inclVat": f"{round_ + 1}.{index:02d}"}},
        {"maxPrice": {"exclVat": 100 + round_ + index, "inclVat": 200 + round_ + index}},
        {"startDateTime": f"2026-0{1 + round_}-{10 + index}T00:00:00Z"},
        {"endDateTime": f"2030-0{1 + round_}-{10 + index}T00:00:00Z"},
        {"tariffEnergyMix": {"isGreenEnergy": index % 2 == 0, "supplierName": f"supplier {value}"}},
        {"elements": [{"priceComponents": [{"type": "ENERGY", "price": f"0.{20 + round_}{index:02d}",
                                            "vat": 24, "stepSize": 1}]}]},  # fmt: skip
    ]
    return changes[index % len(changes)]


async def test_parallel_patches_of_one_tariff_reach_partners_whole(client, partner, runtime):
    tariff_id, _ = await published_tariff(client, partner)
    for round_ in range(ROUNDS):
        answers = await asyncio.gather(*(
            client.patch(f"{API}/tariffs/{tariff_id}", json=tariff_change(round_, index)) for index in range(PARALLEL)
        ))  # fmt: skip
        assert [answer.status_code for answer in answers] == [200] * PARALLEL, [a.text for a in answers if a.status_code != 200]
        await assert_publication_ledger_current(runtime)


def charger_change(round_: int, index: int) -> tuple[str, dict[str, Any]]:
    value = f"{round_}-{index}"
    changes = [
        ("", {"capabilities": ["RFID_READER"] if index % 2 else ["REMOTE_START_STOP_CAPABLE"]}),
        ("", {"evseId": f"FI*EVR*E{round_}{index:03d}"}),
        ("/sockets/1", {"status": ["Available", "Charging", "Faulted"][index % 3]}),
        ("/sockets/2", {"maxPower": 7 + index}),
        ("/sockets/1", {"maxVoltage": 200 + index}),
        ("/sockets/2", {"evseId": f"FI*EVR*E9{round_}{index:03d}"}),
        ("", {"name": f"charger {value}"}),
    ]
    return changes[index % len(changes)]


async def test_parallel_patches_of_one_charger_reach_partners_whole(client, partner, runtime):
    _, charger_id = await published_tariff(client, partner)
    for round_ in range(ROUNDS):
        requests = [charger_change(round_, index) for index in range(PARALLEL)]
        answers = await asyncio.gather(*(
            client.patch(f"{API}/chargers/{charger_id}{path}", json=body) for path, body in requests
        ))  # fmt: skip
        assert [answer.status_code for answer in answers] == [200] * PARALLEL, [a.text for a in answers if a.status_code != 200]
        await assert_publication_ledger_current(runtime)


async def test_parallel_patches_of_a_site_and_its_charger_reach_partners_whole(client, partner, runtime):
    """Different rows, one document: a site PATCH and a charger PATCH each lock only their own row, and
    both recompute the location partners receive. Whichever commits last must publish both changes."""
    _, charger_id = await published_tariff(client, partner)
    site_id = ok(await client.get(f"{API}/chargers/{charger_id}"))["siteId"]
    for round_ in range(ROUNDS):
        site_patches = [client.patch(f"{API}/sites/{site_id}", json={"publicName": f"site {round_}-{index}"})
                        for index in range(PARALLEL // 2)]
        charger_patches = [client.patch(f"{API}/chargers/{charger_id}{path}", json=body)
                           for path, body in (charger_change(round_, index) for index in range(PARALLEL // 2))]
        answers = await asyncio.gather(*(request for pair in zip(site_patches, charger_patches) for request in pair))
        assert [answer.status_code for answer in answers] == [200] * PARALLEL, [a.text for a in answers if a.status_code != 200]
        await assert_publication_ledger_current(runtime)


async def test_one_location_per_site_however_many_ask_at_once(client, partner):
    site_id = await make_site(client)
    answers = await asyncio.gather(*(
        client.post(f"{INTEGRATIONS}/{partner.integration_id}/locations", json={"siteId": site_id})
        for _ in range(PARALLEL)
    ))  # fmt: skip
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (PARALLEL - 1), [answer.text for answer in answers]
    refused = [answer.json() for answer in answers if answer.status_code == 409]
    assert all(body["details"][0]["field"] == "siteId" for body in refused), refused
    listed = ok(await client.get(f"{INTEGRATIONS}/{partner.integration_id}/locations"))
    assert listed["totalRecords"] == 1


async def test_a_site_deleted_while_a_location_of_it_is_added(client, partner, runtime):
    """Either the deletion wins (the location is refused) or the location does (the deletion is refused)."""
    locations = f"{INTEGRATIONS}/{partner.integration_id}/locations"
    outcomes = set()
    for round_ in range(3 * ROUNDS):
        site_id = await make_site(client)
        delete = client.delete(f"{API}/sites/{site_id}")
        create = client.post(locations, json={"siteId": site_id})
        if round_ % 2:
            created, deleted = await asyncio.gather(create, delete)
        else:
            deleted, created = await asyncio.gather(delete, create)
        outcome = (created.status_code, deleted.status_code)
        assert outcome in {(201, 409), (400, 204)}, (created.text, deleted.text)
        outcomes.add(outcome)
        if created.status_code == 201:
            assert deleted.json()["details"][0]["field"] == "siteId"
            ok(await client.get(f"{locations}/{created.json()['id']}"))
        else:
            assert created.json()["details"][0]["field"] == "siteId"
        await assert_publication_ledger_current(runtime)
