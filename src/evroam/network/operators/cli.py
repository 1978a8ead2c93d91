"""`evroam apikey create`: a new key for an operator, printed once."""

from __future__ import annotations

from evroam.config import Settings
from evroam.network.operators import service as operator_service
from evroam.network.operators.models import Operator
from evroam.runtime import Runtime
from evroam.startup import prepare_database


async def create_key(settings: Settings, name: str, operator_id: int | None) -> str:
    runtime = Runtime.from_settings(settings)
    try:
        await prepare_database(runtime)
        async with runtime.sessions() as session:
            if operator_id is None:
                operator_id = (await operator_service.default_operator(session, settings)).id
            elif await session.get(Operator, operator_id) is None:
                raise SystemExit(f"evroam: no operator with id {operator_id}")
            key = await operator_service.create_api_key(session, operator_id, name)
            await session.commit()
            return key
    finally:
        await runtime.close()
