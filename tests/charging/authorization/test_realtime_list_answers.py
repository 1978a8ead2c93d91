"""An eMSP answering the real-time authorize call with `data` as a list of AuthorizationInfo, as py_ocpi
eMSPs do: a list of exactly one is that AuthorizationInfo; an empty list or several items decide nothing
and are a FALLBACK naming what came. Against our own token partner over loopback."""

from __future__ import annotations

import pytest

from tests.charging.authorization.conftest import Published
from tests.support.authorizing_emsp import (
    authorization_info,
    envelope,
    info_in_a_list,
    published_integration,
    site_with_charger,
    store_token,
    token_document,
)


@pytest.mark.parametrize(("allowed", "status"), [(True, "ALLOWED"), (False, "BLOCKED")])
async def test_a_list_of_one_authorization_info_decides(published: Published, allowed, status) -> None:
    await store_token(published.runtime, published.integration_id, "11571", whitelist="NEVER")
    theirs = token_document("11571", whitelist="NEVER", valid=allowed)
    published.emsp.script["11571"] = info_in_a_list(authorization_info(status, theirs, f"LIST-REF-{status}"))
    answer = await published.authorize("11571", socket_id=2)
    assert (answer["allowed"], answer["status"], answer["source"]) == (allowed, status, "REAL_TIME")
    assert answer["authorizationReference"] == f"LIST-REF-{status}" and answer["token"] == theirs
    [call] = published.emsp.received
    assert call.body["evse_uids"] == ["CH-1-2"]


async def test_a_list_of_one_on_211(client, runtime, emsp) -> None:
    site_id = await site_with_charger(client)
    integration_id = await published_integration(client, runtime, emsp, site_id, version="2.1.1")
    stored = await store_token(runtime, integration_id, "211L", whitelist="ALLOWED_OFFLINE", valid=False)
    emsp.script["211L"] = info_in_a_list(authorization_info("ALLOWED"))
    response = await client.post("/api/v2/cpo/authorize", json={"chargerId": "CH-1", "socketId": 1, "idTag": "211L"})
    answer = response.json()
    assert (answer["allowed"], answer["status"], answer["source"]) == (True, "ALLOWED", "REAL_TIME"), answer
    assert answer["token"] == stored, "2.1.1 gives no token: ours"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ([], "a list of 0 items"),
        ([authorization_info("ALLOWED"), authorization_info("BLOCKED")], "a list of 2 items"),
        (["ALLOWED"], "not an AuthorizationInfo"),
        ([[authorization_info("ALLOWED")]], "not an AuthorizationInfo"),
    ],
    ids=["empty", "two", "one string", "nested list"],
)
async def test_any_other_list_is_garbage_named_in_the_fallback(published: Published, data, named) -> None:
    # Stored invalid: a fallback to the stored token refuses, where the list's ALLOWED would have let in.
    await store_token(published.runtime, published.integration_id, "1157B", whitelist="ALLOWED_OFFLINE", valid=False)
    published.emsp.script["1157B"] = envelope(data)
    answer = await published.authorize("1157B")
    assert (answer["allowed"], answer["status"], answer["source"]) == (False, "BLOCKED", "FALLBACK")
    assert "could not be asked" in answer["reason"] and named in answer["reason"], answer["reason"]
    assert len(published.emsp.received) == 1
    assert (await published.decisions())["items"][0]["source"] == "FALLBACK"
