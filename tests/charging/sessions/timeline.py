"""The times a test's charger events are stamped with: minutes from the test's session start, which is the
next whole minute after the test began (conftest restarts it for each test), so the session starts after
the authorization decision it is attributed by, as at a charger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Timeline:
    def __init__(self) -> None:
        self.start = datetime.now(UTC)

    def restart(self) -> None:
        self.start = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)


TIMELINE = Timeline()


def at(minutes: float) -> str:
    """The session start plus `minutes`, as events state times."""
    return (TIMELINE.start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
