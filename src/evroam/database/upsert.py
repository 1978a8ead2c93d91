"""INSERT … ON CONFLICT, which SQLAlchemy builds per dialect: the one for the database a session is bound to."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert_for(bind: Any):
    """`insert` with `on_conflict_do_update`/`on_conflict_do_nothing`, for a session's or connection's bind."""
    return _INSERTS[bind.dialect.name]
