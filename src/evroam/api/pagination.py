"""`page`/`limit` query parameters and the list envelope of the management API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from evroam.database.paging import PageRequest

MAX_LIMIT = 100


async def _page_request(  # async: a plain def would run in FastAPI's thread pool
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page, at most 100")] = MAX_LIMIT,
) -> PageRequest:
    return PageRequest(page=page, limit=limit)


PageParams = Annotated[PageRequest, Depends(_page_request)]


def page_envelope(request: PageRequest, items: list[Any], total: int) -> dict[str, Any]:
    return {
        "page": request.page,
        "limit": request.limit,
        "totalRecords": total,
        "hasNextPage": request.offset + len(items) < total,
        "hasPreviousPage": request.page > 1,
        "items": items,
    }
