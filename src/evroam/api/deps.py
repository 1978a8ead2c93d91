"""Request dependencies of the management API: the database session and the caller's operator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.api.api_keys import known_keys
from evroam.api.errors import ApiError
from evroam.runtime import Runtime

api_key_header = APIKeyHeader(name="x-api-key", auto_error=False, description="API key of an operator")


async def get_runtime(request: Request) -> Runtime:
    # async, though it awaits nothing: FastAPI runs a plain def dependency in its thread pool, a thread
    # hop on every request
    return request.app.state.runtime


async def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> AsyncIterator[AsyncSession]:
    async with runtime.sessions() as session:
        yield session


async def get_operator_id(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    key: Annotated[str | None, Security(api_key_header)],
) -> int:
    if not key:
        raise ApiError(401, "Not authorised: the x-api-key header is missing")
    operator_id = await known_keys(runtime.engine).operator_of(runtime.sessions, key)
    if operator_id is None:
        raise ApiError(401, "Not authorised: unknown API key")
    return operator_id


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
OperatorId = Annotated[int, Depends(get_operator_id)]
