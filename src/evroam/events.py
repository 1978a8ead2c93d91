"""Domain change notifications, delivered inside the transaction that made the change.

Services announce what they changed; the subscribers of the session's runtime (the details read model,
the OCPI publication ledger, other capabilities reacting to the change) update derived data and write
their own rows in the same transaction, so a change and what follows from it commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

# session.info keys: the runtime's subscribers (set by Runtime), the changes waiting for delivery.
SUBSCRIBERS = "evroam.subscribers"
_QUEUE = "evroam.announced_changes"


@dataclass(frozen=True)
class Change:
    operator_id: int
    site_ids: frozenset[int] = field(default_factory=frozenset)
    charger_ids: frozenset[str] = field(default_factory=frozenset)
    tariff_ids: frozenset[str] = field(default_factory=frozenset)
    # Integrations whose publication itself changed (locations added or removed, tariff links, models).
    integration_ids: frozenset[str] = field(default_factory=frozenset)
    # Rows about to be deleted: subscribers must withdraw what they published from them, and may refuse
    # the deletion (a domain error) while something of theirs still refers to the row.
    deleted_tariff_ids: frozenset[str] = field(default_factory=frozenset)
    deleted_site_ids: frozenset[int] = field(default_factory=frozenset)
    # Tariffs about to become unpublishable, with the use type that makes them so: what links them refuses.
    unpublishable_tariffs: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    # Sockets a charger no longer has, as (charger id, socket id): what referred to them goes.
    removed_sockets: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    # Charging sessions whose state (and OCPI Session document) changed.
    session_ids: frozenset[str] = field(default_factory=frozenset)
    # CDRs just issued (originals, credits, corrections): each names its integration, to which it goes.
    cdr_ids: frozenset[str] = field(default_factory=frozenset)


Subscriber = Callable[[AsyncSession, Change], Awaitable[None]]


async def announce(session: AsyncSession, change: Change) -> None:
    """Call after flushing the change and before committing.

    A change a subscriber announces while reacting waits until the change it reacts to has reached
    every subscriber: each subscriber sees the changes in the order they were made.
    """
    queue = session.info.get(_QUEUE)
    if queue is not None:
        queue.append(change)
        return
    queue = session.info[_QUEUE] = [change]
    try:
        while queue:
            current = queue.pop(0)
            for subscriber in session.info[SUBSCRIBERS]:
                await subscriber(session, current)
    finally:
        del session.info[_QUEUE]
