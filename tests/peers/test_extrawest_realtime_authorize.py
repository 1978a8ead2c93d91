"""evroam asks the extrawest eMSP in real time, end to end, on 2.2.1 and 2.1.1: the operator connects the
peer and publishes a site-backed location with a charger to it through the management API, evroam pulls
the peer's tokens (whitelist NEVER and ALLOWED_OFFLINE: evroam must ask), and `POST /api/v2/cpo/authorize`
decides from what the peer answers `POST {tokens}/{uid}/authorize` (py_ocpi's AuthorizationInfo in a list
of one), for the location and the one EVSE of the socket.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integrations.factories import add_location, make_charger, make_site, ok
from tests.peers.tokens_support import connect_with_tokens, make_tokens, pull_tokens, put_as_the_peer

pytestmark = pytest.mark.peer
VERSIONS = pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1", "2.1.1"])
CHARGER = "XW-AUTH-1"


@VERSIONS
async def test_the_peer_decides_in_real_time_for_the_published_evse(client, runtime, live_evroam, extrawest,
                                                                    extrawest_versions):
    allowed, blocked, offline = make_tokens(3, whitelist="NEVER")
    blocked["valid"] = False
    offline["whitelist"] = "ALLOWED_OFFLINE"
    peer = await connect_with_tokens(client, runtime, extrawest, [allowed, blocked, offline])
    site_id = await make_site(client)
    await make_charger(client, site_id, CHARGER, sockets=2)
    location_id = (await add_location(client, peer.integration_id, {"siteId": site_id}))["id"]
    assert (await pull_tokens(client, runtime, peer.integration_id, full=True))["status"] == "SUCCEEDED"
    # After the pull the eMSP blocks the ALLOWED_OFFLINE card: evroam's copy still says valid.
    extrawest.seed_tokens([{**offline, "valid": False, "last_updated": datetime.now(UTC).isoformat()}])

    async def authorize(token: dict, socket_id: int) -> dict:
        return ok(await client.post("/api/v2/cpo/authorize", json={
            "chargerId": CHARGER, "socketId": socket_id, "idTag": token["uid"]}))

    accepted = await authorize(allowed, 2)
    refused = await authorize(blocked, 1)
    stale = await authorize(offline, 1)

    assert (accepted["allowed"], accepted["status"], accepted["source"]) == (True, "ALLOWED", "REAL_TIME"), accepted
    assert accepted["integrationId"] == peer.integration_id
    assert (refused["allowed"], refused["status"], refused["source"]) == (False, "BLOCKED", "REAL_TIME"), refused
    assert (stale["allowed"], stale["status"], stale["source"]) == (False, "BLOCKED", "REAL_TIME"), stale

    answered = extrawest.store()["authorizations"]
    assert [(entry["uid"].upper(), entry["type"], entry["allowed"]) for entry in answered] == [
        (allowed["uid"], "RFID", "ALLOWED"), (blocked["uid"], "RFID", "BLOCKED"), (offline["uid"], "RFID", "BLOCKED")]
    # extrawest keeps CiStrings lower-case.
    asked = [entry["location"] for entry in answered]
    assert {where["location_id"].upper() for where in asked} == {location_id.upper()}
    assert [[uid.upper() for uid in where["evse_uids"]] for where in asked] == [
        [f"{CHARGER}-2"], [f"{CHARGER}-1"], [f"{CHARGER}-1"]]
    if peer.version == "2.1.1":
        # One EVSE per socket (the charger's default): its one connector is 1.
        assert [where["connector_ids"] for where in asked] == [["1"], ["1"], ["1"]]
        # 2.1.1's AuthorizationInfo has no token: the decision shows evroam's copy, still valid for the card
        # the eMSP blocked after the pull.
        assert accepted["token"]["uid"].upper() == allowed["uid"] and stale["token"]["valid"] is True
    else:
        assert [accepted["authorizationReference"], refused["authorizationReference"]] == [
            entry["authorization_reference"] for entry in answered[:2]], "the eMSP's references"
        assert accepted["token"]["uid"].upper() == allowed["uid"] and stale["token"]["valid"] is False, "the eMSP's"

    decisions = ok(await client.get(f"/api/v2/cpo/chargers/{CHARGER}/authorizations"))["items"]
    assert {(row["locationId"], row["evseUid"], row["source"]) for row in decisions} == {
        (location_id, f"{CHARGER}-2", "REAL_TIME"), (location_id, f"{CHARGER}-1", "REAL_TIME")}


async def test_a_token_the_peer_does_not_know_is_unknown(client, runtime, live_evroam, extrawest):
    """py_ocpi answers an unknown token HTTP 404 without an OCPI envelope: evroam reads UNKNOWN, not garbage."""
    [forgotten] = make_tokens(1, whitelist="NEVER")
    peer = await connect_with_tokens(client, runtime, extrawest, [])
    site_id = await make_site(client)
    await make_charger(client, site_id, CHARGER, sockets=1)
    await add_location(client, peer.integration_id, {"siteId": site_id})
    await put_as_the_peer(extrawest, forgotten)

    answer = ok(await client.post("/api/v2/cpo/authorize", json={
        "chargerId": CHARGER, "socketId": 1, "idTag": forgotten["uid"]}))

    assert (answer["allowed"], answer["status"], answer["source"]) == (False, "UNKNOWN", "REAL_TIME"), answer
    assert answer["integrationId"] == peer.integration_id
    assert extrawest.store()["authorizations"] == [], "the peer answered from its own store: it has no such card"
