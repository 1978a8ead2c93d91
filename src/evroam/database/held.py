"""Rows by primary key, without a round trip for those the transaction already holds.

A use case that loaded a charger's session, integration and operator, then commits, has the publication
hook need them again: asking the database costs a round trip each, on every charger event. The session's
identity map holds rows weakly, so a row a use case is done with is gone by then unless it was `kept`
(until the transaction ends: the next one of a long-lived session reads them afresh).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

Model = TypeVar("Model")
_KEPT = "evroam.kept_rows"


def kept(session: Session, *rows: Any) -> None:
    """Holds `rows` until the transaction ends, so that `by_keys` and `session.get` find them."""
    session.info.setdefault(_KEPT, []).extend(row for row in rows if row is not None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _let_go(session: Session) -> None:
    session.info.pop(_KEPT, None)


def by_keys(session: Session, model: type[Model], keys: Iterable[Any]) -> list[Model]:
    """The rows of `model` with these primary keys, in no given order: those the session holds loaded
    (not expired, not being deleted) as they are, the others read in one statement."""
    held: list[Model] = []
    missing = []
    for key in set(keys):
        found = session.identity_map.get(session.identity_key(model, key))
        state = None if found is None else inspect(found)
        if state is None or state.expired_attributes or state.deleted or found in session.deleted:
            missing.append(key)
        else:
            held.append(found)
    if missing:
        (primary_key,) = inspect(model).primary_key
        held += session.scalars(select(model).where(primary_key.in_(missing)))
    return held
