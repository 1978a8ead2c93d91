"""`price_cdr` parses a tariff once per content: same content, same plan; other content never hits it."""

from __future__ import annotations

import copy
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from evroam.tariffs.pricing import tariff_cache as pricing_tariff_cache
from evroam.tariffs.pricing.engine import price_cdr
from evroam.tariffs.pricing.errors import PricingInputError
from evroam.tariffs.pricing.tariff_cache import (
    CAPACITY,
    cached_tariff,
    clear_tariff_cache,
    plan_of,
    tariff_plan,
)
from evroam.tariffs.pricing.parsing import parse_tariff
from tests.tariffs.pricing_support import cdr, energy_tariff, period

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SESSION = cdr([period(START, ENERGY=10, TIME=1)], START + timedelta(hours=1))


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    clear_tariff_cache()


def energy_cost(tariff: Any) -> float:
    return price_cdr(tariff, SESSION, "Europe/Berlin")["total_energy_cost"]["excl_vat"]


def test_the_same_content_is_parsed_once() -> None:
    """A CPO's tariff decoded afresh for every CDR: equal content, not the same object."""
    first = tariff_plan(energy_tariff())
    assert tariff_plan(copy.deepcopy(energy_tariff())) is first


def test_changed_content_is_parsed_again() -> None:
    tariff = energy_tariff(price=0.25)
    assert energy_cost(tariff) == 2.5
    tariff["elements"][0]["price_components"][0]["price"] = 0.30  # the same dict, edited in place
    assert energy_cost(tariff) == 3.0


@pytest.mark.parametrize(
    ("path", "look_alike", "field"),
    [
        (("elements",), lambda elements: tuple(elements), "tariff.elements"),  # JSON would write a tuple as an array
        (("elements", 0, "price_components", 0, "vat"), lambda _: math.nan,
         "tariff.elements[0].price_components[0].vat"),
        (("min_price",), lambda _: math.inf, "tariff.min_price"),  # JSON would write NaN and infinity as null
    ],
)
def test_a_look_alike_of_a_cached_tariff_is_still_refused(path: tuple, look_alike: Any, field: str) -> None:
    valid = energy_tariff(vat=None, min_price=None)
    valid["elements"][0]["price_components"][0]["vat"] = None  # null: no VAT
    assert energy_cost(valid) == 2.5
    invalid = copy.deepcopy(valid)
    parent = invalid
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = look_alike(parent[path[-1]])
    with pytest.raises(PricingInputError) as refused:
        price_cdr(invalid, SESSION, "Europe/Berlin")
    assert refused.value.field == field


def test_content_marshal_cannot_write_is_parsed_every_time() -> None:
    """A Decimal price or a read-only mapping: priced all the same, just not cached."""
    with_decimal = energy_tariff()
    with_decimal["elements"][0]["price_components"][0]["price"] = Decimal("0.25")
    assert energy_cost(with_decimal) == 2.5
    assert energy_cost(MappingProxyType(energy_tariff(price=0.30))) == 3.0
    assert tariff_plan(with_decimal) is not tariff_plan(with_decimal)


def test_bad_tariffs_are_not_cached() -> None:
    bad = energy_tariff(currency=None)
    for _ in range(2):
        with pytest.raises(PricingInputError, match="tariff.currency: required"):
            price_cdr(bad, SESSION, "Europe/Berlin")
    assert not len(pricing_tariff_cache._by_content)


def test_the_least_recently_used_tariff_leaves_first() -> None:
    tariffs = [energy_tariff(id=f"T-{number}") for number in range(CAPACITY + 1)]
    plans = [tariff_plan(tariff) for tariff in tariffs[:CAPACITY]]
    assert tariff_plan(tariffs[0]) is plans[0]  # used again: now the most recent
    tariff_plan(tariffs[CAPACITY])  # one too many: T-1, the least recently used, leaves
    assert len(pricing_tariff_cache._by_content) == CAPACITY
    assert tariff_plan(tariffs[0]) is plans[0]
    assert tariff_plan(tariffs[2]) is plans[2]
    assert tariff_plan(tariffs[1]) is not plans[1]


def test_a_parsed_tariff_keeps_its_plan() -> None:
    """price_session given the same Tariff object again, as from cached_tariff, does not plan it again."""
    tariff = cached_tariff(energy_tariff())
    assert tariff is cached_tariff(energy_tariff())
    assert plan_of(tariff) is tariff_plan(energy_tariff())
    assert plan_of(parse_tariff(energy_tariff())) is not plan_of(tariff)


def test_threads_share_the_cache_safely() -> None:
    """More tariffs than the cache holds, priced from several threads: each CDR gets its own tariff's price."""
    prices = [round(0.01 * number, 2) for number in range(1, CAPACITY + 45)]

    def price_all(offset: int) -> list[tuple[float, float]]:
        ordered = prices[offset:] + prices[:offset]
        return [(price, energy_cost(energy_tariff(price=price))) for price in ordered]

    with ThreadPoolExecutor(max_workers=4) as pool:
        priced = [pair for pairs in pool.map(price_all, range(0, 40, 5)) for pair in pairs]
    assert all(cost == round(price * 10, 4) for price, cost in priced)
    assert len(pricing_tariff_cache._by_content) == CAPACITY


def test_unit_price_and_vat_follow_an_edit_in_place() -> None:
    """The output keeps floats of a tariff's prices and VAT rates: they must follow the content, never the dict."""
    tariff = energy_tariff(price=0.25, vat=10.0)
    first = price_cdr(tariff, SESSION, "Europe/Berlin")["line_items"][0]
    component = tariff["elements"][0]["price_components"][0]
    component["price"], component["vat"] = 0.30, 21.0  # the same dict, edited in place
    second = price_cdr(tariff, SESSION, "Europe/Berlin")["line_items"][0]
    assert (first["unit_price"], first["vat"]) == (0.25, 10.0)
    assert (second["unit_price"], second["vat"], second["cost"]) == (0.30, 21.0, {"excl_vat": 3.0, "incl_vat": 3.63})


def test_each_tariff_writes_its_own_rates_after_others_were_evicted() -> None:
    """More tariffs than either cache keeps, each priced twice: parsed tariffs leave and their Decimals go,
    but no tariff is ever written with another one's unit price or VAT rate."""
    rates = [(round(0.01 * number, 2), float(number % 25)) for number in range(1, 2 * CAPACITY + 90)]
    for _ in range(2):
        for price, vat in rates:
            line = price_cdr(energy_tariff(id=f"T-{price}", price=price, vat=vat), SESSION, "Europe/Berlin")
            assert (line["line_items"][0]["unit_price"], line["line_items"][0]["vat"]) == (price, vat)
