"""One page of a partner's token list, fetched from its Tokens Sender (ocpi-notes §2.6, §12.3).

The first page is `GET {tokens_url}?offset=0&limit=1000[&date_from=…]`; each later one is the partner's
`Link: <…>; rel="next"` as given (it goes through `client.send`, so the outbound guard checks it like any
other partner URL). The Link header is read by httpx's own parser (`Response.links`).

A token in the page that is not valid OCPI is skipped, and said: the rest of the page is stored. One
broken token (a uid too long, a type the partner made up) would otherwise stop every later token of the
list from ever being pulled, and the page would fail again on every retry; the pull reports how many it
skipped and why the first was refused. A page that is not an OCPI list at all fails the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import httpx
from pydantic import ValidationError

from evroam.charging.tokens.records import KeptToken
from evroam.integrations.models import Integration
from evroam.ocpi.protocol.client import send, partner_party
from evroam.ocpi.protocol.envelope import ocpi_timestamp
from evroam.ocpi.tokens.mapping import Token211, kept, token_model
from evroam.runtime import Runtime

# Hubs serve at most 1,000 tokens a page (charging-notes "Tokens and authorization"); the partner may
# give fewer, and its Link says how to go on.
PAGE_LIMIT = 1000


class PageFailed(Exception):
    """The partner's answer is not a page of tokens; the message says why, for the operator."""


@dataclass(frozen=True, slots=True)
class TokenPage:
    tokens: list[KeptToken]
    # The partner's next page, None on the last one.
    next_url: str | None
    # X-Total-Count, when the partner sent a number.
    total: int | None
    skipped: int = 0
    # Why the first skipped token was refused.
    skipped_problem: str | None = field(default=None)


def first_url(tokens_url: str, date_from: datetime | None, limit: int = PAGE_LIMIT) -> str:
    params: dict[str, str] = {"offset": "0", "limit": str(limit)}
    if date_from is not None:
        params["date_from"] = ocpi_timestamp(date_from)
    return str(httpx.URL(tokens_url).copy_merge_params(params))


async def fetch_page(runtime: Runtime, integration: Integration, url: str) -> TokenPage:
    """Raises PageFailed, or the client's PartnerUnreachable / NotConnected."""
    reply = await send(runtime, integration, "GET", url, module="tokens")
    if not reply.ok:
        raise PageFailed(f"GET {url} answered {reply.problem()}")
    if not isinstance(reply.data, list):
        raise PageFailed(f"GET {url} answered an envelope whose data is not a list of tokens")
    model = token_model(integration.ocpi_version)
    party = _party_of_211(integration) if model is Token211 else None
    tokens: list[KeptToken] = []
    skipped, first_problem = 0, None
    for position, item in enumerate(reply.data):
        try:
            tokens.append(kept(model.model_validate(item), party))
        except ValidationError as exc:
            skipped += 1
            first_problem = first_problem or f"{url}: token {position} ({_uid_of(item)}): {_said(exc)}"
    links = httpx.Response(reply.http_status, headers=reply.headers).links
    following = links.get("next", {}).get("url")
    return TokenPage(
        tokens=tokens,
        # Absolute in the specification; a relative one is read against the page it came with.
        next_url=urljoin(url, following) if following else None,
        total=_whole(reply.headers.get("x-total-count")),
        skipped=skipped,
        skipped_problem=first_problem,
    )


def _party_of_211(integration: Integration) -> tuple[str, str]:
    """A 2.1.1 token carries no party: it is the one the partner registered."""
    party = partner_party(integration)
    if party is None:
        raise PageFailed("the partner registered no party (country code and party id) to keep its 2.1.1 tokens under")
    return party.country_code, party.party_id


def _said(error: ValidationError) -> str:
    first = error.errors()[0]
    place = ".".join(str(part) for part in first["loc"]) or "token"
    return f"{place}: {first['msg']}"


def _uid_of(item: object) -> str:
    uid = item.get("uid") if isinstance(item, dict) else None
    return f"uid {str(uid)[:40]!r}" if uid is not None else "no uid"


def _whole(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None
