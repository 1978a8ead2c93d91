"""POST /api/v2/cpo/tariffs/{tariffId}/quote on both engines: spot prices imported through the API and
priced as the documented rule says (computed here independently of the engine), the place and its time
zone, every phase of a session, COST tariffs, bad input, and another operator's view."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.integrations.factories import STANDALONE, add_location, make_integration, make_site
from tests.tariffs.pricing_support import FIXTURES

TARIFFS = "/api/v2/cpo/tariffs"
SPOT_PRICES = "/api/v2/cpo/spot-prices"
HELSINKI = "Europe/Helsinki"
# FI: 13:00-14:00 UTC at 0.10 per kWh, 14:00-15:00 UTC at 0.30.
TWO_HOURS = {
    "biddingZone": "FI",
    "currency": "EUR",
    "prices": [
        {"start": "2026-11-23T13:00:00Z", "end": "2026-11-23T14:00:00Z", "price": 0.10},
        {"start": "2026-11-23T14:00:00Z", "end": "2026-11-23T15:00:00Z", "price": 0.30},
    ],
}
CAPPED = {"priceCap": 0.18, "costPercentage": 30, "marginPercentage": 10, "margin": 0.02, "vat": 25.5}
CAPPED_RULE = {"cap": "0.18", "cost_percentage": "30", "margin_percentage": "10", "margin": "0.02"}  # as arguments
# 15:40 in Helsinki is 13:40 UTC: 40 minutes of charging, 20 on each side of the 14:00 price change.
ACROSS_THE_HOUR = {"start": "2026-11-23T15:40:00+02:00", "chargingMinutes": 40, "energyKwh": 12, "timeZone": HELSINKI}


def spot_unit_price(spot: str, cap: str | None = None, cost_percentage: str = "0", margin_percentage: str = "0",
                    margin: str = "0") -> Decimal:  # fmt: skip
    """The documented rule, written out again: the test must not trust the engine to check the engine."""
    spot_price = Decimal(spot)
    capped = spot_price
    if cap is not None and spot_price > Decimal(cap):
        capped = Decimal(cap) + Decimal(cost_percentage) / 100 * (spot_price - Decimal(cap))
    return capped * (1 + Decimal(margin_percentage) / 100) + Decimal(margin)


def shown(amount: Decimal) -> float:
    """As the API writes money: 4 decimals, half up."""
    return float(amount.quantize(Decimal("0.0001"), ROUND_HALF_UP))


def tariff(*elements: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": "Quoted", "currency": "EUR", "elements": list(elements), **fields}


def element(*components: dict[str, Any], **restrictions: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"priceComponents": list(components)}
    return {**found, "restrictions": restrictions} if restrictions else found


def spot(kind: str = "ENERGY_SPOT", **fields: Any) -> dict[str, Any]:
    return {"type": kind, "biddingZone": "FI", **fields}


async def created_tariff(client, body: dict[str, Any]) -> str:
    response = await client.post(TARIFFS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def quote(client, tariff_id: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = await client.post(f"{TARIFFS}/{tariff_id}/quote", json=body)
    assert response.status_code == status, response.text
    return response.json()


async def imported(client, body: dict[str, Any] = TWO_HOURS) -> None:
    assert (await client.post(SPOT_PRICES, json=body)).status_code == 201


async def test_energy_spot_across_an_hour_boundary(client):
    await imported(client)
    tariff_id = await created_tariff(client, tariff(element(spot(**CAPPED))))
    result = await quote(client, tariff_id, ACROSS_THE_HOUR)

    before, after = spot_unit_price("0.10", **CAPPED_RULE), spot_unit_price("0.30", **CAPPED_RULE)
    assert (before, after) == (Decimal("0.13"), Decimal("0.2576"))  # 0.10 under the cap; 0.18 + 30 % of 0.12
    excl = 6 * before + 6 * after  # energy shared evenly over the 40 minutes: 6 kWh on each side
    assert result["totalEnergyCost"] == {"exclVat": shown(excl), "inclVat": shown(excl * Decimal("1.255"))}
    assert result["totalCost"] == result["totalEnergyCost"] and "totalCostBeforeLimits" not in result
    items = [(i["startDateTime"], i["consumedQuantity"], i["spotPrice"], i["unitPrice"], i["vat"])
             for i in result["lineItems"]]  # fmt: skip
    assert items == [("2026-11-23T13:40:00Z", 6.0, 0.1, float(before), 25.5),
                     ("2026-11-23T14:00:00Z", 6.0, 0.3, float(after), 25.5)]  # fmt: skip
    assert (result["tariffId"], result["currency"], result["timeZone"]) == (tariff_id, "EUR", HELSINKI)
    assert (result["totalEnergy"], result["totalTime"], result["totalParkingTime"]) == (12.0, pytest.approx(2 / 3), 0.0)


async def test_documented_cap_example_from_a_csv_import(client):
    """emabler-reference: spot 0.27, cap 0.18, 30 % -> 0.207 per kWh."""
    csv = (FIXTURES / "spot_prices_fi_se3.csv").read_bytes()
    response = await client.post(f"{SPOT_PRICES}/import", content=csv, headers={"content-type": "text/csv"})
    assert response.status_code == 201, response.text
    tariff_id = await created_tariff(client, tariff(element(spot(priceCap=0.18, costPercentage=30))))
    result = await quote(client, tariff_id, {"start": "2026-11-23T14:10:00Z", "chargingMinutes": 30, "energyKwh": 10,
                                             "timeZone": HELSINKI})  # fmt: skip
    assert spot_unit_price("0.27", cap="0.18", cost_percentage="30") == Decimal("0.207")
    [line] = result["lineItems"]
    assert (line["spotPrice"], line["unitPrice"], line["cost"]) == (0.27, 0.207, {"exclVat": 2.07, "inclVat": 2.07})


async def test_locked_spot_keeps_the_price_at_session_start(client):
    await imported(client)
    tariff_id = await created_tariff(client, tariff(element(spot("ENERGY_SPOT_LOCKED", **CAPPED))))
    result = await quote(client, tariff_id, ACROSS_THE_HOUR)
    locked = spot_unit_price("0.10", **CAPPED_RULE)
    [line] = result["lineItems"]
    assert (line["spotPrice"], line["unitPrice"], line["consumedQuantity"]) == (0.1, float(locked), 12.0)
    assert result["totalCost"]["exclVat"] == shown(12 * locked)


async def test_missing_spot_price_names_zone_and_hour(client):
    await imported(client)
    following = await created_tariff(client, tariff(element(spot())))
    late = {**ACROSS_THE_HOUR, "start": "2026-11-23T14:30:00Z", "chargingMinutes": 60}
    details = (await quote(client, following, late, 400))["details"]
    assert details == [{"field": "start", "problem": "no spot price for bidding zone FI at 2026-11-23T15:00Z: "
                        "import spot prices first"}]  # fmt: skip
    locked = await created_tariff(client, tariff(element(spot("ENERGY_SPOT_LOCKED"))))
    early = {**ACROSS_THE_HOUR, "start": "2026-11-23T12:59:00Z"}
    assert "bidding zone FI at 2026-11-23T12:59Z" in (await quote(client, locked, early, 400))["details"][0]["problem"]


async def test_another_operators_spot_prices_are_not_used(client, other_client):
    await imported(other_client)
    tariff_id = await created_tariff(client, tariff(element(spot())))
    details = (await quote(client, tariff_id, ACROSS_THE_HOUR, 400))["details"]
    assert details[0]["field"] == "start" and "2026-11-23T13:40Z" in details[0]["problem"]


async def test_spot_prices_in_another_currency_conflict(client):
    await imported(client)
    tariff_id = await created_tariff(client, tariff(element(spot()), currency="SEK"))
    details = (await quote(client, tariff_id, ACROSS_THE_HOUR, 409))["details"]
    assert details == [{"field": "currency", "problem": "the tariff is in SEK but the spot prices of FI are in EUR"}]


EVENING = tariff(
    element({"type": "ENERGY", "price": 0.20}, startTime="00:00", endTime="17:00"),
    element({"type": "ENERGY", "price": 0.30}),
)
# 14:30 UTC: 16:30 in Helsinki, so the second half hour is after 17:00 there; in London it is 14:30.
AT_HALF_PAST_TWO = {"start": "2026-11-23T14:30:00Z", "chargingMinutes": 60, "energyKwh": 10}


async def test_time_zone_from_the_site_unless_given(client):
    tariff_id = await created_tariff(client, EVENING)
    site_id = await make_site(client)
    from_site = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "siteId": site_id})
    assert (from_site["timeZone"], from_site["totalCost"]["exclVat"]) == (HELSINKI, 2.5)  # 5 kWh at 0.20 + 5 at 0.30
    cut_at_five = [period["startDateTime"] for period in from_site["periods"]]
    assert cut_at_five == ["2026-11-23T14:30:00Z", "2026-11-23T15:00:00Z"]
    given = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "siteId": site_id, "timeZone": "UTC"})
    assert (given["timeZone"], given["totalCost"]["exclVat"]) == ("UTC", 2.0)
    details = (await quote(client, tariff_id, AT_HALF_PAST_TWO, 400))["details"]
    assert [detail["field"] for detail in details] == ["timeZone"]


async def test_time_zone_from_an_integration_location(client):
    tariff_id = await created_tariff(client, EVENING)
    integration_id = (await make_integration(client))["integrationId"]
    site_backed = await add_location(client, integration_id, {"siteId": await make_site(client)})
    standalone = await add_location(client, integration_id, {**STANDALONE, "timezone": "Europe/London",
                                                             "chargerIds": []})  # fmt: skip
    backed = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "integrationLocationId": site_backed["id"]})
    assert (backed["timeZone"], backed["totalCost"]["exclVat"]) == (HELSINKI, 2.5)
    alone = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "integrationLocationId": standalone["id"]})
    assert (alone["timeZone"], alone["totalCost"]["exclVat"]) == ("Europe/London", 2.0)


async def test_every_phase_with_duration_minutes(client):
    """15 min reserved at 6/h, then 90 min plugged in of which 30 parked: 1.50 + 2.00 + 1.50 + 2.50 energy."""
    body = tariff(
        element({"type": "TIME", "price": 6}, reservation="RESERVATION"),
        element({"type": "TIME", "price": 2}, {"type": "PARKING_TIME", "price": 3}, {"type": "ENERGY", "price": 0.25}),
    )
    tariff_id = await created_tariff(client, body)
    result = await quote(client, tariff_id, {"start": "2026-11-23T10:00:00Z", "reservationMinutes": 15,
                                             "durationMinutes": 90, "parkingMinutes": 30, "energyKwh": 10,
                                             "timeZone": HELSINKI})  # fmt: skip
    costs = {name: result[name]["exclVat"] for name in ("totalReservationCost", "totalTimeCost", "totalParkingCost",
                                                        "totalEnergyCost", "totalFixedCost", "totalCost")}  # fmt: skip
    assert costs == {"totalReservationCost": 1.5, "totalTimeCost": 2.0, "totalParkingCost": 1.5,
                     "totalEnergyCost": 2.5, "totalFixedCost": 0.0, "totalCost": 7.5}  # fmt: skip
    assert (result["totalTime"], result["totalParkingTime"], result["totalReservationTime"]) == (1.5, 0.5, 0.25)
    assert [(p["state"], p["startDateTime"], p["durationSeconds"], p["energyKwh"]) for p in result["periods"]] == [
        ("RESERVATION", "2026-11-23T10:00:00Z", 900, 0.0),
        ("CHARGING", "2026-11-23T10:15:00Z", 3600, 10.0),
        ("PARKING", "2026-11-23T11:15:00Z", 1800, 0.0),
    ]
    reservation = next(item for item in result["lineItems"] if item["dimension"] == "RESERVATION_TIME")
    assert (reservation["costField"], reservation["consumedQuantity"], reservation["pricedPer"]) == (
        "totalReservationCost", 900, "hour")  # fmt: skip


async def test_cost_tariff_without_monthly_components(client):
    monthly = [{"type": "MONTHLY_FLAT", "price": 10}, {"type": "SOCKET_COUNT", "price": 2},
               {"type": "CHARGER_COUNT", "price": 5}]  # fmt: skip
    body = tariff(element(*monthly, {"type": "ENERGY", "price": 0.25}, {"type": "FLAT", "price": 1}), useType="COST")
    tariff_id = await created_tariff(client, body)
    result = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "timeZone": HELSINKI})
    assert result["totalCost"] == {"exclVat": 3.5, "inclVat": 3.5}
    assert sorted(item["dimension"] for item in result["lineItems"]) == ["ENERGY", "FLAT"]


async def test_price_limits_show_the_total_before_them(client):
    tariff_id = await created_tariff(client, tariff(element({"type": "ENERGY", "price": 0.25}),
                                                    minPrice={"exclVat": 5, "inclVat": 6}))  # fmt: skip
    result = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "timeZone": HELSINKI})
    assert result["totalCost"] == {"exclVat": 5.0, "inclVat": 6.0}
    assert result["totalCostBeforeLimits"] == {"exclVat": 2.5, "inclVat": 2.5} == result["totalEnergyCost"]


async def test_power_restrictions_use_the_given_power_else_the_average(client):
    slow_is_cheaper = tariff(element({"type": "ENERGY", "price": 0.20}, maxPower=11),
                             element({"type": "ENERGY", "price": 0.40}))  # fmt: skip
    tariff_id = await created_tariff(client, slow_is_cheaper)
    average = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "timeZone": HELSINKI})  # 10 kWh in 1 h: 10 kW
    assert average["totalCost"]["exclVat"] == 2.0
    fast = await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "timeZone": HELSINKI, "maxPowerKw": 22})
    assert fast["totalCost"]["exclVat"] == 4.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"chargingMinutes": None}, "chargingMinutes"),
        ({"durationMinutes": 60}, "durationMinutes"),
        ({"chargingMinutes": None, "durationMinutes": 20, "parkingMinutes": 30}, "parkingMinutes"),
        ({"chargingMinutes": 0}, "energyKwh"),
        ({"chargingMinutes": 44641}, "chargingMinutes"),
        ({"chargingMinutes": -1}, "chargingMinutes"),
        ({"start": "2026-11-23T14:30:00"}, "start"),
        ({"start": "tomorrow"}, "start"),
        ({"energyKwh": -1}, "energyKwh"),
        ({"energyKwh": None}, "energyKwh"),
        ({"timeZone": "Mars/Olympus"}, "timeZone"),
        ({"siteId": 999}, "siteId"),
        ({"siteId": 1, "integrationLocationId": "x"}, "integrationLocationId"),
        ({"integrationLocationId": "nowhere"}, "integrationLocationId"),
        ({"maxPowerKw": "fast"}, "maxPowerKw"),
    ],
)
async def test_bad_input_names_the_field(client, change, field):
    tariff_id = await created_tariff(client, EVENING)
    body = {key: value for key, value in {**AT_HALF_PAST_TWO, "timeZone": HELSINKI, **change}.items()
            if value is not None}  # fmt: skip
    details = (await quote(client, tariff_id, body, 400))["details"]
    assert field in [detail["field"] for detail in details], details


async def test_unknown_tariff_and_another_operators(client, other_client):
    tariff_id = await created_tariff(client, EVENING)
    body = {**AT_HALF_PAST_TWO, "timeZone": HELSINKI}
    await quote(client, "no-such-tariff", body, 404)
    await quote(other_client, tariff_id, body, 404)
    their_site = await make_site(other_client)
    details = (await quote(client, tariff_id, {**AT_HALF_PAST_TWO, "siteId": their_site}, 400))["details"]
    assert details == [{"field": "siteId", "problem": f"site {their_site} does not exist"}]
    their_location = await add_location(other_client, (await make_integration(other_client))["integrationId"],
                                        {"siteId": their_site})  # fmt: skip
    body = {**AT_HALF_PAST_TWO, "integrationLocationId": their_location["id"]}
    assert (await quote(client, tariff_id, body, 400))["details"][0]["field"] == "integrationLocationId"


async def test_missing_and_unknown_key(client):
    tariff_id = await created_tariff(client, EVENING)
    body = {**AT_HALF_PAST_TWO, "timeZone": HELSINKI}
    response = await client.post(f"{TARIFFS}/{tariff_id}/quote", json=body, headers={"x-api-key": "nope"})
    assert response.status_code == 401
