"""`evroam price`: price a CDR under a tariff, both read from JSON files, and print the result.

Bad input never shows a traceback: one line on stderr naming the field or option, exit code 2
(the code command-line tools use for usage errors, as typer does for its own).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import typer

from evroam.tariffs.pricing.engine import price_cdr
from evroam.tariffs.pricing.errors import MissingSpotPriceError, PricingInputError
from evroam.tariffs.spot.files import parse_entsoe_day_ahead, parse_spot_price_csv
from evroam.tariffs.pricing.spot_prices import InMemorySpotPrices

BAD_INPUT_EXIT_CODE = 2


def price(
    tariff: Path = typer.Option(..., "--tariff", help="Tariff JSON: OCPI 2.2.1, OCPI 2.1.1 or evroam's own shape."),
    cdr: Path = typer.Option(..., "--cdr", help="CDR JSON: OCPI 2.2.1 (or 2.1.1 field names)."),
    time_zone: str | None = typer.Option(
        None, "--time-zone", help="IANA time zone of the location (default: from the CDR's location)."
    ),
    spot_prices: Path | None = typer.Option(
        None, "--spot-prices", help="Spot prices for spot tariffs: evroam CSV or ENTSO-E day-ahead XML."
    ),
    bidding_zone: str | None = typer.Option(
        None, "--bidding-zone", help="The tariff's name for the zone of an ENTSO-E file (default: its EIC code)."
    ),
) -> None:
    """Price a CDR under a tariff; print the CDR cost fields, line items and warnings as JSON.

    Each charging period bills the volumes it states; what no period states comes from the CDR's totals;
    `warnings` names each disagreement between the periods' volumes, their start times and the totals.
    """
    tariff_json = _read_json(tariff, "--tariff")
    cdr_json = _read_json(cdr, "--cdr")
    source = None if spot_prices is None else _spot_prices(spot_prices, bidding_zone)
    try:
        result = price_cdr(tariff_json, cdr_json, time_zone, spot_prices=source)
    except (PricingInputError, MissingSpotPriceError) as error:
        fail_with_usage_error(str(error))
    typer.echo(json.dumps(result))


def _read_json(path: Path, option: str) -> Any:
    try:
        return json.loads(_read_text(path, option), parse_float=_json_fraction)
    except json.JSONDecodeError as error:
        fail_with_usage_error(f"{option}: {path} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})")


def _json_fraction(text: str) -> Decimal | float:
    """A JSON number with a fraction or exponent as the decimal it is written as: 2.000 keeps its three
    decimals, which say how far a stated volume may be rounded (see pricing/cdr_statement.py). One beyond
    the range of a float stays the float infinity, which pricing refuses by name."""
    approximate = float(text)
    return Decimal(text) if approximate - approximate == 0 else approximate


def _read_text(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail_with_usage_error(f"{option}: {path} is not UTF-8 text")
    except OSError as error:
        fail_with_usage_error(f"{option}: cannot read {path} ({error.strerror or error})")


def _spot_prices(path: Path, bidding_zone: str | None) -> InMemorySpotPrices:
    text = _read_text(path, "--spot-prices")
    try:
        if text.lstrip().startswith("<"):
            return InMemorySpotPrices(parse_entsoe_day_ahead(text.encode("utf-8"), bidding_zone))
        return InMemorySpotPrices(parse_spot_price_csv(text))
    except ValueError as error:  # PricingInputError, or overlapping intervals
        fail_with_usage_error(f"--spot-prices: {error}")


def fail_with_usage_error(message: str) -> NoReturn:
    typer.echo(" ".join(message.split()), err=True)  # one line, whatever the message holds
    raise typer.Exit(BAD_INPUT_EXIT_CODE)
