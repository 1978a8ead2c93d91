"""Spot components (evroam extension, emabler-reference.md "Tariffs").

ENERGY_SPOT follows the market: a period is cut at the spot series' interval boundaries and its
energy shared between the pieces pro rata by time (all we know is the period's total). ENERGY_SPOT_LOCKED
takes the spot price of the moment the charging session starts, for the whole session.

From spot price to price per kWh:

    capped = min(spot, cap) + cost_percentage/100 * max(0, spot - cap)     (no cap: capped = spot)
    price  = capped * (1 + margin_percentage/100) + margin

A negative spot price is passed on as it is: the rule above says nothing about a floor.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from evroam.tariffs.pricing.charges import Charge
from evroam.tariffs.pricing.errors import MissingSpotPriceError, PricingInputError
from evroam.tariffs.pricing.model import ZERO, SpotRule
from evroam.tariffs.pricing.spot_prices import SpotPrice, SpotPriceSource

_HUNDRED = Decimal(100)
_MICROSECOND = timedelta(microseconds=1)


def spot_unit_price(rule: SpotRule, spot: Decimal) -> Decimal:
    capped = spot
    if rule.price_cap is not None and spot > rule.price_cap:
        capped = rule.price_cap + rule.cost_percentage / _HUNDRED * (spot - rule.price_cap)
    return capped * (1 + rule.margin_percentage / _HUNDRED) + rule.margin


def price_spot_charges(
    charges: list[Charge], source: SpotPriceSource | None, currency: str, session_start: datetime | None
) -> list[Charge]:
    """The charges with every spot ENERGY charge given its spot price, split where the price changes."""
    priced: list[Charge] = []
    for charge in charges:
        rule = charge.component.spot
        if rule is None:
            priced.append(charge)
        elif rule.locked:
            locked_at = session_start or charge.start
            charge.spot_price = _spot_price(source, rule.bidding_zone, locked_at, currency).price_per_kwh
            priced.append(charge)
        else:
            priced.extend(_split_at_price_changes(charge, source, currency))
    return priced


def _split_at_price_changes(charge: Charge, source: SpotPriceSource | None, currency: str) -> list[Charge]:
    zone = charge.component.spot.bidding_zone
    end = charge.start + timedelta(seconds=charge.duration_s)
    pieces: list[tuple[datetime, datetime, Decimal]] = []
    moment = charge.start
    while True:
        spot = _spot_price(source, zone, moment, currency)
        piece_end = min(end, spot.end)
        pieces.append((moment, piece_end, spot.price_per_kwh))
        if piece_end >= end:
            break
        moment = piece_end
    if len(pieces) == 1:
        charge.spot_price = pieces[0][2]
        return [charge]
    whole = Decimal((end - charge.start) // _MICROSECOND)
    split: list[Charge] = []
    shared = ZERO
    for position, (begins, ends, price) in enumerate(pieces):
        if position == len(pieces) - 1:
            energy = charge.consumed - shared  # the rest, so the pieces add up exactly
        else:
            energy = charge.consumed * Decimal((ends - begins) // _MICROSECOND) / whole
            shared += energy
        seconds = (ends - begins) // timedelta(seconds=1)
        piece = Charge(charge.dimension, charge.cost_field, charge.period_index, begins, seconds, charge.element_index,
                       charge.component, energy)  # fmt: skip
        piece.spot_price = price
        split.append(piece)
    return split


def _spot_price(source: SpotPriceSource | None, zone: str, moment: datetime, currency: str) -> SpotPrice:
    if source is None:
        raise MissingSpotPriceError(zone, None)
    spot = source.spot_price_at(zone, moment)
    if spot.currency != currency:
        problem = f"the tariff is in {currency} but the spot prices of {zone} are in {spot.currency}"
        raise PricingInputError("currency", problem)
    return spot
