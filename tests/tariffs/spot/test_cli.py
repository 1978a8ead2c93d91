"""`evroam spot import FILE` against the test database on both engines: what it stores and prints,
re-imports, and bad files as one line on stderr with exit code 2."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from evroam.cli import app
from evroam.config import get_settings
from evroam.network.operators.models import Operator
from evroam.tariffs.spot.models import SpotPrice as SpotPriceRow
from tests.conftest import TEST_SECRET_KEY
from tests.tariffs.pricing_support import FIXTURES

HOURLY_XML = FIXTURES / "entsoe_day_ahead_fi_pt60m_a01.xml"
QUARTER_XML = FIXTURES / "entsoe_day_ahead_fi_pt15m_a03.xml"
FI_SE3_CSV = FIXTURES / "spot_prices_fi_se3.csv"


@pytest.fixture
def configured(runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The command's settings come from the environment, as for `evroam` in a shell."""
    monkeypatch.setenv("EVROAM_DATABASE_URL", database_url)
    monkeypatch.setenv("EVROAM_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("EVROAM_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield runtime
    get_settings.cache_clear()


async def spot(*args: str | Path):
    # The command runs its own event loop (asyncio.run), so it cannot run on the test's.
    return await asyncio.to_thread(CliRunner().invoke, app, ["spot", "import", *map(str, args)])


async def rows(runtime, operator_id: int | None = None) -> list[tuple[int, str, str, str]]:
    async with runtime.sessions() as session:
        query = select(SpotPriceRow).order_by(
            SpotPriceRow.operator_id, SpotPriceRow.bidding_zone, SpotPriceRow.starts_at
        )
        if operator_id is not None:
            query = query.where(SpotPriceRow.operator_id == operator_id)
        found = (await session.scalars(query)).all()
    return [(row.operator_id, row.bidding_zone, row.starts_at.isoformat(), str(row.price_per_kwh.normalize()))
            for row in found]  # fmt: skip


def failed(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


async def test_csv_is_stored_for_the_configured_operator(configured):
    result = await spot(FI_SE3_CSV)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "FI: 2 intervals stored, 2026-11-23T13:00Z to 2026-11-23T15:00Z (EUR)",
        "SE3: 1 interval stored, 2026-11-23T12:00Z to 2026-11-23T13:00Z (SEK)",
    ]
    stored = await rows(configured)
    assert [(zone, start, price) for _, zone, start, price in stored] == [
        ("FI", "2026-11-23T13:00:00+00:00", "0.0963"),
        ("FI", "2026-11-23T14:00:00+00:00", "0.27"),
        ("SE3", "2026-11-23T12:00:00+00:00", "1.0125"),
    ]
    async with configured.sessions() as session:
        default = await session.scalar(select(Operator.id).where(Operator.party_id == "EVR"))
    assert {operator for operator, *_ in stored} == {default}


async def test_xml_needs_the_zone_and_reimport_replaces(configured):
    failed(await spot(HOURLY_XML), "--zone", "ENTSO-E")
    hourly = await spot(HOURLY_XML, "--zone", "FI")
    assert hourly.exit_code == 0, hourly.output
    assert hourly.stdout.strip() == "FI: 24 intervals stored, 2026-11-22T23:00Z to 2026-11-23T23:00Z (EUR)"
    quarters = await spot(QUARTER_XML, "--zone", "FI")
    assert quarters.stdout.strip() == (
        "FI: 96 intervals stored, replacing 24, 2026-11-22T23:00Z to 2026-11-23T23:00Z (EUR)")  # fmt: skip
    stored = await rows(configured)
    assert len(stored) == 96
    assert [price for _, _, start, price in stored if start.startswith("2026-11-23T13:")] == [
        "0.2104", "0.265", "0.265", "0.265"]  # fmt: skip


async def test_operator_option(configured):
    async with configured.sessions() as session:
        other = await session.scalar(select(Operator.id).where(Operator.party_id == "OTH"))
    result = await spot(FI_SE3_CSV, "--operator", str(other))
    assert result.exit_code == 0, result.output
    assert {operator for operator, *_ in await rows(configured)} == {other}
    failed(await spot(FI_SE3_CSV, "--operator", "999"), "--operator", "999")


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("zone,start\nFI,x\n", ("header (line 1)", "bidding_zone")),
        ("bidding_zone,start,end,currency,price_per_kwh\n"
         "FI,2026-11-23T13:00:00Z,2026-11-23T14:00:00Z,EUR,0.1\nFI,2026-11-23T13:30:00Z,2026-11-23T14:30:00Z,EUR,0.1\n",
         ("start:", "overlaps")),
        ("bidding_zone,start,end,currency,price_per_kwh\nFI,2026-11-23T14:00:00Z,2026-11-23T13:00:00Z,EUR,0.1\n",
         ("end:", "does not end after it starts")),
        ("bidding_zone,start,end,currency,price_per_kwh\nFI,2026-11-23T13:00:00Z,2026-11-23T14:00:00Z,euro,0.1\n",
         ("currency:", "ISO 4217")),
        ("<Publication_MarketDocument><TimeSeries>", ("--zone",)),
        ("bidding_zone,start,end,currency,price_per_kwh\n", ("prices:", "no price interval")),
    ],
)
async def test_bad_file_is_one_line_and_exit_code_2(configured, tmp_path, content, fragments):
    path = tmp_path / "prices.txt"
    path.write_text(content, encoding="utf-8")
    failed(await spot(path), str(path), *fragments)
    assert await rows(configured) == []


async def test_bad_xml_unreadable_file_and_bad_zone(configured, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<Publication_MarketDocument><TimeSeries>", encoding="utf-8")
    failed(await spot(broken, "--zone", "FI"), "document:", "not well-formed")
    failed(await spot(tmp_path / "missing.csv"), "missing.csv", "cannot be read")
    failed(await spot(HOURLY_XML, "--zone", "fi"), "'fi' is not a bidding zone")
    failed(await spot(FI_SE3_CSV, "--zone", "FI"), "SE3")
    assert await rows(configured) == []
