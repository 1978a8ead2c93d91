"""Checks that the stored read models (the details texts, the publication ledger) equal what a rebuild
from the tables gives, after any test."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.integrations.details.locations import build_location_documents
from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.models import Integration
from evroam.publication import hook, stamps
from evroam.publication.models import PublishedDocument
from evroam.runtime import Runtime


async def assert_details_read_model_current(runtime: Runtime) -> None:
    """Every stored details text is current: a change whose path forgot to announce it (or a rebuild that
    missed a location) fails the test that made it. A text not built yet (NULL: rows written by a test
    straight into the tables, as by a migration) is built when read, so it cannot be stale."""
    async with runtime.sessions() as session:
        stored = dict(
            (
                await session.execute(
                    select(IntegrationLocation.id, IntegrationLocation.details).where(
                        IntegrationLocation.details.is_not(None)
                    )
                )
            ).all()
        )
        if not stored:
            return
        rebuilt = await session.run_sync(lambda sync: build_location_documents(sync, sorted(stored)))
    for document in rebuilt:
        text = stored[document["id"]]
        expected = orjson.loads(orjson.dumps(document, option=orjson.OPT_UTC_Z))
        assert orjson.loads(text) == expected, f"location {document['id']}: stored details are stale"


async def assert_publication_ledger_current(runtime: Runtime) -> None:
    """What partners receive is what the tables say: every integration's documents are rebuilt in a
    transaction that is rolled back, and must equal the stored ones but for their stamps. A change that
    reached the tables and not the ledger (a path that forgot to announce, a race that published what
    it read before another transaction committed) fails the test that made it."""
    async with runtime.sessions() as session:
        stored = await _published(session)
        if not stored:
            return
        for integration_id in await session.scalars(
            select(Integration.integration_id).where(Integration.integration_type == "OCPI")
        ):
            await hook.refresh_integration(session, integration_id)
        rebuilt = await _published(session)
        await session.rollback()
    for key in sorted(stored.keys() | rebuilt.keys()):
        assert stored.get(key) == rebuilt.get(key), f"{key}: the published document is not what the tables say"


async def _published(session: AsyncSession) -> dict[tuple[str, str, str], tuple[bool, Any]]:
    """(integration, module, object) -> (withdrawn, the document without its last_updated stamps)."""
    await session.flush()
    rows = await session.execute(
        select(
            PublishedDocument.integration_id,
            PublishedDocument.module,
            PublishedDocument.object_id,
            PublishedDocument.removed,
            PublishedDocument.document,
        ).execution_options(populate_existing=True)
    )
    return {(integration_id, module, object_id): (removed, _unstamped(orjson.loads(document)))
            for integration_id, module, object_id, removed, document in rows}  # fmt: skip


def _unstamped(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _unstamped(item) for key, item in value.items() if key != stamps.STAMP}
    if isinstance(value, list):
        return [_unstamped(item) for item in value]
    return value
