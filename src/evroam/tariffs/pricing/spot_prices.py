"""Where spot prices come from: the protocol the engine asks, and an in-memory implementation.

A spot price is one interval of a bidding zone's day-ahead series (an hour or a quarter of an
hour), per kWh, in the zone's currency. A database-backed source only needs `spot_price_at`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from evroam.tariffs.pricing.errors import MissingSpotPriceError, utc_minute


@dataclass(frozen=True, slots=True)
class SpotPrice:
    bidding_zone: str
    start: datetime  # inclusive, timezone-aware
    end: datetime  # exclusive
    price_per_kwh: Decimal
    currency: str


class SpotPriceSource(Protocol):
    def spot_price_at(self, bidding_zone: str, moment: datetime) -> SpotPrice:
        """The interval of `bidding_zone` containing `moment`; raises MissingSpotPriceError if none does."""
        ...


class InMemorySpotPrices:
    """Spot prices held in memory, e.g. parsed from a file; looked up by binary search."""

    def __init__(self, prices: Iterable[SpotPrice]) -> None:
        by_zone: dict[str, list[SpotPrice]] = {}
        for price in prices:
            if price.start.tzinfo is None or price.end.tzinfo is None:
                raise ValueError(f"spot price of {price.bidding_zone}: start and end must carry a time zone")
            if price.end <= price.start:
                moment = utc_minute(price.start)
                raise ValueError(f"spot price of {price.bidding_zone} at {moment}: end is not after start")
            by_zone.setdefault(price.bidding_zone, []).append(price)
        self._series = {zone: _without_overlaps(series) for zone, series in by_zone.items()}
        self._starts = {zone: [price.start for price in series] for zone, series in self._series.items()}

    def spot_price_at(self, bidding_zone: str, moment: datetime) -> SpotPrice:
        series = self._series.get(bidding_zone)
        if series is not None:
            position = bisect_right(self._starts[bidding_zone], moment) - 1
            if position >= 0 and moment < series[position].end:
                return series[position]
        raise MissingSpotPriceError(bidding_zone, moment)


def _without_overlaps(series: list[SpotPrice]) -> list[SpotPrice]:
    """Sorted, with exact duplicates dropped (the same file loaded twice); a real conflict is an error."""
    series.sort(key=lambda price: price.start)
    kept: list[SpotPrice] = []
    for price in series:
        if kept and price == kept[-1]:
            continue
        if kept and price.start < kept[-1].end:
            raise ValueError(f"spot prices of {price.bidding_zone} overlap at {utc_minute(price.start)}")
        kept.append(price)
    return kept
