"""Checks that a stored read model equals what a rebuild from the tables gives, after any test."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from evroam.integrations.details.locations import build_location_documents
from evroam.integrations.locations.models import IntegrationLocation
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
