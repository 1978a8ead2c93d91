"""Tokens whose whitelist asks the eMSP in real time (ALLOWED_OFFLINE, NEVER), unknown idTags asked of hubs,
and everything a partner can answer: against our own token partner over loopback."""

from __future__ import annotations

import base64

import pytest

from tests.charging.authorization.conftest import Published
from tests.support.authorizing_emsp import (
    PARTNER_TOKEN,
    Scripted,
    envelope,
    info,
    published_integration,
    set_policy,
    store_token,
    token_document,
)

GARBAGE = {
    "not JSON": Scripted(200, b"<html>gateway</html>"),
    "not an envelope": Scripted(200, b'{"allowed": "ALLOWED"}'),
    "wrong shape": envelope({"allowed": "MAYBE"}),
    "token not a Token": envelope({"allowed": "ALLOWED", "token": "04A1"}),
    "reference too long": envelope({"allowed": "ALLOWED", "authorization_reference": "R" * 37}),
    "server error": envelope(status_code=3000, http_status=500),
    "refused request": envelope(status_code=2001, http_status=400),
}


async def test_allowed_offline_asks_the_emsp_with_the_location_and_evse(published: Published) -> None:
    stored = await store_token(published.runtime, published.integration_id, "04A1B2", whitelist="ALLOWED_OFFLINE")
    theirs = {**stored, "contract_id": "NL-EMS-FRESH"}
    published.emsp.script["04A1B2"] = info("ALLOWED", theirs, "EMSP-REF-1")
    answer = await published.authorize("04a1b2", socket_id=2)
    assert answer["allowed"] is True and answer["status"] == "ALLOWED" and answer["source"] == "REAL_TIME"
    assert answer["authorizationReference"] == "EMSP-REF-1"
    assert answer["token"] == theirs, "the eMSP's token, fresher than ours"
    [call] = published.emsp.received
    assert call.path == "/ocpi/2.2.1/tokens/04A1B2/authorize" and call.query == {"type": "RFID"}
    assert call.headers["authorization"] == "Token " + base64.b64encode(PARTNER_TOKEN.encode()).decode()
    assert (call.headers["ocpi-from-country-code"], call.headers["ocpi-from-party-id"]) == ("FI", "EVR")
    assert (call.headers["ocpi-to-country-code"], call.headers["ocpi-to-party-id"]) == ("NL", "EMS")
    assert call.headers["x-request-id"] and call.headers["x-correlation-id"]
    location_id = (await published.decisions())["items"][0]["locationId"]
    assert call.body == {"location_id": location_id, "evse_uids": ["CH-1-2"]}
    row = (await published.decisions())["items"][0]
    assert row["authorizationReference"] == "EMSP-REF-1" and row["evseUid"] == "CH-1-2"
    assert row["source"] == "REAL_TIME" and row["token"] == theirs


@pytest.mark.parametrize("refusal", ["BLOCKED", "EXPIRED", "NO_CREDIT", "NOT_ALLOWED"])
async def test_a_200_refusal_refuses_with_its_status(published: Published, refusal) -> None:
    await store_token(published.runtime, published.integration_id, "C0FFEE", whitelist="ALLOWED_OFFLINE")
    published.emsp.script["C0FFEE"] = info(refusal, token_document("C0FFEE"), info={"language": "en", "text": "Card lost"})
    answer = await published.authorize("C0FFEE")
    assert answer["allowed"] is False and answer["status"] == refusal and answer["source"] == "REAL_TIME"
    assert refusal in answer["reason"] and "Card lost" in answer["reason"]
    assert len(answer["authorizationReference"]) == 36, "no reference given: one of ours"


@pytest.mark.parametrize("unknown", [envelope(status_code=2004, http_status=404), envelope(status_code=2004),
                                     Scripted(404, b"Not Found")])
async def test_an_unknown_token_at_the_emsp_is_unknown(published: Published, unknown) -> None:
    await store_token(published.runtime, published.integration_id, "AB12", whitelist="NEVER")
    published.emsp.script["AB12"] = unknown
    answer = await published.authorize("AB12")
    assert (answer["allowed"], answer["status"], answer["source"]) == (False, "UNKNOWN", "REAL_TIME")
    assert answer["integrationId"] == published.integration_id


@pytest.mark.parametrize("valid", [True, False])
async def test_allowed_offline_falls_back_to_the_stored_token_when_the_emsp_is_slow(published: Published, valid) -> None:
    await set_policy(published.runtime, published.integration_id, timeout_ms=200, fallback="REFUSE")
    await store_token(published.runtime, published.integration_id, "51010", whitelist="ALLOWED_OFFLINE", valid=valid)
    published.emsp.script["51010"] = Scripted(200, b"{}", delay=1.0)
    answer = await published.authorize("51010")
    assert answer["source"] == "FALLBACK" and answer["allowed"] is valid
    assert answer["status"] == ("ALLOWED" if valid else "BLOCKED")
    assert "no answer within 200 ms" in answer["reason"]
    assert len(published.emsp.received) == 1


@pytest.mark.parametrize("garbage", list(GARBAGE))
async def test_garbage_is_a_fallback_naming_what_came(published: Published, garbage) -> None:
    await store_token(published.runtime, published.integration_id, "6A4B", whitelist="ALLOWED_OFFLINE")
    published.emsp.script["6A4B"] = GARBAGE[garbage]
    answer = await published.authorize("6A4B")
    assert (answer["allowed"], answer["status"], answer["source"]) == (True, "ALLOWED", "FALLBACK")
    assert "could not be asked" in answer["reason"]
    if garbage in ("server error", "refused request", "not JSON"):
        assert "HTTP" in answer["reason"]
    assert (await published.decisions())["items"][0]["source"] == "FALLBACK"


@pytest.mark.parametrize(
    ("policy", "allowed", "status"),
    [("STORED_TOKEN", False, "NOT_ALLOWED"), ("ALLOW", True, "ALLOWED"), ("REFUSE", False, "NOT_ALLOWED")],
)
async def test_never_follows_the_integration_fallback_policy(published: Published, policy, allowed, status) -> None:
    await set_policy(published.runtime, published.integration_id, timeout_ms=150, fallback=policy)
    await store_token(published.runtime, published.integration_id, "9E9E", whitelist="NEVER")
    published.emsp.script["9E9E"] = Scripted(200, b"{}", delay=1.0)
    answer = await published.authorize("9E9E")
    assert (answer["allowed"], answer["status"], answer["source"]) == (allowed, status, "FALLBACK")
    assert policy in answer["reason"]


@pytest.mark.parametrize("valid", [True, False])
async def test_never_is_asked_even_when_stored_invalid(published: Published, valid) -> None:
    """The eMSP's answer counts, not our copy: the state of a NEVER token may have changed (ocpi-notes §12.4)."""
    await store_token(published.runtime, published.integration_id, "7E57", whitelist="NEVER", valid=valid)
    published.emsp.script["7E57"] = info("ALLOWED", token_document("7E57", whitelist="NEVER"), "REF-7E57")
    answer = await published.authorize("7E57")
    assert (answer["allowed"], answer["source"], answer["authorizationReference"]) == (True, "REAL_TIME", "REF-7E57")


async def test_an_unknown_idtag_is_asked_of_hubs_only(published: Published) -> None:
    hub = await published_integration(published.client, published.runtime, published.emsp, published.site_id,
                                      role="HUB")
    hub_token = token_document("F00D", country_code="DE", party_id="HUB")
    published.emsp.script["F00D"] = info("ALLOWED", hub_token, "HUB-REF-1")
    answer = await published.authorize("F00D")
    assert (answer["allowed"], answer["source"], answer["integrationId"]) == (True, "REAL_TIME", hub)
    assert answer["token"] == hub_token and answer["authorizationReference"] == "HUB-REF-1"
    assert len(published.emsp.received) == 1, "the eMSP integration was not asked, the hub was"


async def test_an_unknown_idtag_at_a_slow_hub_follows_its_policy(published: Published) -> None:
    hub = await published_integration(published.client, published.runtime, published.emsp, published.site_id,
                                      role="HUB")
    await set_policy(published.runtime, hub, timeout_ms=150, fallback="ALLOW")
    published.emsp.script["5L0W"] = Scripted(200, b"{}", delay=1.0)
    answer = await published.authorize("5L0W")
    assert (answer["allowed"], answer["source"], answer["integrationId"]) == (True, "FALLBACK", hub)


async def test_a_reused_emsp_reference_gets_one_of_ours(published: Published) -> None:
    await store_token(published.runtime, published.integration_id, "ABAB", whitelist="NEVER")
    published.emsp.script["ABAB"] = info("ALLOWED", token_document("ABAB"), "SAME-REF")
    first = await published.authorize("ABAB")
    second = await published.authorize("ABAB")
    assert first["authorizationReference"] == "SAME-REF"
    assert second["authorizationReference"] != "SAME-REF" and "SAME-REF" in second["reason"]
    assert (await published.decisions())["totalRecords"] == 2


async def test_211_partner_shapes(client, runtime, emsp) -> None:
    """2.1.1: the raw token, no routing headers, connector_ids; AuthorizationInfo without token or reference;
    an unknown token answered 2000 without data."""
    site_id = await client.post("/api/v2/cpo/sites", json={"name": "Depot", "timezone": "Europe/Helsinki",
                                                          "country": "FIN", "city": "Espoo",
                                                          "streetAddress": "Tie 1", "latitude": 60.2,
                                                          "longitude": 24.7})
    site_id = site_id.json()["id"]
    charger = {"chargerId": "UNSPLIT", "name": "Twin", "siteId": site_id, "splitEvseBySocket": False,
               "sockets": [{"id": n, "type": "IEC_62196_T2", "format": "SOCKET", "socketPowerType": "AC_3_PHASE",
                            "maxPower": 22} for n in (1, 2)]}
    assert (await client.post("/api/v2/cpo/chargers", json=charger)).status_code == 201
    integration_id = await published_integration(client, runtime, emsp, site_id, version="2.1.1")
    stored = await store_token(runtime, integration_id, "211A", whitelist="ALLOWED_OFFLINE")
    await store_token(runtime, integration_id, "211B", whitelist="NEVER")
    emsp.script["211A"] = envelope({"allowed": "ALLOWED", "authorization_reference": "IGNORED"})
    emsp.script["211B"] = envelope(status_code=2000)

    async def authorize(id_tag: str) -> dict:
        response = await client.post("/api/v2/cpo/authorize", json={"chargerId": "UNSPLIT", "socketId": 2,
                                                                     "idTag": id_tag})
        assert response.status_code == 200, response.text
        return response.json()

    allowed = await authorize("211A")
    assert (allowed["allowed"], allowed["source"], allowed["token"]) == (True, "REAL_TIME", stored)
    assert allowed["authorizationReference"] != "IGNORED", "2.1.1 has no authorization_reference"
    unknown = await authorize("211B")
    assert (unknown["status"], unknown["source"]) == ("UNKNOWN", "REAL_TIME")
    call = emsp.received[0]
    assert call.headers["authorization"] == f"Token {PARTNER_TOKEN}"
    assert "ocpi-to-party-id" not in call.headers and "ocpi-from-party-id" not in call.headers
    assert call.body["evse_uids"] == ["UNSPLIT"] and call.body["connector_ids"] == ["2"]


async def test_a_location_withheld_from_211_publishes_nothing(client, runtime, emsp) -> None:
    from tests.support.authorizing_emsp import site_with_charger

    site_id = await site_with_charger(client)
    integration_id = await published_integration(client, runtime, emsp, site_id, version="2.1.1", publish=False)
    await store_token(runtime, integration_id, "AB")
    response = await client.post("/api/v2/cpo/authorize", json={"chargerId": "CH-1", "socketId": 1, "idTag": "AB"})
    assert response.json()["status"] == "UNKNOWN"
