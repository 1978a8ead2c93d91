"""Shared helpers of the pricing tests: where the reference vectors live, and small builders."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("EVROAM_SHARED_DIR") or REPO_ROOT.parent / "shared")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOUR_DECIMALS = Decimal("0.0001")


def load_vectors() -> list[dict[str, Any]]:
    path = SHARED_DIR / "ocpi-vectors" / "tariff-vectors.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: set EVROAM_SHARED_DIR to the shared reference folder")
    return json.loads(path.read_text(encoding="utf-8"))["vectors"]


def dec(value: Any) -> Decimal:
    """A JSON number as the decimal it was written as."""
    return Decimal(str(value))


def at_4(value: Any) -> Decimal:
    return dec(value).quantize(FOUR_DECIMALS, ROUND_HALF_UP)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cdr(periods: list[dict[str, Any]], end: datetime, **fields: Any) -> dict[str, Any]:
    """A minimal OCPI 2.2.1 CDR around the given charging periods."""
    return {
        "country_code": "DE",
        "party_id": "EVR",
        "id": "CDR-1",
        "currency": "EUR",
        "start_date_time": periods[0]["start_date_time"],
        "end_date_time": stamp(end),
        "charging_periods": periods,
        **fields,
    }


def period(start: datetime, **volumes: Any) -> dict[str, Any]:
    return {"start_date_time": stamp(start), "dimensions": [{"type": kind, "volume": v} for kind, v in volumes.items()]}


def energy_tariff(price: float = 0.25, vat: float | None = 10.0, step_size: int = 1, **fields: Any) -> dict[str, Any]:
    component: dict[str, Any] = {"type": "ENERGY", "price": price, "step_size": step_size}
    if vat is not None:
        component["vat"] = vat
    return {
        "country_code": "DE",
        "party_id": "EVR",
        "id": "T-ENERGY",
        "currency": "EUR",
        "elements": [{"price_components": [component]}],
        "last_updated": "2026-01-01T00:00:00Z",
        **fields,
    }
