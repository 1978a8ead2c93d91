"""Pulls of a partner's token list from its Tokens Sender: one row per pull, with where it got to.

A pull commits page by page and records the `Link` of the next page with each, so a pull interrupted
half-way (the partner failed, the process stopped) resumes from the page it had not stored yet; nothing
stored is lost by a pull that fails.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from evroam.charging.tokens.models import BigId
from evroam.database.base import Base, UtcDateTime, utcnow

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
OPEN_STATUSES = (QUEUED, RUNNING)


class TokenPull(Base):
    __tablename__ = "token_pulls"
    __table_args__ = (
        # One open pull per integration at a time, enforced by the database: a second request while one
        # is open is answered with the open one, never a second pull writing the same tokens.
        Index("uq_token_pulls_open", "integration_id", unique=True,
              postgresql_where=text("status IN ('QUEUED', 'RUNNING')"),
              sqlite_where=text("status IN ('QUEUED', 'RUNNING')")),
        Index("ix_token_pulls_integration_created", "integration_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.integration_id", ondelete="CASCADE"))
    # Full: the whole list, and tokens it does not list are marked invalid. Delta: changes since `date_from`.
    full: Mapped[bool] = mapped_column(Boolean)
    # OPERATOR (POST token-pulls) or SCHEDULE.
    requested_by: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    # A delta pull's `date_from`: the start of the last successful pull.
    date_from: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The page to fetch next (the partner's `Link: rel="next"`, or the first page's URL); None once done.
    next_url: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    tokens_seen: Mapped[int] = mapped_column(Integer, default=0)
    # Tokens a full pull no longer listed, marked invalid when it finished.
    tokens_invalidated: Mapped[int] = mapped_column(Integer, default=0)
    # Tokens in the partner's pages that are not valid OCPI: skipped (the rest of their page is stored),
    # counted, and the first one's problem kept for the operator.
    tokens_skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    skipped_problem: Mapped[str | None] = mapped_column(Text)
    # How many times the pull failed and was taken up again.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # RUNNING: the runner holds the pull until then (a crashed runner's pull is taken up again once this
    # passes; each recorded page renews it). QUEUED after a failed attempt: not taken up before then.
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
