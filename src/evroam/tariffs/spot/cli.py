"""`evroam spot import FILE`: store a spot price file for an operator, as the management API does.

The file is a CSV as parse_spot_price_csv reads it or an ENTSO-E day-ahead document, told apart by
its content. Bad input never shows a traceback: one line on stderr, exit code 2 (as `evroam price`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from evroam.config import Settings, get_settings
from evroam.network.operators import service as operator_service
from evroam.network.operators.models import Operator
from evroam.startup import prepare_database
from evroam.tariffs.spot import service as spot_service
# one failure style for every evroam command that reads files
from evroam.tariffs.cli import fail_with_usage_error
from evroam.tariffs.pricing.errors import utc_minute
from evroam.tariffs.pricing.spot_prices import SpotPrice
from evroam.tariffs.spot.service import SpotImportError, ZoneImport
from evroam.wiring import wired_runtime


def import_spot_prices(
    file: Path = typer.Argument(..., metavar="FILE", help="CSV (bidding_zone,start,end,currency,price_per_kwh or "
                                "price_per_mwh) or ENTSO-E day-ahead XML."),  # fmt: skip
    zone: str | None = typer.Option(
        None, "--zone", help="The zone as tariffs name it (e.g. FI); required for ENTSO-E XML, a check for CSV."
    ),
    operator: int | None = typer.Option(None, "--operator", help="Operator id (default: the configured operator)."),
) -> None:
    """Import spot prices; a re-import replaces the intervals it covers. Prints what was stored per zone."""
    try:
        content = file.read_bytes()
    except OSError as error:
        fail_with_usage_error(f"{file}: cannot be read ({error.strerror or error})")
    try:
        prices = spot_service.parse_spot_file(content, zone, xml=spot_service.is_xml(content))
        zones = asyncio.run(_store(get_settings(), operator, prices))
    except SpotImportError as error:
        # without an interval to blame, a zone problem is the option's: ENTSO-E XML needs --zone
        field = "--zone" if error.field == "biddingZone" and error.index is None else error.field
        fail_with_usage_error(f"{file}: {field}: {error.problem}")
    for imported in zones:
        typer.echo(_summary(imported))


async def _store(settings: Settings, operator_id: int | None, prices: list[SpotPrice]) -> list[ZoneImport]:
    # As in `evroam serve`: tariffs that follow the prices are republished to partners.
    runtime = wired_runtime(settings)
    try:
        await prepare_database(runtime)
        async with runtime.sessions() as session:
            if operator_id is None:
                operator_id = (await operator_service.default_operator(session, settings)).id
            elif await session.get(Operator, operator_id) is None:
                fail_with_usage_error(f"--operator: no operator with id {operator_id}")
            return await spot_service.import_spot_prices(session, operator_id, prices)
    finally:
        await runtime.close()


def _summary(imported: ZoneImport) -> str:
    replaced = f", replacing {imported.replaced}" if imported.replaced else ""
    plural = "" if imported.intervals == 1 else "s"
    return (f"{imported.bidding_zone}: {imported.intervals} interval{plural} stored{replaced}, "
            f"{utc_minute(imported.start)} to {utc_minute(imported.end)} ({imported.currency})")  # fmt: skip
