"""evroam pulls the extrawest eMSP's tokens through its own token-pulls API, following the peer's Link pages,
on 2.2.1 and 2.1.1, in full and as a delta from the start of the last successful pull."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.peers.tokens_support import connect_with_tokens, make_tokens, pull_tokens

pytestmark = pytest.mark.peer
VERSIONS = pytest.mark.parametrize("extrawest_versions", ["2.2.1,2.1.1", "2.1.1"])


async def _stored(client, integration_id: str) -> dict[str, dict]:
    answer = await client.get(f"/api/v2/cpo/integrations/{integration_id}/tokens", params={"limit": 100})
    assert answer.status_code == 200, answer.text
    return {item["uid"].upper(): item for item in answer.json()["items"]}


@VERSIONS
async def test_a_full_pull_stores_every_page_of_the_peers_tokens(client, runtime, live_evroam, extrawest,
                                                                 extrawest_versions):
    seeded = make_tokens(2 * extrawest.max_limit + 2)
    peer = await connect_with_tokens(client, runtime, extrawest, seeded)

    pull = await pull_tokens(client, runtime, peer.integration_id, full=True)

    assert pull["status"] == "SUCCEEDED", pull
    assert pull["pages"] == 3 and pull["tokensSeen"] == len(seeded), pull
    stored = await _stored(client, peer.integration_id)
    assert set(stored) == {token["uid"].upper() for token in seeded}
    assert all(item["valid"] for item in stored.values())
    # The peer's party, whether the tokens carried it (2.2.1) or the credentials did (2.1.1).
    assert {(item["countryCode"], item["partyId"]) for item in stored.values()} == {("NL", "XWE")}


@VERSIONS
async def test_a_delta_pull_takes_only_what_changed_since_the_last_pull(client, runtime, live_evroam, extrawest,
                                                                       extrawest_versions):
    seeded = make_tokens(extrawest.max_limit + 1)
    peer = await connect_with_tokens(client, runtime, extrawest, seeded)
    assert (await pull_tokens(client, runtime, peer.integration_id, full=True))["status"] == "SUCCEEDED"

    # The eMSP blocks its first driver's card after that pull.
    blocked = make_tokens(1, first_update=datetime.now(UTC) + timedelta(minutes=1), valid=False)
    assert blocked[0]["uid"] == seeded[0]["uid"]
    extrawest.seed_tokens(blocked)
    delta = await pull_tokens(client, runtime, peer.integration_id, full=False)

    assert delta["status"] == "SUCCEEDED", delta
    assert delta["tokensSeen"] == 1, "date_from is the start of the full pull: only the blocked card changed"
    stored = await _stored(client, peer.integration_id)
    assert stored[seeded[0]["uid"].upper()]["valid"] is False
    assert all(stored[token["uid"].upper()]["valid"] for token in seeded[1:])
