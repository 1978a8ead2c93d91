"""The extrawest eMSP is a Tokens Sender evroam can pull from and ask in real time, on 2.2.1 and 2.1.1.

evroam registers with the peer through the management API (so it holds token C and the peer's tokens
SENDER endpoint); the peer's answers are then read with plain httpx, as evroam's pull and authorize
code will read them. What the peer does on the wire is py_ocpi's own behaviour except where
extrawest_emsp/token_sender.py says it corrects it.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.peers.tokens_support import FIRST_UPDATE, connect_with_tokens, make_tokens, rfc3339

pytestmark = pytest.mark.peer
VERSIONS = pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1", "2.1.1"])


def _next(response: httpx.Response) -> str | None:
    # py_ocpi sends an empty Link header on the last page.
    return response.links.get("next", {}).get("url")


async def _crawl(url: str, headers: dict[str, str]) -> list[httpx.Response]:
    pages = []
    async with httpx.AsyncClient(timeout=10) as http:
        while url:
            response = await http.get(url, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["status_code"] == 1000, response.text
            pages.append(response)
            url = _next(response)
            assert len(pages) < 20, "the Link chain does not end"
    return pages


def _uids(pages: list[httpx.Response]) -> list[str]:
    return [token["uid"].upper() for page in pages for token in page.json()["data"]]


@VERSIONS
async def test_the_token_list_pages_with_links_and_totals(client, runtime, live_evroam, extrawest,
                                                          extrawest_versions):
    seeded = make_tokens(2 * extrawest.max_limit + 2)
    peer = await connect_with_tokens(client, runtime, extrawest, seeded)
    assert peer.tokens_url == f"{extrawest.base_url}/ocpi/emsp/{peer.version}/tokens/"

    pages = await _crawl(peer.tokens_url, peer.headers)

    assert [len(page.json()["data"]) for page in pages] == [5, 5, 2]
    assert _uids(pages) == [token["uid"] for token in seeded], "every token once, in creation order"
    for page in pages:
        assert page.headers["X-Total-Count"] == str(len(seeded))
        assert page.headers["X-Limit"] == str(extrawest.max_limit)
    assert _next(pages[0]) == f"{peer.tokens_url}?offset=5&limit=5"
    first = pages[0].json()["data"][0]
    if peer.version == "2.1.1":
        assert first["auth_id"].upper() == seeded[0]["contract_id"]
        assert "country_code" not in first and "contract_id" not in first
    else:
        assert (first["country_code"].upper(), first["party_id"].upper()) == ("NL", "XWE")
        assert first["contract_id"].upper() == seeded[0]["contract_id"]
    assert first["last_updated"] == seeded[0]["last_updated"]


async def test_a_page_is_never_larger_than_the_peers_limit(client, runtime, live_evroam, extrawest):
    peer = await connect_with_tokens(client, runtime, extrawest, make_tokens(7))
    async with httpx.AsyncClient(timeout=10) as http:
        asked_less = await http.get(peer.tokens_url, params={"limit": 3}, headers=peer.headers)
        asked_more = await http.get(peer.tokens_url, params={"limit": 1000, "offset": 1}, headers=peer.headers)

    assert len(asked_less.json()["data"]) == 3
    assert _next(asked_less) == f"{peer.tokens_url}?offset=3&limit=3"
    assert len(asked_more.json()["data"]) == extrawest.max_limit
    assert asked_more.headers["X-Limit"] == str(extrawest.max_limit)
    assert _next(asked_more) == f"{peer.tokens_url}?offset=6&limit={extrawest.max_limit}"


@VERSIONS
async def test_date_from_and_date_to_select_on_last_updated(client, runtime, live_evroam, extrawest,
                                                            extrawest_versions):
    seeded = make_tokens(12)
    peer = await connect_with_tokens(client, runtime, extrawest, seeded)
    # A delta: token 2 changes after the others, and keeps its place in the full list.
    changed = {**seeded[2], "valid": False, "last_updated": rfc3339(FIRST_UPDATE + timedelta(days=1))}
    extrawest.seed_tokens([changed])

    since = seeded[6]["last_updated"]
    delta = await _crawl(f"{peer.tokens_url}?date_from={since}", peer.headers)
    assert _uids(delta) == [changed["uid"]] + [token["uid"] for token in seeded[6:]]
    assert [page.headers["X-Total-Count"] for page in delta] == ["7", "7"]
    assert f"date_from={since.replace(':', '%3A')}" in _next(delta[0])
    assert delta[0].json()["data"][0]["valid"] is False

    window = await _crawl(f"{peer.tokens_url}?date_from={seeded[3]['last_updated']}"
                          f"&date_to={seeded[5]['last_updated']}", peer.headers)
    assert _uids(window) == [seeded[3]["uid"], seeded[4]["uid"]], "date_from inclusive, date_to exclusive"
    assert window[0].headers["X-Total-Count"] == "2"

    later = await _crawl(f"{peer.tokens_url}?date_from={rfc3339(FIRST_UPDATE + timedelta(days=2))}", peer.headers)
    assert _uids(later) == [] and later[0].headers["X-Total-Count"] == "0"


@VERSIONS
async def test_authorize_answers_allowed_blocked_and_unknown(client, runtime, live_evroam, extrawest,
                                                             extrawest_versions):
    valid, invalid = make_tokens(2)
    invalid["valid"] = False
    peer = await connect_with_tokens(client, runtime, extrawest, [valid, invalid])
    where = {"location_id": "LOC-1", "evse_uids": ["LOC-1-EVSE-1"]}
    if peer.version == "2.1.1":
        where["connector_ids"] = ["1"]

    async with httpx.AsyncClient(timeout=10) as http:
        async def authorize(uid: str, **kwargs) -> httpx.Response:
            return await http.post(f"{peer.tokens_url}{uid}/authorize", params={"type": "RFID"},
                                   headers=peer.headers, **kwargs)
        allowed = await authorize(valid["uid"], json=where)
        blocked = await authorize(invalid["uid"])
        unknown = await authorize("NOT-A-CARD")

    assert allowed.status_code == 200 and allowed.json()["status_code"] == 1000, allowed.text
    # py_ocpi answers AuthorizationInfo as a list of one.
    [info] = allowed.json()["data"]
    assert info["allowed"] == "ALLOWED"
    assert info["location"]["location_id"].upper() == "LOC-1"
    [refusal] = blocked.json()["data"]
    assert blocked.status_code == 200 and refusal["allowed"] == "BLOCKED"
    # py_ocpi's answer to an unknown token: HTTP 404 without an OCPI envelope (not 2004).
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Object not found."}

    answered = extrawest.store()["authorizations"]
    assert [(entry["uid"].upper(), entry["allowed"]) for entry in answered] == [
        (valid["uid"], "ALLOWED"), (invalid["uid"], "BLOCKED")]
    received = answered[0]["location"]
    assert [received["location_id"].upper(), [uid.upper() for uid in received["evse_uids"]]] == [
        "LOC-1", ["LOC-1-EVSE-1"]]
    assert answered[1].get("location") is None, "no LocationReferences were sent"
    if peer.version == "2.1.1":
        assert received["connector_ids"] == ["1"]
        assert "authorization_reference" not in info and "token" not in info
    else:
        assert info["token"]["uid"].upper() == valid["uid"] and info["token"]["valid"] is True
        assert info["authorization_reference"] == answered[0]["authorization_reference"]
        assert refusal["authorization_reference"] != info["authorization_reference"]


async def test_authorize_finds_the_token_of_the_type_asked(client, runtime, live_evroam, extrawest):
    [card] = make_tokens(1)
    app_user = {**card, "type": "APP_USER", "valid": False, "whitelist": "NEVER"}
    peer = await connect_with_tokens(client, runtime, extrawest, [card, app_user])

    async with httpx.AsyncClient(timeout=10) as http:
        as_app_user = await http.post(f"{peer.tokens_url}{card['uid']}/authorize", params={"type": "APP_USER"},
                                      headers=peer.headers)
        untyped = await http.post(f"{peer.tokens_url}{card['uid']}/authorize", headers=peer.headers)

    assert as_app_user.json()["data"][0]["allowed"] == "BLOCKED", "the APP_USER token, not the RFID card"
    assert as_app_user.json()["data"][0]["token"]["type"] == "APP_USER"
    assert untyped.json()["data"][0]["allowed"] == "ALLOWED", "no type means RFID"


async def test_the_door_refuses_what_is_not_a_token(extrawest):
    response = httpx.post(f"{extrawest.base_url}/store/tokens", json=[{**make_tokens(1)[0], "whitelist": "SOMETIMES"}])
    assert response.status_code == 422
    assert "whitelist" in response.text
    assert extrawest.store()["tokens"] == []
