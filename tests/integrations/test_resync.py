"""POST /api/v2/cpo/integrations/{id}/resync on both engines: the ledger's documents queued again in the
outbox (full PUTs, CDRs POSTed again), `from`, withdrawn objects, the 400s and another operator's 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select, update

from evroam.delivery.models import Delivery
from evroam.publication.models import PublishedDocument
from tests.integrations.factories import INTEGRATIONS, ok
from tests.ocpi.factories import Network, publish_sites, set_integration
from tests.support.ocpi_partner import register_partner

MODULES = ("locations", "tariffs", "sessions", "cdrs")
# Nothing is delivered in these tests (no worker runs): the URLs only have to be listed.
RECEIVER = "http://127.0.0.1:9/emsp/2.2.1"


def version_details(*modules: str) -> dict[str, Any]:
    endpoints = [{"identifier": module, "role": "RECEIVER", "url": f"{RECEIVER}/{module}"} for module in modules]
    return {"version": "2.2.1", "endpoints": endpoints}


@pytest.fixture
async def integration_id(runtime) -> str:
    """A CONNECTED 2.2.1 partner with a Receiver for every pushed module."""
    partner = await register_partner(runtime)
    await set_integration(runtime, partner.integration_id, version_details=version_details(*MODULES))
    return partner.integration_id


@pytest.fixture
async def networks(runtime, integration_id: str) -> list[Network]:
    return await publish_sites(runtime, integration_id, 2)


async def add_documents(runtime, integration_id: str, module: str, *object_ids: str) -> None:
    """Ledger rows of modules whose publishers are not in this branch yet (sessions, CDRs)."""
    async with runtime.sessions() as session:
        for object_id in object_ids:
            document = orjson.dumps({"country_code": "FI", "party_id": "EVR", "id": object_id,
                                     "last_updated": "2026-12-01T00:00:00Z"}).decode()
            session.add(PublishedDocument(integration_id=integration_id, module=module, object_id=object_id,
                                          version="2.2.1", document=document, content_hash=object_id,
                                          last_updated=datetime(2026, 12, 1, tzinfo=UTC), removed=False))
        await session.commit()


async def ledger(runtime, integration_id: str) -> list[PublishedDocument]:
    async with runtime.sessions() as session:
        found = await session.scalars(
            select(PublishedDocument).where(PublishedDocument.integration_id == integration_id)
        )
        return list(found)


async def newest_delivery_id(runtime) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(select(func.coalesce(func.max(Delivery.id), 0)))


async def deliveries_after(runtime, after: int) -> list[Delivery]:
    async with runtime.sessions() as session:
        return list(await session.scalars(select(Delivery).where(Delivery.id > after).order_by(Delivery.id)))


def shape(row: Delivery) -> tuple[str, str, str, str, str | None]:
    return row.module, row.object_id, row.method, row.path, row.body


async def resync(client, integration_id: str, **body: Any):
    return await client.post(f"{INTEGRATIONS}/{integration_id}/resync", json=body)


async def test_resync_queues_every_served_document_whole(client, runtime, integration_id, networks):
    await add_documents(runtime, integration_id, "sessions", "S-1")
    await add_documents(runtime, integration_id, "cdrs", "CDR-1", "CDR-2")
    before = await newest_delivery_id(runtime)

    answer = ok(await resync(client, integration_id, modules=list(MODULES)), 202)

    assert answer == {"queued": {"locations": 2, "tariffs": 2, "sessions": 1, "cdrs": 2}}
    expected = []
    for row in await ledger(runtime, integration_id):
        if row.module == "cdrs":
            expected.append(("cdrs", row.object_id, "POST", "", row.document))
        else:
            expected.append((row.module, row.object_id, "PUT", f"/FI/EVR/{row.object_id}", row.document))
    queued = await deliveries_after(runtime, before)
    assert sorted(map(shape, queued)) == sorted(expected)
    modules_in_order = [row.module for row in queued]
    assert modules_in_order.index("locations") > max(i for i, m in enumerate(modules_in_order) if m == "tariffs"), \
        "tariffs go before the locations that name them"


async def test_resync_sends_what_is_served_of_withdrawn_objects(client, runtime, integration_id, networks):
    gone = networks[1]
    ok(await client.delete(f"{INTEGRATIONS}/{integration_id}/locations/{gone.location_id}"), 204)
    withdrawn = {row.object_id: row for row in await ledger(runtime, integration_id) if row.removed}
    assert set(withdrawn) == {gone.location_id, gone.tariff_id}
    before = await newest_delivery_id(runtime)

    answer = ok(await resync(client, integration_id, modules=["tariffs", "locations"]), 202)

    assert answer == {"queued": {"tariffs": 1, "locations": 2}}
    queued = {(row.module, row.object_id): row for row in await deliveries_after(runtime, before)}
    assert ("tariffs", gone.tariff_id) not in queued, "a withdrawn tariff was DELETEd at the partner"
    location = queued[("locations", gone.location_id)]
    assert (location.method, location.body) == ("PUT", withdrawn[gone.location_id].document)
    assert {evse["status"] for evse in orjson.loads(location.body)["evses"]} == {"REMOVED"}


async def test_resync_takes_the_documents_updated_from_the_moment_given(client, runtime, integration_id, networks):
    since = datetime(2026, 11, 1, tzinfo=UTC)
    old, at_the_moment = networks
    async with runtime.sessions() as session:
        for network, moment in ((old, since - timedelta(seconds=1)), (at_the_moment, since)):
            await session.execute(
                update(PublishedDocument)
                .where(PublishedDocument.object_id.in_([network.location_id, network.tariff_id]))
                .values(last_updated=moment)
            )
        await session.commit()
    before = await newest_delivery_id(runtime)

    answer = ok(await resync(client, integration_id, modules=["locations", "tariffs"], **{"from": "2026-11-01T02:00:00+02:00"}), 202)

    assert answer == {"queued": {"locations": 1, "tariffs": 1}}
    queued = await deliveries_after(runtime, before)
    assert {row.object_id for row in queued} == {at_the_moment.location_id, at_the_moment.tariff_id}


async def problems(response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    return [(item["field"], item["problem"]) for item in response.json()["details"]]


async def test_bad_requests_are_refused_naming_the_field_and_queue_nothing(client, runtime, integration_id, networks):
    before = await newest_delivery_id(runtime)
    unknown = await problems(await resync(client, integration_id, modules=["locations", "tokens", "parking"]))
    assert [field for field, _ in unknown] == ["modules.1", "modules.2"]
    assert all("not a module evroam pushes" in problem for _, problem in unknown)
    assert [f for f, _ in await problems(await resync(client, integration_id, modules=["x" * 33]))] == ["modules.0"]
    twice = await problems(await resync(client, integration_id, modules=["tariffs", "tariffs"]))
    assert [field for field, _ in twice] == ["modules.1"]
    for moment in ("2026-12-01T00:00:00", "2026-12-01", "yesterday"):
        assert [f for f, _ in await problems(await resync(client, integration_id, modules=["tariffs"],
                                                          **{"from": moment}))] == ["from"]
    assert [f for f, _ in await problems(await resync(client, integration_id, modules=[]))] == ["modules"]
    assert [f for f, _ in await problems(await resync(client, integration_id))] == ["modules"]
    assert [f for f, _ in await problems(await resync(client, integration_id, modules=["tariffs"],
                                                      dateFrom="2026-12-01T00:00:00Z"))] == ["dateFrom"]
    assert await newest_delivery_id(runtime) == before


async def test_a_module_not_pushed_to_the_partner_is_refused_with_the_reason(client, runtime, integration_id):
    await set_integration(runtime, integration_id, models={"pushTariff": False},
                          version_details=version_details("locations", "tariffs", "sessions"))
    refused = await problems(await resync(client, integration_id, modules=["locations", "tariffs", "cdrs"]))
    assert refused == [
        ("modules.1", "tariffs is not pushed to this partner: the integration's models.pushTariff is false"),
        ("modules.2", "cdrs is not pushed to this partner: the partner's version details list no cdrs RECEIVER endpoint"),
    ]
    await set_integration(runtime, integration_id, integration_status="DISCONNECTED")
    refused = await problems(await resync(client, integration_id, modules=["locations"]))
    assert refused == [("modules.0", "locations is not pushed to this partner: the integration is DISCONNECTED: "
                                     "pushes go only to a CONNECTED partner")]


async def test_another_operators_integration_or_an_unknown_one_is_not_found(client, other_client, runtime,
                                                                            integration_id, networks):
    before = await newest_delivery_id(runtime)
    assert (await resync(other_client, integration_id, modules=["locations"])).status_code == 404
    assert (await resync(client, "no-such-integration", modules=["locations"])).status_code == 404
    assert await newest_delivery_id(runtime) == before
