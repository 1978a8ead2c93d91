"""Who may connect: OCPP security profile 1 (HTTP Basic with the charger's id and its password), the
password set write-only through the management API, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from ocpp.v16 import call
from sqlalchemy import select

from evroam.network.chargers.models import Charger
from tests.integrations.factories import make_charger, ok
from tests.ocpp.conftest import PASSWORD, Gateway, refused

API = "/api/v2/cpo"


async def test_the_charger_with_its_password_connects_and_is_answered(gateway: Gateway) -> None:
    async with gateway.charger() as charger:
        answer = await charger.call(call.Heartbeat())
    assert datetime.fromisoformat(answer.current_time).tzinfo == UTC


async def test_a_wrong_password_an_unknown_charger_and_one_without_password_are_refused(gateway: Gateway) -> None:
    client = gateway.network.client
    await make_charger(client, gateway.network.site_id, "CH-NOPASS")
    assert await refused(gateway, "CH-1", PASSWORD + "x") == 401
    assert await refused(gateway, "CH-UNKNOWN", PASSWORD) == 401
    assert await refused(gateway, "CH-NOPASS", "") == 401
    assert await refused(gateway, "CH-NOPASS", PASSWORD) == 401
    # Removing the password (null) shuts the charger out.
    ok(await client.patch(f"{API}/chargers/CH-1", json={"ocppPassword": None}))
    assert await refused(gateway, "CH-1", PASSWORD) == 401


async def test_the_user_must_be_the_chargers_id(gateway: Gateway) -> None:
    """A charger's password opens only its own URL."""
    await make_charger(gateway.network.client, gateway.network.site_id, "CH-2")
    assert await refused(gateway, "CH-2", PASSWORD) == 401  # CH-2 has no password; CH-1's does not open it


async def test_the_password_is_stored_hashed_and_never_returned(gateway: Gateway) -> None:
    client = gateway.network.client
    body = {"chargerId": "CH-NEW", "name": "New", "siteId": gateway.network.site_id,
            "ocppPassword": "another-password-456789"}
    created = ok(await client.post(f"{API}/chargers", json=body), 201)
    shown = [created, ok(await client.get(f"{API}/chargers/CH-NEW")), ok(await client.get(f"{API}/chargers")),
             ok(await client.patch(f"{API}/chargers/CH-NEW", json={"ocppPassword": "third-password-0123456"}))]
    for document in shown:
        assert "ocppPassword" not in str(document) and "third-password" not in str(document)
    async with gateway.network.runtime.sessions() as session:
        stored = await session.scalar(select(Charger.ocpp_password_hash).where(Charger.charger_id == "CH-NEW"))
    assert stored and "third-password" not in stored
    async with gateway.charger("CH-NEW", "third-password-0123456"):
        pass
    assert await refused(gateway, "CH-NEW", "another-password-456789") == 401


async def test_a_bad_password_is_refused_naming_the_field(gateway: Gateway) -> None:
    for bad in ("short", "x" * 41, "with space in it 123", 12345678901234567):
        response = await gateway.network.client.patch(f"{API}/chargers/CH-1", json={"ocppPassword": bad})
        assert response.status_code == 400, response.text
        assert "ocppPassword" in response.text


async def test_the_password_is_write_only_in_the_openapi_document(gateway: Gateway) -> None:
    schemas = ok(await gateway.network.client.get("/openapi.json"))["components"]["schemas"]
    readable = [name for name, schema in schemas.items() if "ocppPassword" in schema.get("properties", {})]
    assert readable and all(name.startswith("Charger") and ("Create" in name or "Update" in name) for name in readable)
    assert all(schemas[name]["properties"]["ocppPassword"].get("writeOnly") for name in readable)
