"""GET /ocpi/{version}/tariffs[/{tariff_id}]: the PRICE tariffs linked to the caller's integration."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from evroam.events import Change, announce
from evroam.tariffs.models import Tariff
from tests.support.ocpi_partner import register_partner
from tests.ocpi.factories import publish_site, schema_errors, set_integration

TARIFFS = "/ocpi/2.2.1/tariffs"


async def test_list_and_get_by_id(runtime, ocpi_client, partner):
    first = await publish_site(runtime, partner.integration_id)
    second = await publish_site(runtime, partner.integration_id)
    response = await ocpi_client.get(TARIFFS, params={"limit": 1})
    assert response.headers["x-total-count"] == "2" and response.headers["x-limit"] == "1000"
    assert response.headers["link"] == (
        f'<http://testserver/ocpi/2.2.1/tariffs?offset=1&limit=1&continue_after=1%3A{first.tariff_id}>; rel="next"'
    )
    (listed,) = response.json()["data"]
    assert listed["id"] == first.tariff_id and listed["country_code"] == "FI" and listed["party_id"] == "EVR"
    assert schema_errors("tariffs", "Tariff", listed) == []
    one = (await ocpi_client.get(f"{TARIFFS}/{second.tariff_id}")).json()
    assert one["status_code"] == 1000 and one["data"]["id"] == second.tariff_id
    missing = await ocpi_client.get(f"{TARIFFS}/no-such-tariff")
    assert missing.status_code == 404 and missing.json()["status_code"] == 2003


async def test_withdrawn_and_foreign_tariffs_are_not_served(runtime, ocpi_client, partner):
    mine = await publish_site(runtime, partner.integration_id)
    colleague = await register_partner(runtime)
    theirs = await publish_site(runtime, colleague.integration_id)
    assert [t["id"] for t in (await ocpi_client.get(TARIFFS)).json()["data"]] == [mine.tariff_id]
    assert (await ocpi_client.get(f"{TARIFFS}/{theirs.tariff_id}")).status_code == 404
    async with runtime.sessions() as session:
        (await session.get(Tariff, mine.tariff_id)).use_type = "COST"
        await session.flush()
        await announce(session, Change(operator_id=mine.operator_id, tariff_ids=frozenset({mine.tariff_id})))
        await session.commit()
    emptied = await ocpi_client.get(TARIFFS)
    assert emptied.json()["data"] == [] and emptied.headers["x-total-count"] == "0"
    assert (await ocpi_client.get(f"{TARIFFS}/{mine.tariff_id}")).status_code == 404


async def test_a_withdrawal_between_pages_skips_nothing_behind_our_link(runtime, ocpi_client, partner):
    networks = [await publish_site(runtime, partner.integration_id) for _ in range(3)]
    first = await ocpi_client.get(TARIFFS, params={"limit": 1})
    assert [t["id"] for t in first.json()["data"]] == [networks[0].tariff_id]
    link = first.headers["link"].split(";")[0].strip("<>")
    async with runtime.sessions() as session:
        (await session.get(Tariff, networks[0].tariff_id)).use_type = "COST"
        await session.flush()
        withdrawn = networks[0]
        await announce(session, Change(operator_id=withdrawn.operator_id, tariff_ids=frozenset({withdrawn.tariff_id})))
        await session.commit()
    followed = await ocpi_client.get(link)
    assert [t["id"] for t in followed.json()["data"]] == [networks[1].tariff_id], "the next object after the last one"
    assert followed.headers["x-total-count"] == "2"
    by_offset = await ocpi_client.get(TARIFFS, params={"offset": 1, "limit": 1})
    assert [t["id"] for t in by_offset.json()["data"]] == [networks[2].tariff_id], "offset 1 of the list as it is now"


async def test_date_filter_and_bad_parameters(runtime, ocpi_client, partner):
    await publish_site(runtime, partner.integration_id)
    (tariff,) = (await ocpi_client.get(TARIFFS)).json()["data"]
    assert len((await ocpi_client.get(TARIFFS, params={"date_from": tariff["last_updated"]})).json()["data"]) == 1
    assert (await ocpi_client.get(TARIFFS, params={"date_to": tariff["last_updated"]})).json()["data"] == []
    bad = await ocpi_client.get(TARIFFS, params={"offset": "x"})
    assert bad.status_code == 200 and bad.json()["status_code"] == 2001


async def test_module_not_offered(runtime, ocpi_client, partner):
    await set_integration(runtime, partner.integration_id, models={"pullTariff": False})
    response = await ocpi_client.get(TARIFFS)
    assert response.status_code == 404 and response.json()["status_code"] == 2000


async def test_2_1_1_tariffs(runtime, app):
    partner = await register_partner(runtime, version="2.1.1")
    network = await publish_site(runtime, partner.integration_id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": partner.authorization}) as client:
        (tariff,) = (await client.get("/ocpi/2.1.1/tariffs")).json()["data"]
    assert tariff["id"] == network.tariff_id and "country_code" not in tariff
    assert tariff["elements"][0]["price_components"] == [{"type": "ENERGY", "price": 0.25, "step_size": 1}]
    async with runtime.sessions() as session:
        assert await session.scalar(select(Tariff.use_type).where(Tariff.id == network.tariff_id)) == "PRICE"
