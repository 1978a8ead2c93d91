"""spot_service on both engines: checks before writing, replacement on re-import, operator isolation,
what is loaded for pricing, and the tariffs announced as changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from evroam.database.paging import PageRequest
from evroam.events import Change
from evroam.network.operators.models import Operator
from evroam.tariffs.spot import service as spot_service
from evroam.tariffs.spot.models import SpotPrice as SpotPriceRow
from evroam.tariffs.models import Tariff
from evroam.tariffs.pricing.errors import MissingSpotPriceError
from evroam.tariffs.pricing.spot_prices import SpotPrice
from evroam.tariffs.spot.service import SpotImportError
from tests.tariffs.pricing_support import FIXTURES

DAY = datetime(2026, 11, 23, tzinfo=UTC)
PAGE = PageRequest(page=1, limit=100)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def hourly(zone: str, first_hour: int, *prices: str, currency: str = "EUR") -> list[SpotPrice]:
    return [
        SpotPrice(zone, at(first_hour + offset), at(first_hour + offset + 1), Decimal(price), currency)
        for offset, price in enumerate(prices)
    ]


async def operator_ids(runtime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        ids = (await session.scalars(select(Operator.id).order_by(Operator.id))).all()
    return ids[0], ids[1]


async def stored(runtime, operator_id: int, zone: str = "FI") -> list[tuple[datetime, datetime, Decimal]]:
    async with runtime.sessions() as session:
        rows, _ = await spot_service.list_spot_prices(session, operator_id, PAGE, zone)
    return [(row.starts_at, row.ends_at, row.price_per_kwh) for row in rows]


async def store(runtime, operator_id: int, prices: list[SpotPrice]) -> list[spot_service.ZoneImport]:
    async with runtime.sessions() as session:
        return await spot_service.import_spot_prices(session, operator_id, prices)


async def test_import_stores_and_summarises_per_zone(runtime):
    operator, _ = await operator_ids(runtime)
    prices = hourly("FI", 13, "0.0963", "0.27") + hourly("SE3", 12, "1.0125", currency="SEK")
    summary = await store(runtime, operator, prices)
    assert [(z.bidding_zone, z.currency, z.intervals, z.replaced, z.start, z.end) for z in summary] == [
        ("FI", "EUR", 2, 0, at(13), at(15)),
        ("SE3", "SEK", 1, 0, at(12), at(13)),
    ]
    assert await stored(runtime, operator) == [(at(13), at(14), Decimal("0.0963")), (at(14), at(15), Decimal("0.27"))]


async def test_reimport_replaces_what_it_overlaps_even_at_another_resolution(runtime):
    operator, _ = await operator_ids(runtime)
    await store(runtime, operator, hourly("FI", 12, "0.10", "0.20", "0.30"))
    corrected = [SpotPrice("FI", at(13, 15 * q), at(13, 15 * (q + 1)), Decimal("0.25"), "EUR") for q in range(4)]
    summary = await store(runtime, operator, corrected)
    assert summary[0].replaced == 1, "only the 13:00 hour overlaps the corrected quarter hours"
    rows = await stored(runtime, operator)
    assert [(start, price) for start, _, price in rows] == [
        (at(12), Decimal("0.10")),
        (at(13), Decimal("0.25")), (at(13, 15), Decimal("0.25")), (at(13, 30), Decimal("0.25")),
        (at(13, 45), Decimal("0.25")),
        (at(14), Decimal("0.30")),
    ]  # fmt: skip
    again = await store(runtime, operator, hourly("FI", 13, "0.31"))
    assert again[0].replaced == 4
    assert [price for _, _, price in await stored(runtime, operator)] == [Decimal(p) for p in ("0.10", "0.31", "0.30")]


async def test_reimport_with_a_gap_keeps_the_interval_in_the_gap(runtime):
    operator, _ = await operator_ids(runtime)
    await store(runtime, operator, hourly("FI", 12, "0.10", "0.20", "0.30"))
    summary = await store(runtime, operator, hourly("FI", 12, "0.11") + hourly("FI", 14, "0.33"))
    assert summary[0].replaced == 2
    assert [price for _, _, price in await stored(runtime, operator)] == [Decimal(p) for p in ("0.11", "0.20", "0.33")]


@pytest.mark.parametrize(
    ("prices", "index", "field", "fragment"),
    [
        ([SpotPrice("FI", at(14), at(14), Decimal("0.1"), "EUR")], 0, "end", "does not end after it starts"),
        ([SpotPrice("FI", at(14), at(13), Decimal("0.1"), "EUR")], 0, "end", "2026-11-23T14:00Z"),
        ([SpotPrice("FI", at(0), at(0) + timedelta(days=2), Decimal("0.1"), "EUR")], 0, "end", "more than a day"),
        (hourly("FI", 13, "0.1") + [SpotPrice("FI", at(13, 30), at(14, 30), Decimal("0.1"), "EUR")], 1, "start",
         "overlaps the interval of FI starting 2026-11-23T13:00Z"),
        (hourly("FI", 13, "0.1") * 2, 1, "start", "overlaps"),
        (hourly("FI", 13, "0.1") + hourly("FI", 14, "1.0", currency="SEK"), 1, "currency", "one currency per zone"),
        (hourly("FI", 13, "0.1", currency="eur"), 0, "currency", "ISO 4217"),
        (hourly("10YFI-1--------U", 13, "0.1"), 0, "biddingZone", "is not a bidding zone"),
        (hourly("FI", 13, "0.123456789"), 0, "price", "more than 8 decimals"),
        (hourly("FI", 13, "12345678901"), 0, "price", "beyond"),
    ],
)
async def test_bad_series_is_refused_whole(runtime, prices, index, field, fragment):
    operator, _ = await operator_ids(runtime)
    good_other_zone = hourly("SE3", 10, "1.0", currency="SEK")
    with pytest.raises(SpotImportError) as refused:
        await store(runtime, operator, prices + good_other_zone)
    assert (refused.value.index, refused.value.field) == (index, field)
    assert fragment in refused.value.problem
    async with runtime.sessions() as session:
        assert (await session.scalars(select(SpotPriceRow))).all() == [], "nothing is half-written"


async def test_empty_import_is_refused(runtime):
    operator, _ = await operator_ids(runtime)
    with pytest.raises(SpotImportError, match="holds no price interval"):
        await store(runtime, operator, [])


async def test_each_operator_keeps_its_own_series(runtime):
    operator, other = await operator_ids(runtime)
    await store(runtime, operator, hourly("FI", 13, "0.10"))
    summary = await store(runtime, other, hourly("FI", 13, "0.99"))
    assert summary[0].replaced == 0, "another operator's interval is never replaced"
    assert await stored(runtime, operator) == [(at(13), at(14), Decimal("0.10"))]
    assert await stored(runtime, other) == [(at(13), at(14), Decimal("0.99"))]
    async with runtime.sessions() as session:
        source = await spot_service.spot_source_for(session, operator, {"FI"}, at(13), at(14))
    assert source.spot_price_at("FI", at(13, 30)).price_per_kwh == Decimal("0.10")


async def test_source_loads_the_intervals_covering_the_window_and_nothing_is_zero(runtime):
    operator, _ = await operator_ids(runtime)
    await store(runtime, operator, hourly("FI", 10, "0.10", "0.20", "0.30", "0.40") + hourly("SE3", 11, "2.0",
                currency="SEK"))  # fmt: skip
    async with runtime.sessions() as session:
        source = await spot_service.spot_source_for(session, operator, {"FI"}, at(11, 30), at(12, 30))
        locked = await spot_service.spot_source_for(session, operator, {"FI"}, at(13), at(13))
        nothing = await spot_service.spot_source_for(session, operator, set(), at(11), at(12))
    assert source.spot_price_at("FI", at(11, 30)).price_per_kwh == Decimal("0.20")
    assert source.spot_price_at("FI", at(12, 59)).price_per_kwh == Decimal("0.30")
    for zone, moment in (("FI", at(10, 59)), ("FI", at(13)), ("SE3", at(11, 30))):
        with pytest.raises(MissingSpotPriceError, match=f"bidding zone {zone}"):
            source.spot_price_at(zone, moment)
    assert locked.spot_price_at("FI", at(13)).price_per_kwh == Decimal("0.40"), "a zero-length window has its price"
    with pytest.raises(MissingSpotPriceError, match="no spot price for bidding zone FI at 2026-11-23T11:00Z"):
        nothing.spot_price_at("FI", at(11))


async def test_tariffs_following_the_zone_are_announced(runtime):
    operator, _ = await operator_ids(runtime)
    async with runtime.sessions() as session:
        session.add_all([
            Tariff(id="spot-fi", operator_id=operator, name="FI spot", currency="EUR",
                   elements=[{"priceComponents": [{"type": "ENERGY_SPOT_LOCKED", "biddingZone": "FI"}]}]),
            Tariff(id="spot-se3", operator_id=operator, name="SE3 spot", currency="SEK",
                   elements=[{"priceComponents": [{"type": "ENERGY_SPOT", "biddingZone": "SE3"}]}]),
            Tariff(id="fixed", operator_id=operator, name="Fixed", currency="EUR",
                   elements=[{"priceComponents": [{"type": "ENERGY", "price": "0.25"}]}]),
        ])  # fmt: skip
        await session.commit()
    seen: list[Change] = []

    async def record(_session, change: Change) -> None:
        seen.append(change)

    runtime.subscribe(record)
    try:
        await store(runtime, operator, hourly("FI", 13, "0.10"))
        await store(runtime, operator, hourly("DK1", 13, "0.10"))
    finally:
        runtime.unsubscribe(record)
    assert seen == [Change(operator_id=operator, tariff_ids=frozenset({"spot-fi"}))], "nothing follows DK1"


def test_parse_spot_file_tells_the_formats_apart_and_needs_a_zone_for_xml():
    xml = (FIXTURES / "entsoe_day_ahead_fi_pt60m_a01.xml").read_bytes()
    csv = (FIXTURES / "spot_prices_fi_se3.csv").read_bytes()
    assert spot_service.is_xml(xml) and not spot_service.is_xml(csv)
    assert spot_service.is_xml(b"\xef\xbb\xbf  <?xml version='1.0'?><a/>")
    prices = spot_service.parse_spot_file(xml, "FI", xml=True)
    assert len(prices) == 24 and {price.bidding_zone for price in prices} == {"FI"}
    with pytest.raises(SpotImportError) as missing_zone:
        spot_service.parse_spot_file(xml, None, xml=True)
    assert (missing_zone.value.index, missing_zone.value.field) == (None, "biddingZone")
    with pytest.raises(SpotImportError) as other_zone:
        spot_service.parse_spot_file(csv, "FI", xml=False)
    assert other_zone.value.field == "biddingZone" and "SE3" in other_zone.value.problem
    with_bom = spot_service.parse_spot_file(b"\xef\xbb\xbf" + csv, None, xml=False)
    assert len(with_bom) == 3
    with pytest.raises(SpotImportError, match="not UTF-8"):
        spot_service.parse_spot_file(b"bidding_zone,start\n\xff\xfe", None, xml=False)
    with pytest.raises(SpotImportError) as broken:
        spot_service.parse_spot_file(b"<Publication_MarketDocument>", "FI", xml=True)
    assert broken.value.field == "document" and "not well-formed" in broken.value.problem
