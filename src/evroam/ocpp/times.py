"""OCPP timestamps: read as UTC (chargers that leave out the offset mean UTC, OCPP 1.6 §3.15) and written
with `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ocpp_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def compact(moment: datetime) -> str:
    """For event ids: the moment to the millisecond, short enough for a 64-character id."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.") + f"{moment.microsecond // 1000:03d}Z"
