"""Outbox rows written and read straight from the database: CDR POSTs, OBJECT pushes, their states."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from evroam.delivery.models import DELIVERED, Delivery
from evroam.delivery.outbox import enqueue


def cdr(cdr_id: str) -> str:
    return orjson.dumps({"country_code": "FI", "party_id": "EVR", "id": cdr_id, "total_cost": {"excl_vat": 1.5}}).decode()


async def post_cdrs(runtime, integration_id: str, *cdr_ids: str) -> None:
    async with runtime.sessions() as session:
        for cdr_id in cdr_ids:
            await session.run_sync(lambda sync, i=cdr_id: enqueue(sync, integration_id, "cdrs", i, "POST", "", cdr(i)))
        await session.commit()


async def push_objects(runtime, integration_id: str, *pushes: tuple[str, str, int]) -> None:
    """Session pushes (sessions are what an outage must not lose: a PATCH is never superseded by another,
    only by a PUT); pushes: (session id, PUT or PATCH, sequence number carried in the body)."""
    async with runtime.sessions() as session:
        for object_id, method, sequence in pushes:
            body = orjson.dumps({"id": object_id, "seq": sequence}).decode()
            await session.run_sync(lambda sync, o=object_id, m=method, b=body: enqueue(
                sync, integration_id, "sessions", o, m, f"/FI/EVR/{o}", b))
        await session.commit()


async def rows(runtime, integration_id: str) -> list[Delivery]:
    async with runtime.sessions() as session:
        found = await session.scalars(
            select(Delivery).where(Delivery.integration_id == integration_id).order_by(Delivery.id)
        )
        return list(found)


async def all_delivered(runtime, integration_id: str) -> bool:
    """Nothing left to send: every row delivered, or superseded by a newer full PUT."""
    return all(row.status in (DELIVERED, "SUPERSEDED") for row in await rows(runtime, integration_id))
