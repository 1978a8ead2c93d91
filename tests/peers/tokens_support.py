"""The extrawest eMSP as a Tokens Sender for evroam: deterministic driver tokens, seeded through the
peer's door, and evroam registered with it, so a test of evroam's token pull or real-time authorization
starts from one call:

    peer = await connect_with_tokens(client, runtime, extrawest, make_tokens(12))
    # peer.integration_id, peer.tokens_url (the SENDER endpoint evroam stored), peer.token_c,
    # peer.headers (evroam's Authorization towards the peer), peer.tokens (as seeded)

The peer serves pages of at most `extrawest.max_limit` tokens (see conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from tests.peers.emsp_peer import default_encoding, encode
from tests.peers.management import register_through_the_api

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
