"""The publication ledger on both engines: documents follow domain changes, stamps move only on real change,
and the outbox gets exactly the pushes a change calls for."""

from __future__ import annotations

import asyncio
import uuid

import orjson
import pytest
from alembic import command
from sqlalchemy import delete, select

from evroam.database import migrate
from evroam.delivery.models import PENDING, SUPERSEDED, Delivery
from evroam.events import Change, announce
from evroam.publication import hook as publication
from evroam.integrations.locations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.integrations.tariff_links.models import TariffLink
from evroam.publication.models import PublishedCharger, PublishedDocument, PublishedTotal
from evroam.network.chargers.models import Charger, Socket
from evroam.network.operators.models import Operator
from evroam.network.sites.models import Site
from evroam.ocpi.protocol.envelope import ocpi_timestamp
from evroam.tariffs.models import Tariff
from tests.support.ocpi_partner import register_partner
from tests.ocpi.factories import (
    RecordingEmsp,
    charger,
    documents,
    operator_id_of,
    publish_site,
    publish_sites,
    set_integration,
    site,
    tariff,
)

pytestmark = pytest.mark.usefixtures("app")  # create_app subscribes the ledger to domain changes

RECEIVER = RecordingEmsp(base_url="http://emsp.invalid").version_details("2.2.1")


async def connected(runtime, **models):
    """A partner that takes pushes (its receiver endpoints are known; nothing is delivered in these tests)."""
    partner = await register_partner(runtime, models=models or None)
    await set_integration(runtime, partner.integration_id, version_details=RECEIVER)
    return partner


async def ledger(runtime, integration_id, module="locations"):
    async with runtime.sessions() as session:
        return await documents(session, integration_id, module)


async def outbox(runtime, integration_id):
    async with runtime.sessions() as session:
        rows = await session.scalars(select(Delivery).where(Delivery.integration_id == integration_id).order_by(Delivery.id))
        return list(rows)


async def change(runtime, mutate=None, **changed):
    """Applies `mutate(session)` and announces the change in one transaction, as a service does."""
    async with runtime.sessions() as session:
        operator_id = changed.pop("operator_id", None) or (await session.scalar(select(Site.operator_id).limit(1)))
        if mutate is not None:
            await mutate(session)
        await session.flush()
        await announce(session, Change(operator_id=operator_id, **{k: frozenset(v) for k, v in changed.items()}))
        await session.commit()


async def set_socket_status(runtime, charger_id, socket_id, status):
    async def mutate(session):
        found = await session.get(Socket, (charger_id, socket_id))
        found.status = status

    await change(runtime, mutate, charger_ids={charger_id})


async def test_refresh_builds_every_document(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    locations = await ledger(runtime, partner.integration_id)
    location = locations[network.location_id]
    assert [evse["uid"] for evse in location["evses"]] == [f"{c}-{s}" for c in sorted(network.charger_ids) for s in (1, 2)]
    stamp = location["last_updated"]
    assert stamp.endswith("Z") and len(stamp) == 24, "milliseconds, UTC"
    assert {evse["last_updated"] for evse in location["evses"]} == {stamp}
    assert location["evses"][0]["connectors"][0]["tariff_ids"] == [network.tariff_id]
    tariffs = await ledger(runtime, partner.integration_id, "tariffs")
    assert list(tariffs) == [network.tariff_id] and tariffs[network.tariff_id]["last_updated"] == stamp
    async with runtime.sessions() as session:
        shown = set(await session.scalars(select(PublishedCharger.charger_id)))
    assert shown == set(network.charger_ids)
    pushed = [(row.module, row.method, row.path) for row in await outbox(runtime, partner.integration_id)]
    assert pushed == [
        ("tariffs", "PUT", f"/FI/EVR/{network.tariff_id}"),
        ("locations", "PUT", f"/FI/EVR/{network.location_id}"),
    ], "tariffs go out before the locations that refer to them"


async def test_no_op_changes_are_silent(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    before = await ledger(runtime, partner.integration_id)
    rows_before = len(await outbox(runtime, partner.integration_id))
    await change(runtime, site_ids={network.site_id}, charger_ids=set(network.charger_ids),
                 tariff_ids={network.tariff_id}, integration_ids={partner.integration_id})
    await set_socket_status(runtime, network.charger_ids[0], 1, "Available")
    assert await ledger(runtime, partner.integration_id) == before
    assert len(await outbox(runtime, partner.integration_id)) == rows_before


async def test_socket_status_change_bumps_its_evse_and_patches_it(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    before = (await ledger(runtime, partner.integration_id))[network.location_id]
    charger_id = network.charger_ids[0]
    await set_socket_status(runtime, charger_id, 2, "Charging")
    after = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert after["last_updated"] > before["last_updated"]
    changed = next(evse for evse in after["evses"] if evse["uid"] == f"{charger_id}-2")
    assert changed["status"] == "CHARGING" and changed["last_updated"] == after["last_updated"]
    assert changed["connectors"][0]["last_updated"] == before["last_updated"], "the connector did not change"
    untouched = [evse for evse in after["evses"] if evse["uid"] != f"{charger_id}-2"]
    assert {evse["last_updated"] for evse in untouched} == {before["last_updated"]}
    last = (await outbox(runtime, partner.integration_id))[-1]
    assert (last.method, last.path) == ("PATCH", f"/FI/EVR/{network.location_id}/{charger_id}-2")
    assert orjson.loads(last.body) == {"status": "CHARGING", "last_updated": after["last_updated"]}
    async with runtime.sessions() as session:
        row = await session.scalar(select(PublishedDocument).where(PublishedDocument.object_id == network.location_id))
    assert ocpi_timestamp(row.last_updated) == after["last_updated"], "column and document agree"


async def test_site_change_puts_the_location_and_keeps_evse_stamps(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    before = (await ledger(runtime, partner.integration_id))[network.location_id]

    async def rename(session):
        (await session.get(Site, network.site_id)).public_name = "Harbour P1"

    await change(runtime, rename, site_ids={network.site_id})
    after = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert after["name"] == "Harbour P1" and after["last_updated"] > before["last_updated"]
    assert [evse["last_updated"] for evse in after["evses"]] == [evse["last_updated"] for evse in before["evses"]]
    rows = await outbox(runtime, partner.integration_id)
    assert (rows[-1].method, rows[-1].path) == ("PUT", f"/FI/EVR/{network.location_id}")
    assert orjson.loads(rows[-1].body) == after
    assert rows[-2].status == SUPERSEDED, "the first PUT of the location was still waiting: only the newest goes"


async def test_a_deleted_charger_stays_as_removed_evses(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    gone = network.charger_ids[0]

    async def remove(session):
        # Announced before the delete, as the charger service does: the commit-time pass sees it gone.
        await announce(session, Change(operator_id=network.operator_id, charger_ids=frozenset({gone})))
        await session.delete(await session.get(Charger, gone))

    async with runtime.sessions() as session:
        await remove(session)
        await session.commit()
    location = (await ledger(runtime, partner.integration_id))[network.location_id]
    statuses = {evse["uid"]: evse["status"] for evse in location["evses"]}
    assert statuses == {f"{gone}-1": "REMOVED", f"{gone}-2": "REMOVED",
                        f"{network.charger_ids[1]}-1": "AVAILABLE", f"{network.charger_ids[1]}-2": "AVAILABLE"}
    async with runtime.sessions() as session:
        assert gone not in set(await session.scalars(select(PublishedCharger.charger_id)))
    await change(runtime, site_ids={network.site_id})
    assert (await ledger(runtime, partner.integration_id))[network.location_id] == location, "removed stays removed"


async def test_charger_moved_to_another_site_leaves_the_old_location(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    moved = network.charger_ids[1]
    async with runtime.sessions() as session:
        elsewhere = site(network.operator_id, name="Elsewhere")
        session.add(elsewhere)
        await session.commit()

    async def move(session):
        (await session.get(Charger, moved)).site_id = elsewhere.id

    await change(runtime, move, charger_ids={moved})  # only the charger is announced
    location = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert {evse["uid"]: evse["status"] for evse in location["evses"] if evse["uid"].startswith(moved)} == {
        f"{moved}-1": "REMOVED", f"{moved}-2": "REMOVED",
    }


async def test_tariff_changes_and_withdrawal(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    before = (await ledger(runtime, partner.integration_id, "tariffs"))[network.tariff_id]

    async def reprice(session):
        (await session.get(Tariff, network.tariff_id)).elements = [
            {"priceComponents": [{"type": "ENERGY", "price": "0.3000", "stepSize": 1}]}
        ]

    await change(runtime, reprice, tariff_ids={network.tariff_id})
    after = (await ledger(runtime, partner.integration_id, "tariffs"))[network.tariff_id]
    assert after["elements"][0]["price_components"][0]["price"] == 0.3
    assert after["last_updated"] > before["last_updated"]
    location_before = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert location_before["last_updated"] == before["last_updated"], "tariff_ids did not change"

    async def make_cost(session):
        (await session.get(Tariff, network.tariff_id)).use_type = "COST"

    await change(runtime, make_cost, tariff_ids={network.tariff_id})
    assert await ledger(runtime, partner.integration_id, "tariffs") == {}, "a withdrawn tariff is not served"
    location = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert all("tariff_ids" not in c for evse in location["evses"] for c in evse["connectors"])
    assert location["evses"][0]["connectors"][0]["last_updated"] == location["last_updated"]
    pushed = [(row.module, row.method) for row in await outbox(runtime, partner.integration_id)][-2:]
    assert pushed == [("tariffs", "DELETE"), ("locations", "PUT")]


async def test_unlinked_tariff_is_withdrawn_and_relinking_publishes_it_again(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)

    async def unlink(session):
        await session.execute(delete(TariffLink).where(TariffLink.tariff_id == network.tariff_id))

    await change(runtime, unlink, integration_ids={partner.integration_id})
    assert await ledger(runtime, partner.integration_id, "tariffs") == {}
    deletes = [row for row in await outbox(runtime, partner.integration_id) if row.method == "DELETE"]
    assert [row.path for row in deletes] == [f"/FI/EVR/{network.tariff_id}"]

    async def relink(session):
        session.add(TariffLink(integration_id=partner.integration_id, tariff_id=network.tariff_id,
                               location_id=network.location_id))

    await change(runtime, relink, integration_ids={partner.integration_id})
    assert list(await ledger(runtime, partner.integration_id, "tariffs")) == [network.tariff_id]
    last_tariff_push = [row for row in await outbox(runtime, partner.integration_id) if row.module == "tariffs"][-1]
    assert last_tariff_push.method == "PUT"


async def test_withdrawn_location_keeps_being_served_with_removed_evses(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)

    async def withdraw(session):
        await session.execute(delete(IntegrationLocation).where(IntegrationLocation.id == network.location_id))

    await change(runtime, withdraw, integration_ids={partner.integration_id})
    location = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert {evse["status"] for evse in location["evses"]} == {"REMOVED"}
    async with runtime.sessions() as session:
        row = await session.scalar(select(PublishedDocument).where(PublishedDocument.object_id == network.location_id))
        assert row.removed is True
        assert not set(await session.scalars(select(PublishedCharger.charger_id)))
    assert (await outbox(runtime, partner.integration_id))[-1].method == "PUT"


async def test_version_change_rerenders_silently(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    before = (await ledger(runtime, partner.integration_id))[network.location_id]
    rows = len(await outbox(runtime, partner.integration_id))
    await set_integration(runtime, partner.integration_id, ocpi_version="2.1.1")
    async with runtime.sessions() as session:
        await publication.refresh_integration(session, partner.integration_id)
        await session.commit()
    after = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert "country_code" not in after and after["type"] == "PARKING_GARAGE"
    assert after["evses"][0]["connectors"][0]["voltage"] == 230
    assert after["last_updated"] == before["last_updated"]
    assert [evse["last_updated"] for evse in after["evses"]] == [evse["last_updated"] for evse in before["evses"]]
    assert len(await outbox(runtime, partner.integration_id)) == rows


async def test_a_site_change_reaches_every_integration_of_the_operator_only(runtime):
    first, second = await connected(runtime), await connected(runtime)
    network = await publish_site(runtime, first.integration_id)
    async with runtime.sessions() as session:
        session.add(IntegrationLocation(id="loc-second", integration_id=second.integration_id, site_id=network.site_id))
        await session.flush()
        await publication.refresh_integration(session, second.integration_id)
        await session.commit()
    other_operator = await connected_for_other_operator(runtime)

    async def rename(session):
        (await session.get(Site, network.site_id)).public_name = "Renamed"

    await change(runtime, rename, site_ids={network.site_id})
    assert (await ledger(runtime, first.integration_id))[network.location_id]["name"] == "Renamed"
    assert (await ledger(runtime, second.integration_id))["loc-second"]["name"] == "Renamed"
    assert await ledger(runtime, other_operator) == {}


async def connected_for_other_operator(runtime) -> str:
    async with runtime.sessions() as session:
        other = await session.scalar(select(Operator.id).where(Operator.party_id == "OTH"))
    partner = await register_partner(runtime, operator_id=other)
    await set_integration(runtime, partner.integration_id, version_details=RECEIVER)
    return partner.integration_id


async def test_pushes_follow_the_partner_state_and_flags(runtime):
    pending = await register_partner(runtime)  # CONNECTED but without receiver endpoints
    off = await connected(runtime, pushLocation=False)
    await set_integration(runtime, off.integration_id, version_details=RECEIVER)
    disconnected = await connected(runtime)
    await set_integration(runtime, disconnected.integration_id, integration_status="DISCONNECTED")
    for partner in (pending, off, disconnected):
        await publish_site(runtime, partner.integration_id)
    assert await outbox(runtime, pending.integration_id) == []
    assert [row.module for row in await outbox(runtime, off.integration_id)] == ["tariffs"]
    assert await outbox(runtime, disconnected.integration_id) == []
    assert len(await ledger(runtime, disconnected.integration_id)) == 1, "the ledger is kept whatever the state"


async def test_a_rolled_back_change_leaves_nothing(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id)
    before = await ledger(runtime, partner.integration_id)
    rows = len(await outbox(runtime, partner.integration_id))
    async with runtime.sessions() as session:
        (await session.get(Site, network.site_id)).public_name = "Never"
        await session.flush()
        await announce(session, Change(operator_id=network.operator_id, site_ids=frozenset({network.site_id})))
        await session.rollback()
        await session.commit()  # a later commit of the same session must not run the dropped work
    assert await ledger(runtime, partner.integration_id) == before
    assert len(await outbox(runtime, partner.integration_id)) == rows


async def test_unsplit_charger_and_explicit_picks(runtime):
    partner = await connected(runtime)
    network = await publish_site(runtime, partner.integration_id, chargers=1)
    async with runtime.sessions() as session:
        picked = charger(network.operator_id, network.site_id, "PICKED", sockets=2, split_evse_by_socket=False)
        session.add(picked)
        session.add(IntegrationLocation(id="standalone-1", integration_id=partner.integration_id, standalone={
            "name": "Kiosk", "address": "Kauppatori 1", "city": "Helsinki", "country": "FIN",
            "coordinates": {"latitude": 60.1675, "longitude": 24.9525}, "timezone": "Europe/Helsinki",
        }))
        await session.flush()
        session.add(IntegrationLocationCharger(location_id="standalone-1", charger_id="PICKED"))
        await session.flush()
        await announce(
            session, Change(operator_id=network.operator_id, integration_ids=frozenset({partner.integration_id}))
        )
        await session.commit()
    standalone = (await ledger(runtime, partner.integration_id))["standalone-1"]
    assert [(evse["uid"], [c["id"] for c in evse["connectors"]]) for evse in standalone["evses"]] == [("PICKED", ["1", "2"])]
    site_location = (await ledger(runtime, partner.integration_id))[network.location_id]
    assert "PICKED" in {evse["uid"] for evse in site_location["evses"]}, "a site-backed location shows all its chargers"
    await set_socket_status(runtime, "PICKED", 2, "Faulted")
    await set_socket_status(runtime, "PICKED", 1, "Charging")
    standalone = (await ledger(runtime, partner.integration_id))["standalone-1"]
    assert standalone["evses"][0]["status"] == "CHARGING"
    rows = [row for row in await outbox(runtime, partner.integration_id) if row.object_id == "standalone-1"]
    assert [row.method for row in rows][-1] == "PATCH" and rows[-1].status == PENDING


async def totals(runtime, integration_id):
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(PublishedTotal.module, PublishedTotal.total).where(PublishedTotal.integration_id == integration_id)
        )
        return dict(rows.all())


async def test_totals_follow_publication_withdrawal_and_republication(runtime):
    partner = await connected(runtime)
    other = await connected(runtime)
    networks = await publish_sites(runtime, partner.integration_id, 3)
    await publish_site(runtime, other.integration_id)
    assert await totals(runtime, partner.integration_id) == {"locations": 3, "tariffs": 3}
    assert await totals(runtime, other.integration_id) == {"locations": 1, "tariffs": 1}
    withdrawn = networks[0]

    async def unlink(session):
        await session.execute(delete(TariffLink).where(TariffLink.tariff_id == withdrawn.tariff_id))

    await change(runtime, unlink, integration_ids={partner.integration_id})
    assert await totals(runtime, partner.integration_id) == {"locations": 3, "tariffs": 2}

    async def withdraw_location(session):
        await session.execute(delete(IntegrationLocation).where(IntegrationLocation.id == withdrawn.location_id))

    await change(runtime, withdraw_location, integration_ids={partner.integration_id})
    assert await totals(runtime, partner.integration_id) == {"locations": 3, "tariffs": 2}, "still served, REMOVED"

    async def relink(session):
        session.add(TariffLink(integration_id=partner.integration_id, tariff_id=withdrawn.tariff_id,
                               location_id=networks[1].location_id))

    await change(runtime, relink, integration_ids={partner.integration_id})
    assert await totals(runtime, partner.integration_id) == {"locations": 3, "tariffs": 3}
    assert await totals(runtime, other.integration_id) == {"locations": 1, "tariffs": 1}


async def test_concurrent_publications_count_each_other(runtime, database_url):
    """Two transactions adding a location to one integration: the later one's count waits for the first
    to commit (the total's row lock), so neither overwrites the other's total with its own view."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: there are no concurrent publications to count")
    partner = await register_partner(runtime)
    await publish_site(runtime, partner.integration_id)  # the totals rows exist: only their lock orders the counts
    operator_id = await operator_id_of(runtime)

    async def add_location(session):
        new_site = site(operator_id)
        session.add(new_site)
        await session.flush()
        new_tariff = tariff(operator_id)
        location = IntegrationLocation(id=str(uuid.uuid4()), integration_id=partner.integration_id, site_id=new_site.id)
        session.add_all([charger(operator_id, new_site.id), new_tariff, location])
        await session.flush()
        session.add(TariffLink(integration_id=partner.integration_id, tariff_id=new_tariff.id, location_id=location.id))
        await session.flush()
        await publication.refresh_integration(session, partner.integration_id)

    async def second_publication():
        async with runtime.sessions() as session:
            await add_location(session)
            await session.commit()

    async with runtime.sessions() as first:
        await add_location(first)
        second = asyncio.create_task(second_publication())
        await asyncio.sleep(0.5)
        assert not second.done(), "the second publication waits for the first one's total"
        await first.commit()
    await second
    assert await totals(runtime, partner.integration_id) == {"locations": 3, "tariffs": 3}


async def test_migration_gives_existing_rows_their_totals(runtime, database_url):
    partner = await connected(runtime)
    networks = await publish_sites(runtime, partner.integration_id, 2)

    async def make_cost(session):
        (await session.get(Tariff, networks[0].tariff_id)).use_type = "COST"

    await change(runtime, make_cost, tariff_ids={networks[0].tariff_id})
    empty = await register_partner(runtime)
    await runtime.engine.dispose()
    config = migrate.alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0003_location_details")
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await totals(runtime, partner.integration_id) == {"locations": 2, "tariffs": 1}
    assert await totals(runtime, empty.integration_id) == {}
