"""The extrawest eMSP as a Tokens Sender for evroam: deterministic driver tokens, seeded through the
peer's door, and evroam registered with it, so a test of evroam's token pull or real-time authorization
starts from one call:

    peer = await connect_with_tokens(client, runtime, extrawest, make_tokens(12))
    # peer.integration_id, peer.tokens_url (the SENDER endpoint evroam stored), peer.token_c,
    # peer.headers (evroam's Authorization towards the peer), peer.tokens (as seeded)
    await pull_tokens(client, runtime, peer.integration_id, full=True)  # through the token-pulls API
    await put_as_the_peer(extrawest, token)  # the peer pushes a token it does not itself hold

The peer serves pages of at most `extrawest.max_limit` tokens (see conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from tests.integrations.factories import add_location, make_charger, make_site, make_tariff, ok
from tests.peers.emsp_peer import default_encoding, encode
from tests.peers.management import INTEGRATIONS, register_through_the_api
from tests.peers.test_extrawest_pushes import EXTRAWEST_ENERGY_MIX, EXTRAWEST_OPENING_TIMES

if TYPE_CHECKING:
    from tests.peers.conftest import ExtrawestEmsp

FIRST_UPDATE = datetime(2025, 1, 1, tzinfo=UTC)


def make_tokens(count: int, *, start: int = 0, first_update: datetime = FIRST_UPDATE,
                step: timedelta = timedelta(minutes=1), **fields: Any) -> list[dict[str, Any]]:
    """`count` RFID tokens in the 2.2.1 shape, numbered from `start`: uid XW000000, XW000001, ...,
    token n last updated at `first_update + n * step`; `fields` override every token's values (valid,
    whitelist, type, ...). The peer derives the 2.1.1 shape (auth_id = contract_id) itself."""
    return [{"country_code": "NL", "party_id": "XWE", "uid": f"XW{number:06d}", "type": "RFID",
             "contract_id": f"NL-XWE-C{number:08d}", "issuer": "Extrawest eMSP", "valid": True,
             "whitelist": "ALLOWED", "last_updated": rfc3339(first_update + number * step), **fields}
            for number in range(start, start + count)]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class TokensPeer:
    integration_id: str
    version: str
    tokens_url: str
    token_c: str
    tokens: list[dict[str, Any]]

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization evroam sends the peer (token C, base64 from 2.2 on)."""
        return {"Authorization": encode(self.token_c, default_encoding(self.version))}


async def connect_with_tokens(client: httpx.AsyncClient, runtime, extrawest: ExtrawestEmsp,
                              tokens: list[dict[str, Any]]) -> TokensPeer:
    """Seeds `tokens` at the peer and registers evroam with it through the management API (needs the
    `live_evroam` fixture); fails unless the integration is CONNECTED with the peer's tokens SENDER."""
    extrawest.seed_tokens(tokens)
    details = await register_through_the_api(client, runtime, extrawest.versions_url, extrawest.token_a)
    assert details["integrationStatus"] == "CONNECTED", details["statusDescription"]
    senders = [endpoint["url"] for endpoint in details["versionDetails"]["endpoints"]
               if endpoint["identifier"] == "tokens" and endpoint["role"] == "SENDER"]
    assert senders, f"evroam stored no tokens SENDER of the peer: {details['versionDetails']}"
    [token_c] = extrawest.store()["token_c"]
    return TokensPeer(details["integrationId"], details["versionDetails"]["version"], senders[0], token_c, tokens)


async def pull_tokens(client: httpx.AsyncClient, runtime, integration_id: str, full: bool) -> dict[str, Any]:
    """A token pull asked through the token-pulls API and run to its end; the pull as the API shows it."""
    answer = await client.post(f"/api/v2/cpo/integrations/{integration_id}/token-pulls", json={"full": full})
    assert answer.status_code == 202, answer.text
    await runtime.wait_for_background()
    return (await client.get(f"/api/v2/cpo/integrations/{integration_id}/token-pulls/{answer.json()['id']}")).json()


async def put_as_the_peer(extrawest: ExtrawestEmsp, token: dict[str, Any]) -> None:
    """The peer pushes `token` (2.2.1 shape) to evroam's Tokens Receiver, found as a peer finds it: from the
    versions URL and token evroam gave it when registering, without telling its own store (so it does not
    know the token when asked about it)."""
    registration = extrawest.store()["registration"]
    credentials = registration["credentials"]
    headers = {"Authorization": encode(credentials["token"], default_encoding(registration["version"]))}
    async with httpx.AsyncClient(timeout=10, headers=headers) as http:
        versions = (await http.get(credentials["url"])).json()["data"]
        details_url = next(item["url"] for item in versions if item["version"] == registration["version"])
        endpoints = (await http.get(details_url)).json()["data"]["endpoints"]
        receiver = next(endpoint["url"] for endpoint in endpoints
                        if endpoint["identifier"] == "tokens" and endpoint.get("role", "RECEIVER") == "RECEIVER")
        response = await http.put(f"{receiver.rstrip('/')}/{token['country_code']}/{token['party_id']}/{token['uid']}",
                                  json=token)
    assert response.status_code in (200, 201) and response.json()["status_code"] == 1000, response.text


@dataclass
class PublishedCharger:
    peer: TokensPeer
    driver: dict[str, Any]
    location_id: str


async def publish_charger_to_the_peer(client: httpx.AsyncClient, runtime, extrawest: ExtrawestEmsp, charger_id: str,
                                      elements: list[dict[str, Any]]) -> PublishedCharger:
    """Connects the peer holding one driver's token, publishes a site-backed location of a new charger of one
    socket to it with a tariff of `elements` (all in values extrawest takes), and pulls the peer's tokens."""
    [driver] = make_tokens(1)
    peer = await connect_with_tokens(client, runtime, extrawest, [driver])
    site_id = await make_site(client, energyMix=EXTRAWEST_ENERGY_MIX, openingTimes=EXTRAWEST_OPENING_TIMES)
    await make_charger(client, site_id, charger_id, sockets=1)
    tariff_id = await make_tariff(client, elements=elements, minPrice=None, maxPrice=None, useType="PRICE",
                                  tariffEnergyMix=EXTRAWEST_ENERGY_MIX)
    location_id = (await add_location(client, peer.integration_id, {"siteId": site_id}))["id"]
    ok(await client.post(f"{INTEGRATIONS}/{peer.integration_id}/tariffs/{tariff_id}",
                         json={"locations": [{"locationId": location_id}]}))
    assert (await pull_tokens(client, runtime, peer.integration_id, full=True))["status"] == "SUCCEEDED"
    return PublishedCharger(peer, driver, location_id)
