"""evroam registers as credentials SENDER with a real third-party eMSP: extrawest-ocpi, on 2.2.1 and 2.1.1.

The integration is created through the management API with `ocpiConnection`, as an operator would; the
exchange runs in the background against the peer process on loopback, which calls evroam back.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.ocpi.registration_support import load, token_kinds
from tests.peers.management import INTEGRATIONS, register_through_the_api

pytestmark = pytest.mark.peer


async def _create(client, runtime, extrawest, token: str | None = None, role: str = "EMSP") -> dict:
    return await register_through_the_api(client, runtime, extrawest.versions_url, token or extrawest.token_a, role)


@pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1", "2.1.1"])
async def test_registers_with_extrawest(client, runtime, live_evroam, extrawest, extrawest_versions):
    version = extrawest_versions.split(",")[0]
    details = await _create(client, runtime, extrawest)

    assert details["integrationStatus"] == "CONNECTED", details["statusDescription"]
    assert details["credentialsExchangeRole"] == "SENDER"
    assert details["versionDetails"]["version"] == version
    endpoints = {e["identifier"]: (e["role"], e["url"]) for e in details["versionDetails"]["endpoints"]}
    prefix = f"{extrawest.base_url}/ocpi/emsp/{version}"
    assert endpoints["credentials"][1] == f"{prefix}/credentials/"
    # extrawest lists 2.2.1 roles; on 2.1.1 evroam infers them (an eMSP receives locations).
    assert endpoints["locations"] == ("RECEIVER", f"{prefix}/locations/")
    assert endpoints["tariffs"] == ("RECEIVER", f"{prefix}/tariffs/")
    assert details["partnersCompanyDetail"] == [{"role": "EMSP", "partyId": "XWE", "countryCode": "NL",
                                                  "name": "Extrawest eMSP", "website": None, "logo": None}]

    store = extrawest.store()
    assert store["token_a"] == [], "extrawest let its token A die"
    assert len(store["token_c"]) == 1
    registration = store["registration"]
    assert registration["version"] == version
    assert registration["credentials"]["url"] == f"{live_evroam}/ocpi/versions"
    ours = registration["credentials"] if version == "2.1.1" else registration["credentials"]["roles"][0]
    assert (ours["country_code"].upper(), ours["party_id"].upper()) == ("FI", "EVR")

    row = await load(runtime, details["integrationId"])
    assert row.ocpi_version == version
    assert runtime.secrets.decrypt(row.partner_token_encrypted) == store["token_c"][0]
    assert await token_kinds(runtime, details["integrationId"]) == ["B"]
    # extrawest holds token B and can call evroam with it.
    token_b = registration["credentials"]["token"]
    async with httpx.AsyncClient() as http:
        ours = await http.get(f"{live_evroam}/ocpi/versions",
                              headers={"Authorization": "Token " + base64.b64encode(token_b.encode()).decode()})
    assert ours.status_code == 200


async def test_retry_rotates_the_credentials_with_put(client, runtime, live_evroam, extrawest):
    details = await _create(client, runtime, extrawest)
    first_c = extrawest.store()["token_c"]
    patched = await client.patch(f"{INTEGRATIONS}/{details['integrationId']}",
                                 json={"retryCredentialsExchange": True})
    assert patched.status_code == 200, patched.text
    await runtime.wait_for_background()
    after = (await client.get(f"{INTEGRATIONS}/{details['integrationId']}")).json()
    assert after["integrationStatus"] == "CONNECTED", after["statusDescription"]
    store = extrawest.store()
    assert len(store["token_c"]) == 1 and store["token_c"] != first_c
    row = await load(runtime, details["integrationId"])
    assert runtime.secrets.decrypt(row.partner_token_encrypted) == store["token_c"][0]


async def test_wrong_token_a_fails_with_a_readable_description(client, runtime, live_evroam, extrawest):
    details = await _create(client, runtime, extrawest, token="not-what-extrawest-issued")
    assert details["integrationStatus"] == "FAILED"
    description = details["statusDescription"]
    assert "refused the initial token" in description and "HTTP 401" in description
    assert extrawest.versions_url in description
    assert await token_kinds(runtime, details["integrationId"]) == []
    assert extrawest.store()["registration"] is None


async def test_unexpected_role_fails_and_is_withdrawn(client, runtime, live_evroam, extrawest):
    details = await _create(client, runtime, extrawest, role="CPO")
    assert details["integrationStatus"] == "FAILED"
    assert "EMSP NL*XWE" in details["statusDescription"] and "CPO" in details["statusDescription"]
    assert extrawest.store()["registration"] is None, "the registration extrawest accepted is withdrawn"


async def test_deleting_the_integration_unregisters_at_extrawest(client, runtime, live_evroam, extrawest):
    details = await _create(client, runtime, extrawest)
    assert extrawest.store()["registration"] is not None
    response = await client.delete(f"{INTEGRATIONS}/{details['integrationId']}")
    assert response.status_code == 204
    store = extrawest.store()
    assert store["registration"] is None and store["token_c"] == []
