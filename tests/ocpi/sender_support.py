"""For the Sender interfaces of modules whose domain is not in these tests (sessions, CDRs): documents
written into an integration's publication ledger through the ledger's own write API, as a publisher
writes them, and a client crawling a list the way OCPI says (following `Link` until it is gone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from evroam.integrations.models import Integration
from evroam.ocpi.locations.mapping import party_of_operator
from evroam.publication.ledger import IntegrationLedger, content_hash
from evroam.runtime import Runtime
from tests.support.ocpi_partner import RegisteredPartner

PARTY = party_of_operator("BE", "BEC", "Test CPO", None, None)
# The last_updated of five documents an hour apart.
STAMPS = ["2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z",
          "2026-03-01T14:00:00Z"]  # fmt: skip


def client_of(app, partner: RegisteredPartner) -> httpx.AsyncClient:
    """An OCPI client of `partner`, with its token in its version's encoding."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                             headers={"Authorization": partner.authorization})  # fmt: skip


async def put_in_ledger(runtime: Runtime, integration_id: str, module: str, documents: list[dict[str, Any]]) -> None:
    """Each document stored in its turn (the list's order), stamped with its own `last_updated`."""
    async with runtime.sessions() as session:
        integration = await session.get(Integration, integration_id)

        def write(sync_session) -> None:
            ledger = IntegrationLedger(sync_session, integration, PARTY)
            for document in documents:
                stamp = datetime.fromisoformat(document["last_updated"])
                ledger.store(ledger.new_row(module, document["id"]), document, content_hash(document), stamp)
            sync_session.flush()
            ledger.record_totals()

        await session.run_sync(write)
        await session.commit()


async def crawl(client: httpx.AsyncClient, url: str, params: dict[str, Any]) -> list[httpx.Response]:
    """Every page of a list, from the first request through each `rel="next"` Link."""
    pages = [await client.get(url, params=params)]
    while "link" in pages[-1].headers:
        pages.append(await client.get(pages[-1].headers["link"].split(";")[0].strip("<>")))
    return pages
