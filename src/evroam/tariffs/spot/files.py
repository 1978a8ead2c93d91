"""Pure parsers turning spot price files into `SpotPrice` intervals (per kWh).

CSV (comma separated, a header row, extra columns ignored):

    bidding_zone,start,end,currency,price_per_mwh
    FI,2026-11-23T14:00:00Z,2026-11-23T15:00:00Z,EUR,270.00

`start`/`end` are RFC 3339 (no zone designator means UTC, as in OCPI); the price column is
`price_per_kwh` or `price_per_mwh` (exactly one of them).

ENTSO-E day-ahead prices (document type A44, `Publication_MarketDocument`, any schema version):
every `TimeSeries/Period` has a time interval, a resolution (PT60M, PT30M, PT15M, ...) and points
by position. Curve type A01 lists every position; A03 omits a position whose price repeats the one
before, so gaps are filled with the previous point's price. Prices are per MWh and become per kWh.
The document names its zone by EIC code (e.g. `10YFI-1--------U`); pass `bidding_zone` to name it
the way tariffs do (e.g. `FI`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from xml.etree import ElementTree

from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.input import to_datetime, to_decimal, to_whole_number
from evroam.tariffs.pricing.spot_prices import SpotPrice

_KWH_PER_MWH = Decimal(1000)
_PRICE_COLUMNS = {"price_per_kwh": Decimal(1), "price_per_mwh": _KWH_PER_MWH}
_RESOLUTION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?")
# A document's periods are days; a period's interval is walked position by position (and gap-filled
# ones repeat prices), so a period from year 1 to today would be millions of intervals.
_MAX_PERIOD = timedelta(days=366)


def parse_spot_price_csv(text: str) -> list[SpotPrice]:
    try:
        return _csv_prices(text)
    except csv.Error as error:  # a field over the csv module's 128 KiB limit, a NUL byte
        raise PricingInputError("body", f"is not a CSV file evroam can read: {error}") from None


def _csv_prices(text: str) -> list[SpotPrice]:
    rows = csv.DictReader(io.StringIO(text))
    columns = [name.strip() for name in rows.fieldnames or ()]
    missing = [name for name in ("bidding_zone", "start", "end", "currency") if name not in columns]
    price_columns = [name for name in columns if name in _PRICE_COLUMNS]
    if missing or len(price_columns) != 1:
        needed = ", ".join(missing + ([] if len(price_columns) == 1 else ["price_per_kwh or price_per_mwh"]))
        raise PricingInputError("header (line 1)", f"needs the columns {needed}")
    divisor = _PRICE_COLUMNS[price_columns[0]]
    prices = []
    for row in rows:
        values = {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}
        if not any(values.values()):
            continue
        try:
            prices.append(
                SpotPrice(
                    bidding_zone=_non_empty(values, "bidding_zone"),
                    start=to_datetime(values["start"], "start"),
                    end=to_datetime(values["end"], "end"),
                    price_per_kwh=to_decimal(values[price_columns[0]], price_columns[0]) / divisor,
                    currency=_non_empty(values, "currency"),
                )
            )
        except PricingInputError as error:
            raise PricingInputError(f"{error.field} (line {rows.line_num})", error.problem) from None
    return prices


def _non_empty(values: dict[str, str], key: str) -> str:
    if not values.get(key):
        raise PricingInputError(key, "required")
    return values[key]


def parse_entsoe_day_ahead(document: str | bytes, bidding_zone: str | None = None) -> list[SpotPrice]:
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        raise PricingInputError("document", f"not well-formed XML ({error})") from None
    if _local(root.tag) == "Acknowledgement_MarketDocument":  # what ENTSO-E answers when it has no data
        reason = " ".join((element.text or "").strip() for element in root.iter() if _local(element.tag) == "text")
        raise PricingInputError("document", f"ENTSO-E sent no prices: {reason.strip() or 'no reason given'}")
    if _local(root.tag) != "Publication_MarketDocument":
        raise PricingInputError("document", "not an ENTSO-E Publication_MarketDocument")
    prices: list[SpotPrice] = []
    domains: set[str] = set()
    for series_index, series in enumerate(_children(root, "TimeSeries")):
        path = f"TimeSeries[{series_index}]"
        try:
            domain = _text(series, "in_Domain.mRID")
            domains.add(domain)
            unit = _text(series, "price_Measure_Unit.name")
            if unit != "MWH":
                problem = f"prices per {unit} are not supported (MWH expected)"
                raise PricingInputError("price_Measure_Unit.name", problem)
            currency = _text(series, "currency_Unit.name")
            gap_filled = _optional_text(series, "curveType") == "A03"
            for period_index, period in enumerate(_children(series, "Period")):
                try:
                    prices.extend(_period_prices(period, bidding_zone or domain, currency, gap_filled))
                except PricingInputError as error:
                    raise error.within(f"Period[{period_index}]") from None
        except PricingInputError as error:
            raise error.within(path) from None
    if bidding_zone is not None and len(domains) > 1:
        raise PricingInputError("in_Domain.mRID", f"the document covers several zones ({', '.join(sorted(domains))})")
    return prices


def _period_prices(period: ElementTree.Element, zone: str, currency: str, gap_filled: bool) -> Iterator[SpotPrice]:
    interval = _child(period, "timeInterval")
    start = to_datetime(_normalised_minutes(_text(interval, "start")), "timeInterval.start")
    end = to_datetime(_normalised_minutes(_text(interval, "end")), "timeInterval.end")
    if end - start > _MAX_PERIOD:
        raise PricingInputError("timeInterval.end", f"the period lasts more than {_MAX_PERIOD.days} days: split it")
    step = _resolution(_text(period, "resolution"))
    positions, remainder = divmod(end - start, step)
    if remainder or positions <= 0:
        raise PricingInputError("resolution", "does not divide the time interval")
    points: dict[int, Decimal] = {}
    for point in _children(period, "Point"):
        position = to_whole_number(_text(point, "position"), "Point.position")
        points[position] = to_decimal(_text(point, "price.amount"), "Point.price.amount")
    price = None
    for position in range(1, positions + 1):
        if position in points:
            price = points[position]
        elif not gap_filled:
            price = None  # A01 leaves no gaps by design: a missing point is an unknown price
        if price is not None:
            begins = start + (position - 1) * step
            yield SpotPrice(zone, begins, begins + step, price / _KWH_PER_MWH, currency)


def _resolution(value: str) -> timedelta:
    found = _RESOLUTION.fullmatch(value)
    if not found or not any(found.groups()):
        raise PricingInputError("resolution", f"unsupported resolution {value!r}")
    return timedelta(hours=int(found[1] or 0), minutes=int(found[2] or 0))


def _normalised_minutes(value: str) -> str:
    """ENTSO-E writes `2026-11-22T23:00Z`; RFC 3339 wants the seconds."""
    return value[:-1] + ":00Z" if len(value) == 17 and value.endswith("Z") else value


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(parent: ElementTree.Element, name: str) -> Iterator[ElementTree.Element]:
    return (child for child in parent if _local(child.tag) == name)


def _child(parent: ElementTree.Element, name: str) -> ElementTree.Element:
    found = next(_children(parent, name), None)
    if found is None:
        raise PricingInputError(name, "required")
    return found


def _optional_text(parent: ElementTree.Element, name: str) -> str | None:
    found = next(_children(parent, name), None)
    return None if found is None or not (found.text or "").strip() else found.text.strip()


def _text(parent: ElementTree.Element, name: str) -> str:
    value = _optional_text(parent, name)
    if value is None:
        raise PricingInputError(name, "required")
    return value
