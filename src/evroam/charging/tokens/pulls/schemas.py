"""Shapes of the token-pulls endpoints of the management API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import StrictBool

from evroam.api.schemas import CamelModel, RequestModel


class TokenPullRequest(RequestModel):
    # True: the whole list, and tokens it no longer lists are marked invalid; false: the changes since
    # the start of the last successful pull.
    full: StrictBool


class TokenPullOut(CamelModel):
    id: int
    full: bool
    requested_by: Literal["OPERATOR", "SCHEDULE"]
    status: Literal["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]
    date_from: datetime | None = None
    pages: int
    tokens_seen: int
    tokens_invalidated: int
    tokens_skipped: int
    skipped_problem: str | None = None
    attempts: int
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
