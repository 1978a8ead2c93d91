"""One page of a query's rows, and how many rows the whole query has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


async def paginate(session: AsyncSession, query: Select, request: PageRequest) -> tuple[list[Any], int]:
    """Returns one page of scalars and the total count of the unpaginated query."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.scalars(query.offset(request.offset).limit(request.limit))).all()
    return list(rows), int(total or 0)
