"""Spot tariffs through the ledger: published with the known prices of today and tomorrow, and published
again, with a push, when a spot price import brings new prices."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from evroam.delivery.models import Delivery
from tests.integrations.factories import API, INTEGRATIONS, add_location, make_site, make_tariff, ok
from tests.support.ocpi_partner import register_partner
from tests.ocpi.factories import RecordingEmsp, documents, set_integration

RECEIVER = RecordingEmsp(base_url="http://emsp.invalid").version_details("2.2.1")
HELSINKI = ZoneInfo("Europe/Helsinki")
SPOT = {"type": "ENERGY_SPOT", "biddingZone": "FI", "priceCap": 0.30, "vat": 25.5}


def hours_from_local_midnight(hours: int, price: str) -> dict:
    """Hourly FI prices from the start of today in Helsinki."""
    today = datetime.now(HELSINKI).date()
    start = datetime.combine(today, time(), HELSINKI).astimezone(UTC)
    return {"biddingZone": "FI", "currency": "EUR", "prices": [
        {"start": (start + timedelta(hours=n)).isoformat(), "end": (start + timedelta(hours=n + 1)).isoformat(),
         "price": price} for n in range(hours)]}  # fmt: skip


async def published_tariff(runtime, integration_id, tariff_id):
    async with runtime.sessions() as session:
        return (await documents(session, integration_id, "tariffs"))[tariff_id]


async def tariff_puts(runtime, integration_id):
    async with runtime.sessions() as session:
        return (await session.scalars(
            select(Delivery.body).where(Delivery.integration_id == integration_id, Delivery.module == "tariffs")
        )).all()  # fmt: skip


async def test_a_spot_price_import_publishes_the_new_prices(client, runtime):
    partner = await register_partner(runtime)
    await set_integration(runtime, partner.integration_id, version_details=RECEIVER)
    ok(await client.post(f"{API}/spot-prices", json=hours_from_local_midnight(60, "0.10")), 201)
    tariff_id = await make_tariff(client, name="Spot", elements=[{"priceComponents": [SPOT]}])
    location_id = (await add_location(client, partner.integration_id, {"siteId": await make_site(client)}))["id"]
    ok(await client.post(f"{INTEGRATIONS}/{partner.integration_id}/tariffs/{tariff_id}",
                         json={"locations": [{"locationId": location_id}]}))  # fmt: skip

    elements = (await published_tariff(runtime, partner.integration_id, tariff_id))["elements"]
    today = datetime.now(HELSINKI).date()
    # Across a change of clocks the local days have 47 or 49 hours (aware datetimes of one zone subtract as
    # wall times, so in UTC).
    hours = datetime.combine(today + timedelta(days=2), time(), HELSINKI).astimezone(UTC) - datetime.combine(
        today, time(), HELSINKI
    ).astimezone(UTC)
    assert len(elements) == hours // timedelta(hours=1) + 1, "today and tomorrow, hour by hour, then the cap"
    assert {e["price_components"][0]["price"] for e in elements[:-1]} == {0.10}
    assert "restrictions" not in elements[-1] and elements[-1]["price_components"][0]["price"] == 0.30
    pushes = len(await tariff_puts(runtime, partner.integration_id))

    ok(await client.post(f"{API}/spot-prices", json=hours_from_local_midnight(60, "0.50")), 201)
    elements = (await published_tariff(runtime, partner.integration_id, tariff_id))["elements"]
    assert {e["price_components"][0]["price"] for e in elements[:-1]} == {0.30}, "0.50 is over the cap"
    bodies = await tariff_puts(runtime, partner.integration_id)
    assert len(bodies) == pushes + 1 and '"price":0.3' in bodies[-1], "the new prices are pushed"
