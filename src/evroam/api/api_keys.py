"""Which operator an API key belongs to, remembered for a few seconds per database.

Every management request presents its key, and the authorization decision (POST /authorize) is on a
driver's path at the charger: looking the key up each time cost a connection and a query per decision.
A key found is remembered for `REMEMBERED_SECONDS`, so a key removed from the database keeps working
that long in a process that had just seen it. A key not found is never remembered: a key created a
moment ago works at once, and an unknown key is looked up (and refused) every time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evroam.network.operators.models import ApiKey
from evroam.security import hash_secret, secret_matches

REMEMBERED_SECONDS = 5.0

_known: WeakKeyDictionary[AsyncEngine, KnownKeys] = WeakKeyDictionary()


def known_keys(engine: AsyncEngine) -> KnownKeys:
    """The keys remembered for one database in this process (tests run several, each its own)."""
    keys = _known.get(engine)
    if keys is None:
        keys = _known[engine] = KnownKeys()
    return keys


class KnownKeys:
    def __init__(self, remembered_seconds: float = REMEMBERED_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._remembered_seconds = remembered_seconds
        self._clock = clock
        # key hash -> (operator id, when it stops being trusted)
        self._operators: dict[str, tuple[int, float]] = {}

    async def operator_of(self, sessions: async_sessionmaker[AsyncSession], key: str) -> int | None:
        """The operator of `key`, or None when no stored key matches it. A lookup has a session of its own,
        closed at once: the request's may then be held while a partner is asked, this one never is."""
        key_hash = hash_secret(key)
        now = self._clock()
        remembered = self._operators.get(key_hash)
        if remembered is not None and remembered[1] > now:
            operator_id = remembered[0]
        else:
            async with sessions() as session:
                stored = await session.scalar(select(ApiKey.operator_id).where(ApiKey.key_hash == key_hash))
            if stored is None:
                self._operators.pop(key_hash, None)
                return None
            operator_id = stored
            self._forget_expired(now)
            self._operators[key_hash] = (operator_id, now + self._remembered_seconds)
        # Constant time whichever way the hash was found.
        return operator_id if secret_matches(key, key_hash) else None

    def _forget_expired(self, now: float) -> None:
        for key_hash in [key_hash for key_hash, (_, until) in self._operators.items() if until <= now]:
            del self._operators[key_hash]
