"""Use cases of spot price series: import them, list them, and load what a session needs for pricing.

Each operator keeps its own series (every query is scoped to it): operators buy from different
sources, and one operator's correction must never change another's prices.

An import is checked whole before anything is written: every interval ends after it starts and
lasts at most a day, a zone's intervals do not overlap and share one currency. Then, zone by zone,
the imported intervals replace every stored interval of the zone they overlap (a re-import of
corrected prices, even at another resolution, leaves no stale or overlapping interval behind), and
the tariffs following those zones are announced as changed, as what they publish follows the prices.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.database.paging import PageRequest, paginate
from evroam.database.base import utcnow
from evroam.events import Change, announce
from evroam.tariffs.spot.models import SpotPrice as SpotPriceRow
from evroam.tariffs.models import Tariff
from evroam.tariffs.pricing.errors import PricingInputError, utc_minute
from evroam.tariffs.schemas import SPOT_TYPES, BiddingZone, Currency
from evroam.tariffs.spot.files import parse_entsoe_day_ahead, parse_spot_price_csv
from evroam.tariffs.pricing.spot_prices import InMemorySpotPrices, SpotPrice

MAX_INTERVALS = 100_000  # about three years of quarter hours: more in one import is a mistake
# Day-ahead intervals are 15 to 60 minutes; the bound also limits how far back a lookup must search.
MAX_INTERVAL = timedelta(days=1)
_PRICE_DECIMALS = 8  # what the price column (Numeric(18, 8)) holds exactly
_PRICE_LIMIT = Decimal(10) ** (18 - _PRICE_DECIMALS)
_ZONE = TypeAdapter(BiddingZone)
_CURRENCY = TypeAdapter(Currency)


class SpotImportError(ValueError):
    """An import refused as a whole; `index` is the culprit's position in the import, when one is."""

    def __init__(self, index: int | None, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.index = index
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ZoneImport:
    bidding_zone: str
    currency: str
    intervals: int
    replaced: int
    start: datetime
    end: datetime


def is_xml(content: bytes) -> bool:
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def parse_spot_file(content: bytes, bidding_zone: str | None, *, xml: bool) -> list[SpotPrice]:
    """A CSV file as parse_spot_price_csv reads it, or an ENTSO-E day-ahead document.

    An ENTSO-E document names its zone by EIC code only (10YFI-1--------U), which tariffs cannot
    use, so it needs `bidding_zone`; for a CSV file, `bidding_zone` is a check that it holds no other.
    """
    try:
        if xml:
            if bidding_zone is None:
                raise SpotImportError(None, "biddingZone", "is required for an ENTSO-E document, which names "
                                      "its zone by EIC code only")  # fmt: skip
            return parse_entsoe_day_ahead(content, bidding_zone)
        prices = parse_spot_price_csv(content.decode("utf-8-sig"))  # spreadsheets like to add a BOM
    except UnicodeDecodeError:
        raise SpotImportError(None, "body", "is not UTF-8 text") from None
    except PricingInputError as error:
        raise SpotImportError(None, error.field, error.problem) from None
    for index, price in enumerate(prices):
        if bidding_zone is not None and price.bidding_zone != bidding_zone:
            problem = f"the file holds zone {price.bidding_zone}, not only {bidding_zone}"
            raise SpotImportError(index, "biddingZone", problem)
    return prices


def check_series(prices: Sequence[SpotPrice]) -> dict[str, list[SpotPrice]]:
    """The import by zone, each zone's intervals in order; raises SpotImportError for the first problem."""
    if not prices:
        raise SpotImportError(None, "prices", "holds no price interval")
    if len(prices) > MAX_INTERVALS:
        raise SpotImportError(None, "prices", f"more than {MAX_INTERVALS} intervals in one import")
    by_zone: dict[str, list[tuple[int, SpotPrice]]] = {}
    for index, price in enumerate(prices):
        _check_interval(index, price)
        series = by_zone.setdefault(price.bidding_zone, [])
        if series and series[0][1].currency != price.currency:
            zone_currency = series[0][1].currency
            problem = f"{_interval(price)} is in {price.currency}, other intervals of the zone in {zone_currency}"
            raise SpotImportError(index, "currency", problem + ": one currency per zone")
        series.append((index, price))
    ordered = {}
    for zone, series in by_zone.items():
        series.sort(key=lambda item: item[1].start)
        for (_, earlier), (index, later) in pairwise(series):
            if later.start < earlier.end:
                raise SpotImportError(index, "start", f"{_interval(later)} overlaps {_interval(earlier)}")
        ordered[zone] = [price for _, price in series]
    return ordered


def _check_interval(index: int, price: SpotPrice) -> None:
    for adapter, field, value in ((_ZONE, "biddingZone", price.bidding_zone), (_CURRENCY, "currency", price.currency)):
        try:
            adapter.validate_python(value)
        except ValidationError:
            name = "a bidding zone such as FI, SE3 or DE-LU" if field == "biddingZone" else "an ISO 4217 code"
            raise SpotImportError(index, field, f"{value!r} is not {name}") from None
    if price.end <= price.start:
        raise SpotImportError(index, "end", f"{_interval(price)} does not end after it starts")
    if price.end - price.start > MAX_INTERVAL:
        raise SpotImportError(index, "end", f"{_interval(price)} lasts more than a day")
    if not price.price_per_kwh.is_finite() or abs(price.price_per_kwh) >= _PRICE_LIMIT:
        raise SpotImportError(index, "price", f"{_interval(price)} has a price beyond {_PRICE_LIMIT} per kWh")
    if price.price_per_kwh.normalize().as_tuple().exponent < -_PRICE_DECIMALS:
        raise SpotImportError(index, "price", f"{_interval(price)} has more than {_PRICE_DECIMALS} decimals per kWh")


def _interval(price: SpotPrice) -> str:
    return f"the interval of {price.bidding_zone} starting {utc_minute(price.start)}"


async def import_spot_prices(session: AsyncSession, operator_id: int, prices: Sequence[SpotPrice]) -> list[ZoneImport]:
    by_zone = check_series(prices)
    imported_at = utcnow()
    summaries = []
    for zone, series in sorted(by_zone.items()):
        replaced = 0
        for run_start, run_end in _runs(series):
            result = await session.execute(
                delete(SpotPriceRow).where(
                    SpotPriceRow.operator_id == operator_id,
                    SpotPriceRow.bidding_zone == zone,
                    SpotPriceRow.starts_at > run_start - MAX_INTERVAL,  # keeps the index range bounded
                    SpotPriceRow.starts_at < run_end,
                    SpotPriceRow.ends_at > run_start,
                )
            )
            replaced += result.rowcount
        await session.execute(
            insert(SpotPriceRow),
            [
                {"operator_id": operator_id, "bidding_zone": zone, "starts_at": price.start, "ends_at": price.end,
                 "price_per_kwh": price.price_per_kwh, "currency": price.currency, "imported_at": imported_at}
                for price in series
            ],  # fmt: skip
        )
        summaries.append(ZoneImport(zone, series[0].currency, len(series), replaced, series[0].start, series[-1].end))
    await session.flush()
    following = await _tariffs_following(session, operator_id, by_zone.keys())
    if following:
        await announce(session, Change(operator_id=operator_id, tariff_ids=following))
    await session.commit()
    return summaries


def _runs(series: list[SpotPrice]) -> Iterator[tuple[datetime, datetime]]:
    """The stretches the ordered intervals cover without a gap: a day-ahead file is one."""
    run_start, run_end = series[0].start, series[0].end
    for price in series[1:]:
        if price.start != run_end:
            yield run_start, run_end
            run_start = price.start
        run_end = price.end
    yield run_start, run_end


async def _tariffs_following(session: AsyncSession, operator_id: int, zones: Collection[str]) -> frozenset[str]:
    rows = await session.execute(select(Tariff.id, Tariff.elements).where(Tariff.operator_id == operator_id))
    return frozenset(tariff_id for tariff_id, elements in rows if not spot_zones(elements).isdisjoint(zones))


def spot_zones(elements: Sequence[dict] | None) -> set[str]:
    """The bidding zones a tariff's spot components follow."""
    return {
        component["biddingZone"]
        for element in elements or ()
        for component in element.get("priceComponents") or ()
        if component.get("type") in SPOT_TYPES and component.get("biddingZone")
    }


async def list_spot_prices(
    session: AsyncSession,
    operator_id: int,
    page: PageRequest,
    bidding_zone: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[list[SpotPriceRow], int]:
    """Intervals overlapping [start, end), by zone and time."""
    query = select(SpotPriceRow).where(SpotPriceRow.operator_id == operator_id)
    if bidding_zone is not None:
        query = query.where(SpotPriceRow.bidding_zone == bidding_zone)
    if start is not None:
        query = query.where(SpotPriceRow.ends_at > start)
    if end is not None:
        query = query.where(SpotPriceRow.starts_at < end)
    query = query.order_by(SpotPriceRow.bidding_zone, SpotPriceRow.starts_at)
    return await paginate(session, query, page)


async def spot_source_for(
    session: AsyncSession, operator_id: int, zones: Collection[str], start: datetime, end: datetime
) -> InMemorySpotPrices:
    """The operator's intervals of `zones` covering [start, end] (end included: a locked price at a
    zero-length session's start still needs its interval). A price not stored stays missing, and the
    engine refuses it by zone and hour."""
    if not zones:
        return InMemorySpotPrices(())
    rows = await session.scalars(
        select(SpotPriceRow).where(
            SpotPriceRow.operator_id == operator_id,
            SpotPriceRow.bidding_zone.in_(sorted(zones)),
            SpotPriceRow.starts_at > start - MAX_INTERVAL,  # keeps the index range bounded
            SpotPriceRow.starts_at <= end,
            SpotPriceRow.ends_at > start,
        )
    )
    return InMemorySpotPrices(
        SpotPrice(row.bidding_zone, row.starts_at, row.ends_at, row.price_per_kwh, row.currency) for row in rows
    )
