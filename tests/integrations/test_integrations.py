"""/api/v2/cpo/integrations on both engines: lifecycle, the update body, secrets, other operators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evroam.integrations.models import Integration, IntegrationToken
from evroam.security import hash_secret
from tests.integrations.factories import INTEGRATIONS, make_integration, ok, record_registration

PARTNER_TOKEN = "partner-token-A-0123456789abcdef"
CLIENT_SECRET = "utility-cloud-client-secret-0123456789"


async def stored(runtime, integration_id: str) -> Integration:
    async with runtime.sessions() as session:
        return await session.get(Integration, integration_id)


async def tokens(runtime, integration_id: str) -> list[IntegrationToken]:
    async with runtime.sessions() as session:
        query = select(IntegrationToken).where(IntegrationToken.integration_id == integration_id)
        return list((await session.scalars(query)).all())


async def test_receiver_gets_token_a_once(client, runtime, changes):
    created = await make_integration(client)
    token = created["initialToken"]
    assert token and len(token) <= 64
    assert created["integrationType"] == "OCPI" and created["integrationStatus"] == "PENDING"
    assert created["credentialsExchangeRole"] == "RECEIVER"
    assert created["endPointURL"] == "http://testserver/ocpi/versions"
    assert created["statusDescription"]

    issued = await tokens(runtime, created["integrationId"])
    assert [(t.kind, t.token_hash) for t in issued] == [("A", hash_secret(token))]
    assert changes[-1].integration_ids == frozenset({created["integrationId"]})

    details = await client.get(f"{INTEGRATIONS}/{created['integrationId']}")
    listing = await client.get(INTEGRATIONS)
    patched = await client.patch(f"{INTEGRATIONS}/{created['integrationId']}", json={"integrationName": "x"})
    for response in (details, listing, patched):
        assert response.status_code == 200
        assert token not in response.text
    assert "initialToken" not in details.json()


async def test_details_defaults(client):
    created = await make_integration(client)
    details = ok(await client.get(f"{INTEGRATIONS}/{created['integrationId']}"))
    assert details == {key: value for key, value in created.items() if key != "initialToken"}
    assert details["models"] == dict.fromkeys(
        ["pushCdr", "pushSession", "pushTariff", "pushLocation", "pullTokensAll", "pullTariff", "pullLocation",
         "pullSession", "pullCdr", "pullVersionDetails"], True)
    assert details["chargingPeriodIntervalInMinutes"] == 15
    assert details["stateofChargeIsSent"] is False and details["freeVendingWithIdtagAllowed"] is False
    assert details["locations"] == [] and details["tariffs"] == [] and details["customerRoles"] == []
    assert details["partnersCompanyDetail"] == [] and details["versionDetails"] is None
    assert details["utilityCloudConnection"] is None and details["platformIntegration"] is False


async def test_list_pages_summaries(client):
    ids = [(await make_integration(client, integrationName=f"eMSP {n}"))["integrationId"] for n in range(3)]
    first = ok(await client.get(INTEGRATIONS, params={"limit": 2}))
    assert first["totalRecords"] == 3 and first["hasNextPage"] is True and first["hasPreviousPage"] is False
    assert [item["integrationId"] for item in first["items"]] == ids[:2]
    assert set(first["items"][0]) == {
        "integrationId", "integrationType", "integrationName", "integrationStatus", "statusDescription"
    }
    second = ok(await client.get(INTEGRATIONS, params={"limit": 2, "page": 2}))
    assert [item["integrationName"] for item in second["items"]] == ["eMSP 2"] and second["hasNextPage"] is False


async def test_update_body(client, changes):
    integration_id = (await make_integration(client))["integrationId"]
    body = {
        "integrationName": "eMSP Nordic AB",
        "customerRoles": ["EMSP", "OpenData", "EMSP"],
        "approvedPartyId": "EMS",
        "thirdPartyId": "ABC",
        "thirdPartyCountryCode": "SE",
        "freeVendingWithIdtagAllowed": True,
        "models": {"pushCdr": False, "pullTokensAll": False, "chargingPeriodIntervalInMinutes": 30,
                   "stateofChargeIsSent": True},
        # Top-level values win over the same values inside `models`.
        "chargingPeriodIntervalInMinutes": 60,
        "stateOfChargeIsSent": False,
    }
    details = ok(await client.patch(f"{INTEGRATIONS}/{integration_id}", json=body))
    assert details["integrationName"] == "eMSP Nordic AB"
    assert details["customerRoles"] == ["EMSP", "OpenData"]
    assert details["models"]["pushCdr"] is False and details["models"]["pullTokensAll"] is False
    assert details["models"]["pushSession"] is True
    assert details["chargingPeriodIntervalInMinutes"] == 60 and details["stateofChargeIsSent"] is False
    assert details["freeVendingWithIdtagAllowed"] is True
    assert changes[-1].integration_ids == frozenset({integration_id})

    # Inside `models` alone they apply; a null flag goes back to its default; absent fields stay.
    details = ok(await client.patch(f"{INTEGRATIONS}/{integration_id}", json={
        "models": {"pushCdr": None, "chargingPeriodIntervalInMinutes": 5, "stateofChargeIsSent": True},
    }))
    assert details["models"]["pushCdr"] is True and details["models"]["pullTokensAll"] is False
    assert details["chargingPeriodIntervalInMinutes"] == 5 and details["stateofChargeIsSent"] is True
    assert details["integrationName"] == "eMSP Nordic AB" and details["customerRoles"] == ["EMSP", "OpenData"]

    details = ok(await client.patch(f"{INTEGRATIONS}/{integration_id}", json={"customerRoles": None}))
    assert details["customerRoles"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"integrationType": "FTP"}, "integrationType"),
        ({"customerRoles": ["DRIVER"]}, "customerRoles.0"),
        ({"chargingPeriodIntervalInMinutes": 0}, "chargingPeriodIntervalInMinutes"),
        ({"chargingPeriodIntervalInMinutes": 1441}, "chargingPeriodIntervalInMinutes"),
        ({"models": {"chargingPeriodIntervalInMinutes": 2000}}, "models.chargingPeriodIntervalInMinutes"),
        ({"models": {"pushCdr": "sometimes"}}, "models.pushCdr"),
        ({"ocpiConnection": {"endpointUrl": "https://emsp.example.com/versions", "initialToken": PARTNER_TOKEN,
                             "initialRole": "DRIVER"}}, "ocpiConnection.initialRole"),
        ({"ocpiConnection": {"endpointUrl": "not a url", "initialToken": PARTNER_TOKEN}}, "ocpiConnection.endpointUrl"),
        ({"ocpiConnection": {"endpointUrl": "https://emsp.example.com/versions"}}, "ocpiConnection.initialToken"),
        ({"thirdPartyId": "toolong"}, "thirdPartyId"),
        ({"thirdPartyCountryCode": "fi"}, "thirdPartyCountryCode"),
        ({"integrationName": "   "}, "integrationName"),
        ({"utilityCloudConnection": {"tenant": "t", "activateConnection": True}}, "utilityCloudConnection.clientId"),
        ({"salesforceConnection": {"endpointUrl": "ftp://sf.example.com"}}, "salesforceConnection.endpointUrl"),
        ({"platformIntegrationId": "no-such-integration"}, "platformIntegrationId"),
    ],
)
async def test_bad_input_names_the_field(client, body, field):
    created = await client.post(INTEGRATIONS, json={"integrationName": "eMSP", **body})
    assert created.status_code == 400, created.text
    assert field in [detail["field"] for detail in created.json()["details"]]

    integration_id = (await make_integration(client, integrationName="Unchanged"))["integrationId"]
    patched = await client.patch(f"{INTEGRATIONS}/{integration_id}", json={"integrationName": "Changed", **body})
    assert patched.status_code == 400, patched.text
    assert field in [detail["field"] for detail in patched.json()["details"]]
    # Nothing half-written: the valid name in the same body did not stick.
    assert ok(await client.get(f"{INTEGRATIONS}/{integration_id}"))["integrationName"] == "Unchanged"
    assert ok(await client.get(INTEGRATIONS))["totalRecords"] == 1


async def test_missing_name_and_bad_json(client):
    response = await client.post(INTEGRATIONS, json={"integrationType": "OCPI"})
    assert response.status_code == 400
    assert {"field": "integrationName", "problem": "is required"} in response.json()["details"]
    broken = await client.post(INTEGRATIONS, content=b"{", headers={"content-type": "application/json"})
    assert broken.status_code == 400


async def test_type_is_kept_and_null_name_changes_nothing(client):
    integration_id = (await make_integration(client))["integrationId"]
    refused = await client.patch(f"{INTEGRATIONS}/{integration_id}", json={"integrationType": "Salesforce"})
    assert refused.status_code == 409 and refused.json()["details"][0]["field"] == "integrationType"
    same = ok(await client.patch(f"{INTEGRATIONS}/{integration_id}", json={"integrationType": "OCPI",
                                                                            "integrationName": None}))
    assert same["integrationType"] == "OCPI" and same["integrationName"] == "eMSP Nordic"


async def test_utility_cloud_secret_is_encrypted_and_masked(client, runtime):
    connection = {"tenant": "contoso", "clientId": "client-1", "clientSecret": CLIENT_SECRET,
                  "meteredValuesAreSent": True, "activateConnection": True}
    created = await make_integration(client, integrationType="UtilityCloud", utilityCloudConnection=connection)
    integration_id = created["integrationId"]
    assert created["initialToken"] is None and created["credentialsExchangeRole"] is None
    assert created["integrationStatus"] == "PENDING"
    assert created["utilityCloudConnection"] == {
        **connection, "clientSecret": "****" + CLIENT_SECRET[-4:]
    }
    row = await stored(runtime, integration_id)
    assert CLIENT_SECRET not in str(row.utility_cloud_connection)
    assert runtime.secrets.decrypt(row.utility_cloud_connection["clientSecretEncrypted"]) == CLIENT_SECRET

    # A PATCH without clientSecret keeps it; switching off sets INACTIVE.
    patched = ok(await client.patch(f"{INTEGRATIONS}/{integration_id}",
                                    json={"utilityCloudConnection": {"activateConnection": False}}))
    assert patched["utilityCloudConnection"]["clientSecret"] == "****" + CLIENT_SECRET[-4:]
    assert patched["utilityCloudConnection"]["tenant"] == "contoso"
    assert patched["integrationStatus"] == "INACTIVE"
    for response in (await client.get(f"{INTEGRATIONS}/{integration_id}"), await client.get(INTEGRATIONS)):
        assert CLIENT_SECRET not in response.text

    incomplete = await client.post(INTEGRATIONS, json={
        "integrationName": "UC", "integrationType": "UtilityCloud",
        "utilityCloudConnection": {"tenant": "contoso", "activateConnection": True},
    })
    assert incomplete.status_code == 400
    assert incomplete.json()["details"][0]["field"] == "utilityCloudConnection.clientId"


async def test_an_ocpi_integration_may_feed_utility_cloud(client):
    connection = {"tenant": "contoso", "clientId": "client-1", "clientSecret": CLIENT_SECRET,
                  "activateConnection": True}
    created = await make_integration(client, utilityCloudConnection=connection)
    assert created["integrationStatus"] == "PENDING" and created["credentialsExchangeRole"] == "RECEIVER"
    assert created["endPointURL"] == "http://testserver/ocpi/versions"
    assert created["utilityCloudConnection"]["clientSecret"] == "****" + CLIENT_SECRET[-4:]
    assert CLIENT_SECRET not in (await client.get(f"{INTEGRATIONS}/{created['integrationId']}")).text


async def test_salesforce_endpoint_and_status(client):
    created = await make_integration(client, integrationType="Salesforce",
                                     salesforceConnection={"endpointUrl": "https://sf.example.com/api"})
    assert created["endPointURL"] == "https://sf.example.com/api" and created["integrationStatus"] == "INACTIVE"
    patched = ok(await client.patch(f"{INTEGRATIONS}/{created['integrationId']}",
                                    json={"salesforceConnection": {"activateConnection": True}}))
    assert patched["integrationStatus"] == "PENDING" and patched["endPointURL"] == "https://sf.example.com/api"
    refused = await client.post(INTEGRATIONS, json={"integrationName": "SF", "integrationType": "Salesforce",
                                                    "salesforceConnection": {"activateConnection": True}})
    assert refused.status_code == 400
    assert refused.json()["details"][0]["field"] == "salesforceConnection.endpointUrl"


async def test_sender_registers_with_the_partner(client, runtime, registration):
    connection = {"endpointUrl": "https://emsp.example.com/ocpi/versions", "initialToken": PARTNER_TOKEN,
                  "initialRole": "EMSP"}
    created = await make_integration(client, ocpiConnection=connection)
    integration_id = created["integrationId"]
    assert created["integrationStatus"] == "CONNECTING" and created["credentialsExchangeRole"] == "SENDER"
    assert created["endPointURL"] == connection["endpointUrl"] and created["initialToken"] is None
    assert PARTNER_TOKEN not in (await client.get(f"{INTEGRATIONS}/{integration_id}")).text
    await runtime.wait_for_background()
    assert registration.registered == [integration_id]

    row = await stored(runtime, integration_id)
    assert row.partner_versions_url == connection["endpointUrl"] and row.initial_role == "EMSP"
    assert PARTNER_TOKEN not in row.partner_initial_token_encrypted
    assert runtime.secrets.decrypt(row.partner_initial_token_encrypted) == PARTNER_TOKEN
    assert await tokens(runtime, integration_id) == [], "we issue no token A when we register with them"

    retried = ok(await client.patch(f"{INTEGRATIONS}/{integration_id}", json={"retryCredentialsExchange": True}))
    assert retried["integrationStatus"] == "CONNECTING"
    await runtime.wait_for_background()
    assert registration.registered == [integration_id, integration_id]


async def test_receiver_switches_to_sender_with_a_new_connection(client, runtime, registration):
    created = await make_integration(client)
    integration_id = created["integrationId"]
    refused = await client.patch(f"{INTEGRATIONS}/{integration_id}", json={"retryCredentialsExchange": True})
    assert refused.status_code == 409 and refused.json()["details"][0]["field"] == "retryCredentialsExchange"
    assert registration.registered == []

    patched = ok(await client.patch(f"{INTEGRATIONS}/{integration_id}", json={"ocpiConnection": {
        "endpointUrl": "https://emsp.example.com/ocpi/versions", "initialToken": PARTNER_TOKEN}}))
    assert patched["credentialsExchangeRole"] == "SENDER" and patched["integrationStatus"] == "CONNECTING"
    await runtime.wait_for_background()
    assert registration.registered == [integration_id]
    assert await tokens(runtime, integration_id) == [], "the unused token A is revoked"


async def test_delete_pending_and_connected(client, runtime, registration, changes):
    pending = (await make_integration(client))["integrationId"]
    assert (await client.delete(f"{INTEGRATIONS}/{pending}")).status_code == 204
    assert registration.unregistered == [], "nobody registered: nothing to tell"
    assert changes[-1].integration_ids == frozenset({pending})
    assert (await client.get(f"{INTEGRATIONS}/{pending}")).status_code == 404
    assert await tokens(runtime, pending) == []

    connected = (await make_integration(client))["integrationId"]
    await record_registration(runtime, connected)
    registration.fail_unregister = True
    assert (await client.delete(f"{INTEGRATIONS}/{connected}")).status_code == 204
    assert registration.unregistered == [connected], "a failing partner does not block the delete"
    assert await stored(runtime, connected) is None
    assert (await client.delete(f"{INTEGRATIONS}/{connected}")).status_code == 404


async def test_platform_integration(client, runtime):
    hub = (await make_integration(client, integrationName="Hub"))["integrationId"]
    await record_registration(runtime, hub)
    child_id = (await make_integration(client, integrationName="eMSP via hub"))["integrationId"]
    details = ok(await client.patch(f"{INTEGRATIONS}/{child_id}", json={"platformIntegrationId": hub}))
    assert details["platformIntegration"] is True and details["platformIntegrationId"] == hub
    assert (details["platformPartyId"], details["platformPartyCountryCode"]) == ("EMS", "NL")
    itself = await client.patch(f"{INTEGRATIONS}/{child_id}", json={"platformIntegrationId": child_id})
    assert itself.status_code == 400
    cleared = ok(await client.patch(f"{INTEGRATIONS}/{child_id}", json={"platformIntegrationId": None}))
    assert cleared["platformIntegration"] is False and cleared["platformPartyId"] is None


async def test_other_operator_sees_nothing(client, other_client):
    integration_id = (await make_integration(client))["integrationId"]
    url = f"{INTEGRATIONS}/{integration_id}"
    assert (await other_client.get(url)).status_code == 404
    assert (await other_client.patch(url, json={"integrationName": "mine"})).status_code == 404
    assert (await other_client.delete(url)).status_code == 404
    assert ok(await other_client.get(INTEGRATIONS))["totalRecords"] == 0
    theirs = (await make_integration(other_client))["integrationId"]
    borrowed = await client.patch(url, json={"platformIntegrationId": theirs})
    assert borrowed.status_code == 400
    assert ok(await client.get(url))["integrationName"] == "eMSP Nordic"


async def test_unknown_id_and_key(client):
    assert (await client.get(f"{INTEGRATIONS}/no-such-id")).status_code == 404
    assert (await client.get(f"{INTEGRATIONS}/{'x' * 37}")).status_code == 400
    assert (await client.get(INTEGRATIONS, headers={"x-api-key": "nope"})).status_code == 401
    assert (await client.get(INTEGRATIONS, params={"limit": 101})).status_code == 400
