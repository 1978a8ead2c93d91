"""The teardown check every storage test ends with: a ledger that missed a change of the tables fails it."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from evroam.publication import hook
from evroam.tariffs.models import Tariff
from tests.integrations.factories import INTEGRATIONS, add_location, make_site, make_tariff, ok
from tests.support.read_models import assert_publication_ledger_current


async def test_a_change_the_ledger_missed_is_found(client, partner, runtime):
    tariff_id = await make_tariff(client)
    location_id = (await add_location(client, partner.integration_id, {"siteId": await make_site(client)}))["id"]
    ok(await client.post(f"{INTEGRATIONS}/{partner.integration_id}/tariffs/{tariff_id}",
                         json={"locations": [{"locationId": location_id}]}))  # fmt: skip
    await assert_publication_ledger_current(runtime)

    async with runtime.sessions() as session:  # a write that announces nothing
        await session.execute(update(Tariff).where(Tariff.id == tariff_id).values(tariff_alt_url="https://example.com/new"))
        await session.commit()
    with pytest.raises(AssertionError, match=f"'tariffs', '{tariff_id}'.*not what the tables say"):
        await assert_publication_ledger_current(runtime)

    async with runtime.sessions() as session:  # mended, for the fixture's own check
        await hook.refresh_integration(session, partner.integration_id)
        await session.commit()
