"""/api/v2/cpo/chargers and their sockets on both engines: happy paths, bad input, other operators,
and the changes announced to subscribers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from evroam.events import Change
from evroam.integrations.models import Integration
from evroam.integrations.locations.models import IntegrationLocation, IntegrationLocationCharger
from evroam.integrations.tariff_links.models import TariffLink
from evroam.tariffs.models import Tariff
from tests.network.sites.test_sites import SITE

CHARGERS = "/api/v2/cpo/chargers"

SOCKET = {
    "id": 1,
    "name": "Left",
    "type": "IEC_62196_T2",
    "format": "SOCKET",
    "socketPowerType": "AC_3_PHASE",
    "maxPower": 22,
    "maxVoltage": 400,
    "maxAmperage": 32,
    "evseId": "FI*EVR*E12345*1",
}
CHARGER = {
    "chargerId": "EVROAM_Charger12345",
    "name": "Harbour 1",
    "evseId": "FI*EVR*E12345",
    "capabilities": ["RFID_READER", "REMOTE_START_STOP_CAPABLE"],
    "model": "Wallbox Pro",
    "manufacturer": "Acme",
    "firmwareVersion": "1.2.3",
    "serialNumber": "SN-1",
    "chargerGroupId": 7,
    "chargerGroupName": "Harbour",
    "sockets": [SOCKET, {**SOCKET, "id": 2, "name": "Right", "evseId": "FI*EVR*E12345*2"}],
}



async def make_site(client, **overrides) -> int:
    response = await client.post("/api/v2/cpo/sites", json={**SITE, **overrides})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def make_charger(client, site_id: int, **overrides) -> dict:
    response = await client.post(CHARGERS, json={**CHARGER, "siteId": site_id, **overrides})
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_get_list_update_delete(client, changes):
    site_id = await make_site(client)
    charger = await make_charger(client, site_id)
    assert charger["chargerId"] == "EVROAM_Charger12345" and charger["siteId"] == site_id
    assert charger["splitEvseBySocket"] is True and charger["activeConnection"] is True
    assert charger["capabilities"] == ["RFID_READER", "REMOTE_START_STOP_CAPABLE"]
    first = charger["sockets"][0]
    assert first["id"] == 1 and first["socketPowerType"] == "AC_3_PHASE" and first["maxPower"] == 22
    assert first["status"] == "Available" and first["evseId"] == "FI*EVR*E12345*1"
    assert [socket["id"] for socket in charger["sockets"]] == [1, 2]
    assert changes[-1] == Change(
        operator_id=changes[-1].operator_id,
        charger_ids=frozenset({"EVROAM_Charger12345"}),
        site_ids=frozenset({site_id}),
    )

    fetched = await client.get(f"{CHARGERS}/EVROAM_Charger12345")
    assert fetched.status_code == 200 and fetched.json() == charger

    patched = await client.patch(
        f"{CHARGERS}/EVROAM_Charger12345", json={"name": "Harbour A", "activeConnection": False}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Harbour A" and patched.json()["activeConnection"] is False
    assert patched.json()["model"] == "Wallbox Pro" and len(patched.json()["sockets"]) == 2

    assert (await client.delete(f"{CHARGERS}/EVROAM_Charger12345")).status_code == 204
    assert changes[-1].charger_ids == frozenset({"EVROAM_Charger12345"})
    assert (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).status_code == 404
    assert (await client.delete(f"{CHARGERS}/EVROAM_Charger12345")).status_code == 404


async def test_defaults_and_minimal_charger(client):
    site_id = await make_site(client)
    response = await client.post(CHARGERS, json={"chargerId": "c.1*x-y_z", "name": "Bare", "siteId": site_id})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["sockets"] == [] and body["capabilities"] == [] and body["splitEvseBySocket"] is True
    assert "evseId" not in body and "model" not in body


async def test_list_pages_and_filters_by_site(client):
    harbour = await make_site(client)
    airport = await make_site(client, name="Airport")
    for number in range(3):
        await make_charger(client, harbour, chargerId=f"H{number}")
    await make_charger(client, airport, chargerId="A0")

    everything = (await client.get(CHARGERS, params={"limit": 2})).json()
    assert everything["totalRecords"] == 4 and everything["hasNextPage"] is True
    assert [item["chargerId"] for item in everything["items"]] == ["A0", "H0"]
    assert everything["items"][0]["sockets"][1]["id"] == 2

    at_harbour = (await client.get(CHARGERS, params={"siteId": harbour, "page": 2, "limit": 2})).json()
    assert at_harbour["totalRecords"] == 3 and [item["chargerId"] for item in at_harbour["items"]] == ["H2"]
    assert at_harbour["hasPreviousPage"] is True and at_harbour["hasNextPage"] is False
    bad_filter = await client.get(CHARGERS, params={"siteId": "x"})
    assert bad_filter.status_code == 400 and bad_filter.json()["details"][0]["field"] == "siteId"


async def test_patch_sockets_replaces_the_list(client, changes):
    site_id = await make_site(client)
    await make_charger(client, site_id)
    await client.patch(f"{CHARGERS}/EVROAM_Charger12345/sockets/1", json={"status": "Charging"})
    before = (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json()["sockets"][0]

    new_socket = {**SOCKET, "id": 3, "type": "IEC_62196_T2_COMBO", "format": "CABLE"}
    body = {"sockets": [{"id": 1, "maxPower": 11}, new_socket]}
    response = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json=body)
    assert response.status_code == 200, response.text
    sockets = response.json()["sockets"]
    assert [socket["id"] for socket in sockets] == [1, 3], "socket 2 was left out, so it is removed"
    kept = sockets[0]
    assert kept["maxPower"] == 11 and kept["name"] == "Left" and kept["type"] == "IEC_62196_T2"
    assert kept["status"] == "Charging" and kept["statusUpdatedAt"] == before["statusUpdatedAt"]
    assert sockets[1]["format"] == "CABLE" and sockets[1]["status"] == "Available"
    assert changes[-1].charger_ids == frozenset({"EVROAM_Charger12345"})

    cleared = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json={"sockets": []})
    assert cleared.json()["sockets"] == []
    assert (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json()["sockets"] == []


@pytest.mark.parametrize(
    ("sockets", "field", "problem"),
    [
        ([{"id": 1}, {"id": 1}], "sockets.1.id", "socket id 1 appears more than once"),
        ([{"id": 0}], "sockets.0.id", None),
        ([{"id": 1}, {"id": 9, "type": "IEC_62196_T2", "format": "SOCKET"}], "sockets.1.socketPowerType",
         "is required for a new socket"),
        ([{"id": 2, "format": None}], "sockets.0.format", "cannot be null"),
        ([{"id": 2, "status": None}], "sockets.0.status", "cannot be null"),
        ([{"id": 2, "status": "Sleeping"}], "sockets.0.status", None),
    ],
)
async def test_bad_socket_list_changes_nothing(client, sockets, field, problem):
    site_id = await make_site(client)
    created = await make_charger(client, site_id)
    response = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json={"name": "Renamed", "sockets": sockets})
    assert response.status_code == 400, response.text
    detail = response.json()["details"][0]
    assert detail["field"] == field
    if problem:
        assert detail["problem"] == problem
    assert (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json() == created


async def test_create_refuses_duplicate_socket_ids(client):
    site_id = await make_site(client)
    response = await client.post(CHARGERS, json={**CHARGER, "siteId": site_id, "sockets": [SOCKET, SOCKET]})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "sockets.1.id"
    assert (await client.get(CHARGERS)).json()["totalRecords"] == 0


async def test_move_to_another_site_announces_both(client, changes):
    harbour = await make_site(client)
    airport = await make_site(client, name="Airport")
    await make_charger(client, harbour)
    moved = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json={"siteId": airport})
    assert moved.status_code == 200 and moved.json()["siteId"] == airport
    assert changes[-1].site_ids == frozenset({harbour, airport})
    assert changes[-1].charger_ids == frozenset({"EVROAM_Charger12345"})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"chargerId": ""}, "chargerId"),
        ({"chargerId": "has space"}, "chargerId"),
        ({"chargerId": "x" * 65}, "chargerId"),
        ({"evseId": "FI-EVR-12345"}, "evseId"),
        ({"name": ""}, "name"),
        ({"capabilities": ["TELEPORT"]}, "capabilities.0"),
        ({"sockets": [{**SOCKET, "type": "SCHUKO"}]}, "sockets.0.type"),
        ({"sockets": [{**SOCKET, "format": "PLUG"}]}, "sockets.0.format"),
        ({"sockets": [{**SOCKET, "socketPowerType": "AC"}]}, "sockets.0.socketPowerType"),
        ({"sockets": [{**SOCKET, "maxPower": -1}]}, "sockets.0.maxPower"),
        ({"sockets": [{**SOCKET, "maxPower": 1.0001}]}, "sockets.0.maxPower"),
        ({"sockets": [{**SOCKET, "status": "Sleeping"}]}, "sockets.0.status"),
        ({"sockets": [{**SOCKET, "evseId": "nope"}]}, "sockets.0.evseId"),
        ({"sockets": [{**SOCKET, "id": 0}]}, "sockets.0.id"),
        ({"splitEvseBySocket": "sometimes"}, "splitEvseBySocket"),
    ],
)
async def test_bad_input_names_the_field(client, change, field):
    site_id = await make_site(client)
    response = await client.post(CHARGERS, json={**CHARGER, "siteId": site_id, **change})
    assert response.status_code == 400, response.text
    assert field in [detail["field"] for detail in response.json()["details"]], response.json()
    assert (await client.get(CHARGERS)).json()["totalRecords"] == 0


async def test_evse_ids_are_checked_case_insensitively(client):
    site_id = await make_site(client)
    charger = await make_charger(client, site_id, evseId="fievre1", sockets=[{**SOCKET, "evseId": "FI*EVR*E1*A"}])
    assert charger["evseId"] == "fievre1" and charger["sockets"][0]["evseId"] == "FI*EVR*E1*A"


async def test_missing_fields_and_unknown_site(client, other_client):
    site_id = await make_site(client)
    missing = await client.post(CHARGERS, json={"chargerId": "C1", "siteId": site_id})
    assert missing.status_code == 400 and {"field": "name", "problem": "is required"} in missing.json()["details"]

    unknown = await client.post(CHARGERS, json={**CHARGER, "siteId": 999})
    assert unknown.status_code == 400 and unknown.json()["details"][0]["field"] == "siteId"
    others = await other_client.post(CHARGERS, json={**CHARGER, "siteId": site_id})
    assert others.status_code == 400 and others.json()["details"][0]["field"] == "siteId"

    await make_charger(client, site_id)
    moved = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json={"siteId": 999})
    assert moved.status_code == 400 and moved.json()["details"][0]["field"] == "siteId"
    assert (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json()["siteId"] == site_id


async def test_charger_id_is_globally_unique(client, other_client):
    site_id = await make_site(client)
    await make_charger(client, site_id)
    again = await client.post(CHARGERS, json={**CHARGER, "siteId": site_id, "name": "Twin"})
    assert again.status_code == 409 and again.json()["details"] == [{"field": "chargerId", "problem": "already in use"}]

    other_site = await make_site(other_client)
    theirs = await other_client.post(CHARGERS, json={**CHARGER, "siteId": other_site})
    assert theirs.status_code == 409, "another operator cannot take an id in use"
    assert theirs.json()["details"] == [{"field": "chargerId", "problem": "already in use"}]
    assert "Harbour" not in theirs.text
    assert (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json()["name"] == "Harbour 1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"siteId": None}, "siteId"),
        ({"activeConnection": None}, "activeConnection"),
        ({"sockets": None}, "sockets"),
        ({"chargerId": "RENAMED"}, "chargerId"),
    ],
)
async def test_patch_refuses_nulls_and_renames(client, body, field):
    site_id = await make_site(client)
    created = await make_charger(client, site_id)
    response = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json=body)
    assert response.status_code == 400 and response.json()["details"][0]["field"] == field, response.text
    assert (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json() == created


async def test_patch_clears_optional_fields(client):
    site_id = await make_site(client)
    await make_charger(client, site_id)
    body = {"chargerId": "EVROAM_Charger12345", "model": None, "capabilities": None}
    same_id = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json=body)
    assert same_id.status_code == 200
    assert "model" not in same_id.json() and same_id.json()["capabilities"] == []


async def test_socket_status_patch(client, changes):
    site_id = await make_site(client)
    created = await make_charger(client, site_id)
    before = created["sockets"][1]
    changes.clear()

    response = await client.patch(f"{CHARGERS}/EVROAM_Charger12345/sockets/2", json={"status": "Faulted"})
    assert response.status_code == 200, response.text
    socket = response.json()
    assert socket["id"] == 2 and socket["status"] == "Faulted" and socket["name"] == "Right"
    assert socket["statusUpdatedAt"] > before["statusUpdatedAt"]
    assert changes == [
        Change(operator_id=changes[0].operator_id, charger_ids=frozenset({"EVROAM_Charger12345"}),
               site_ids=frozenset({site_id}))
    ]
    stored = (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json()["sockets"]
    assert [s["status"] for s in stored] == ["Available", "Faulted"]

    repeated = await client.patch(
        f"{CHARGERS}/EVROAM_Charger12345/sockets/2", json={"status": "Faulted", "maxPower": 7.4}
    )
    assert repeated.json()["statusUpdatedAt"] == socket["statusUpdatedAt"], "same status: still faulted since then"
    assert repeated.json()["maxPower"] == 7.4


async def test_socket_status_patch_with_unknown_status_changes_nothing(client, changes):
    site_id = await make_site(client)
    await make_charger(client, site_id)
    await client.patch(f"{CHARGERS}/EVROAM_Charger12345/sockets/1", json={"status": "Charging"})
    changes.clear()

    response = await client.patch(f"{CHARGERS}/EVROAM_Charger12345/sockets/1", json={"status": "Exploded"})
    assert response.status_code == 400
    assert [detail["field"] for detail in response.json()["details"]] == ["status"]
    socket = (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json()["sockets"][0]
    assert socket["status"] == "Charging"
    assert changes == []


@pytest.mark.parametrize(
    ("body", "field"), [({"status": None}, "status"), ({"type": None}, "type"), ({"maxVoltage": 0}, "maxVoltage")]
)
async def test_socket_patch_bad_values(client, body, field):
    site_id = await make_site(client)
    created = await make_charger(client, site_id)
    response = await client.patch(f"{CHARGERS}/EVROAM_Charger12345/sockets/1", json=body)
    assert response.status_code == 400 and response.json()["details"][0]["field"] == field
    assert (await client.get(f"{CHARGERS}/EVROAM_Charger12345")).json() == created


async def test_socket_patch_unknown_socket_or_bad_ids(client):
    site_id = await make_site(client)
    await make_charger(client, site_id)
    unknown = await client.patch(f"{CHARGERS}/EVROAM_Charger12345/sockets/9", json={"status": "Faulted"})
    assert unknown.status_code == 404
    zero = await client.patch(f"{CHARGERS}/EVROAM_Charger12345/sockets/0", json={"status": "Faulted"})
    assert zero.status_code == 400 and zero.json()["details"][0]["field"] == "socketId"
    bad_id = await client.get(f"{CHARGERS}/has%20space")
    assert bad_id.status_code == 400 and bad_id.json()["details"][0]["field"] == "chargerId"


async def test_other_operator_sees_nothing(client, other_client):
    site_id = await make_site(client)
    created = await make_charger(client, site_id)
    url = f"{CHARGERS}/EVROAM_Charger12345"
    assert (await other_client.get(url)).status_code == 404
    assert (await other_client.patch(url, json={"name": "x"})).status_code == 404
    assert (await other_client.patch(f"{url}/sockets/1", json={"status": "Faulted"})).status_code == 404
    assert (await other_client.delete(url)).status_code == 404
    assert (await other_client.get(CHARGERS)).json()["totalRecords"] == 0
    assert (await other_client.get(CHARGERS, params={"siteId": site_id})).json()["totalRecords"] == 0
    assert (await client.get(url)).json() == created


async def test_missing_key(client):
    assert (await client.get(CHARGERS, headers={"x-api-key": "nope"})).status_code == 401


async def _publish(runtime, operator_id: int, site_id: int, *, socket_id: int | None) -> str:
    """An integration location holding the charger explicitly, with a tariff linked to it."""
    async with runtime.sessions() as session:
        integration_id = str(uuid.uuid4())
        session.add(Integration(integration_id=integration_id, operator_id=operator_id, integration_name="Hub"))
        # Without a relationship the ORM orders one flush's inserts by model path, not by foreign key.
        await session.flush()
        location = IntegrationLocation(
            id=str(uuid.uuid4()), integration_id=integration_id, site_id=site_id, exclude_chargers=True
        )
        tariff = Tariff(id=str(uuid.uuid4()), operator_id=operator_id, name="T", currency="EUR")
        session.add_all([location, tariff])
        await session.flush()
        session.add(IntegrationLocationCharger(location_id=location.id, charger_id="EVROAM_Charger12345"))
        session.add(
            TariffLink(
                integration_id=integration_id, tariff_id=tariff.id, location_id=location.id,
                charger_id="EVROAM_Charger12345", socket_id=socket_id,
            )
        )
        await session.commit()
        return integration_id


async def _count(runtime, model) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_removing_a_socket_drops_its_tariff_links(client, runtime, changes):
    site_id = await make_site(client)
    await make_charger(client, site_id)
    operator_id = changes[-1].operator_id
    integration_id = await _publish(runtime, operator_id, site_id, socket_id=2)

    response = await client.patch(f"{CHARGERS}/EVROAM_Charger12345", json={"sockets": [{"id": 1}]})
    assert response.status_code == 200
    assert await _count(runtime, TariffLink) == 0
    assert changes[-1].integration_ids == frozenset({integration_id})


async def test_deleting_a_published_charger_announces_then_cascades(client, runtime, changes):
    site_id = await make_site(client)
    await make_charger(client, site_id)
    await _publish(runtime, changes[-1].operator_id, site_id, socket_id=None)
    seen_while_announcing: list[int] = []

    async def count_memberships(session, change: Change) -> None:
        rows = await session.scalar(select(func.count()).select_from(IntegrationLocationCharger))
        seen_while_announcing.append(rows)

    runtime.subscribe(count_memberships)
    try:
        assert (await client.delete(f"{CHARGERS}/EVROAM_Charger12345")).status_code == 204
    finally:
        runtime.unsubscribe(count_memberships)
    assert seen_while_announcing == [1], "subscribers run while the location still holds the charger"
    assert changes[-1].charger_ids == frozenset({"EVROAM_Charger12345"}) and changes[-1].site_ids == {site_id}
    assert await _count(runtime, IntegrationLocationCharger) == 0
    assert await _count(runtime, TariffLink) == 0
    assert await _count(runtime, IntegrationLocation) == 1
