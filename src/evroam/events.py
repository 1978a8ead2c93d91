"""Domain change notifications, delivered inside the transaction that made the change.

Services announce what they changed; subscribers (the OCPI publication ledger) update derived data and
write outbox rows in the same transaction, so a change and its pushes commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Change:
    operator_id: int
    site_ids: frozenset[int] = field(default_factory=frozenset)
    charger_ids: frozenset[str] = field(default_factory=frozenset)
    tariff_ids: frozenset[str] = field(default_factory=frozenset)
    # Integrations whose publication itself changed (locations added or removed, tariff links, models).
    integration_ids: frozenset[str] = field(default_factory=frozenset)
    # Rows about to be deleted: subscribers must withdraw what they published from them.
    deleted_tariff_ids: frozenset[str] = field(default_factory=frozenset)


Subscriber = Callable[[AsyncSession, Change], Awaitable[None]]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


async def announce(session: AsyncSession, change: Change) -> None:
    """Call after flushing the change and before committing."""
    for subscriber in _subscribers:
        await subscriber(session, change)
