"""What the commit hook asks of a module's publisher, and the run it hands each of them.

A publisher (named by its module's registry entry, `ocpi/modules.py`) knows which of its objects a
Change affects and how to recompute them. Recomputing an object that no longer exists withdraws it;
its writes go through each integration's `IntegrationLedger`, which also recounts the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from evroam.events import Change
from evroam.integrations.models import Integration
from evroam.ocpi.protocol.envelope import ocpi_timestamp
from evroam.publication.ledger import IntegrationLedger

T = TypeVar("T")

# Per integration id: the object ids to recompute, or None for every object the integration publishes.
Wanted = dict[str, set[str] | None]


@dataclass
class Run:
    """One recomputation: the integrations it touches, in one transaction, at one moment."""

    session: Session
    integrations: list[Integration]
    ledgers: dict[str, IntegrationLedger]
    now: datetime
    # The Changes that caused it (none for a rebuild on demand).
    changes: tuple[Change, ...]
    _derived: dict[Callable[..., Any], Any] = field(default_factory=dict)

    @cached_property
    def now_text(self) -> str:
        """The run's moment as documents stamp it."""
        return ocpi_timestamp(self.now)

    def derived(self, build: Callable[[Run], T]) -> T:
        """What `build` makes of this run, built once however many publishers ask (e.g. the tariffs
        each integration publishes, which locations refer to)."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]


class Publisher(Protocol):
    def affected(self, session: Session, change: Change) -> Iterable[tuple[str, str]]:
        """(integration id, object id) of the objects the Change may alter, looked up before commit."""

    def refresh(self, run: Run, wanted: Wanted) -> None:
        """Recomputes the wanted objects: stores what changed, pushes it, withdraws what is gone."""
