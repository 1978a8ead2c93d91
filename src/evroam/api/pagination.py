"""`page`/`limit` query parameters and the list envelope of the management API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


async def _page_request(  # async: a plain def would run in FastAPI's thread pool
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page, at most 100")] = MAX_LIMIT,
) -> PageRequest:
    return PageRequest(page=page, limit=limit)


PageParams = Annotated[PageRequest, Depends(_page_request)]


async def paginate(session: AsyncSession, query: Select, request: PageRequest) -> tuple[list[Any], int]:
    """Returns one page of scalars and the total count of the unpaginated query."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.scalars(query.offset(request.offset).limit(request.limit))).all()
    return list(rows), int(total or 0)


def page_envelope(request: PageRequest, items: list[Any], total: int) -> dict[str, Any]:
    return {
        "page": request.page,
        "limit": request.limit,
        "totalRecords": total,
        "hasNextPage": request.offset + len(items) < total,
        "hasPreviousPage": request.page > 1,
        "items": items,
    }
