"""Request and response shapes of /spot-prices: a bidding zone's day-ahead series, priced per kWh.

Zones and currencies are spelled as tariffs spell them (`biddingZone` FI, SE3, DE-LU; ISO 4217), so
a spot component finds its series by name.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from evroam.api.schemas import CamelModel, Instant, RequestModel
from evroam.tariffs.spot.models import SpotPrice as SpotPriceRow
from evroam.tariffs.schemas import BiddingZone, Currency, SignedUnitPrice, UtcTimestamp


class SpotPriceIn(RequestModel):
    start: Instant  # inclusive
    end: Instant  # exclusive
    # negative prices do happen
    price: Annotated[SignedUnitPrice, Field(description="Per kWh, excluding VAT, in `currency`")]


class SpotPricesIn(RequestModel):
    bidding_zone: BiddingZone
    currency: Currency
    prices: Annotated[list[SpotPriceIn], Field(min_length=1)]


class SpotPriceOut(CamelModel):
    bidding_zone: str
    start: UtcTimestamp
    end: UtcTimestamp
    price: Annotated[SignedUnitPrice, Field(description="Per kWh, excluding VAT, in `currency`")]
    currency: str
    imported_at: UtcTimestamp


class ZoneImportOut(CamelModel):
    """What one import stored for one zone; `replaced` counts the stored intervals it superseded."""

    bidding_zone: str
    currency: str
    intervals: int
    replaced: int
    start: UtcTimestamp
    end: UtcTimestamp


class SpotImportOut(CamelModel):
    zones: list[ZoneImportOut]


def spot_price_out(row: SpotPriceRow) -> SpotPriceOut:
    return SpotPriceOut(
        bidding_zone=row.bidding_zone,
        start=row.starts_at,
        end=row.ends_at,
        price=row.price_per_kwh,
        currency=row.currency,
        imported_at=row.imported_at,
    )
