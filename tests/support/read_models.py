"""Checks that a stored read model equals what a rebuild from the tables gives, after any test."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from evroam.integrations.details_locations import build_location_documents
from evroam.integrations.models import IntegrationLocation
from evroam.runtime import Runtime


async def assert_details_read_model_current(runtime: Runtime) -> None:
    """Every integration location's stored details text is there and current: a change whose path forgot
    to announce it (or a rebuild that missed a location) fails the test that made it."""
    async with runtime.sessions() as session:
        stored = dict((await session.execute(select(IntegrationLocation.id, IntegrationLocation.details))).all())
        if not stored:
            return
        rebuilt = await session.run_sync(lambda sync: build_location_documents(sync, sorted(stored)))
    for document in rebuilt:
        text = stored[document["id"]]
        assert text is not None, f"location {document['id']}: details never built"
        expected = orjson.loads(orjson.dumps(document, option=orjson.OPT_UTC_Z))
        assert orjson.loads(text) == expected, f"location {document['id']}: stored details are stale"
