"""Tariffs parsed once per content: a CPO prices thousands of CDRs under a handful of tariffs.

The key is the tariff's whole content, so a hit returns exactly what parsing that content again
would: nothing can go stale, and there is nothing to invalidate. The content is written with
`marshal`, not as JSON text: JSON would merge values the parser tells apart (NaN and infinity
become `null`, a tuple becomes an array, a str subclass a string), so a cached valid tariff could
answer for an invalid one. marshal keeps every type distinct and refuses anything but plain
built-in values; content it refuses (a Mapping that is not a dict, a Decimal) is parsed on every
call. Format version 2, because later versions write an object shared elsewhere (a string the
parsed tariff kept) as a back-reference: the same content would get another key. The same tariff
with its keys in another order is a miss, never a wrong hit.

A parsed `Tariff` (immutable) from cached_tariff, or given to price_session, also keeps its plan
while the same object is priced again. Only successful parses are kept: bad input raises every
time. Each cache holds at most CAPACITY tariffs, the least recently used leaving first.
"""

from __future__ import annotations

import marshal
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from threading import Lock
from typing import Any

from evroam.tariffs.pricing.model import Tariff
from evroam.tariffs.pricing.plan import TariffPlan
from evroam.tariffs.pricing.parsing import parse_tariff

CAPACITY = 256
_MARSHAL_VERSION = 2  # content only: no back-references, whose use depends on reference counts


class _LeastRecentlyUsed:
    """Thread-safe: pricing may run in several threads (a web server's worker pool). Changes take the
    lock, so that adding and evicting stay one step."""

    def __init__(self) -> None:
        self._plans: OrderedDict[Hashable, TariffPlan] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> TariffPlan | None:
        # no lock: each OrderedDict call is atomic under the GIL, and pricing looks up far more than it adds
        plan = self._plans.get(key)
        if plan is not None:
            try:
                self._plans.move_to_end(key)
            except KeyError:  # another thread let it go in between: it stays the plan of this content
                pass
        return plan

    def put(self, key: Hashable, plan: TariffPlan) -> None:
        with self._lock:
            self._plans[key] = plan
            if len(self._plans) > CAPACITY:
                self._plans.popitem(last=False)

    def __len__(self) -> int:
        return len(self._plans)

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()


_by_content = _LeastRecentlyUsed()
_by_tariff = _LeastRecentlyUsed()  # keyed by id(): a plan keeps its Tariff alive, so no other object takes the id


def tariff_plan(data: Mapping[str, Any]) -> TariffPlan:
    """The plan of a tariff given as JSON (see parse_tariff); raises PricingInputError as parse_tariff does."""
    try:
        key = marshal.dumps(data, _MARSHAL_VERSION)
    except ValueError:  # not plain built-in values
        return TariffPlan(parse_tariff(data))
    plan = _by_content.get(key)
    if plan is None:
        plan = TariffPlan(parse_tariff(data))
        _by_content.put(key, plan)
    return plan


def cached_tariff(data: Mapping[str, Any]) -> Tariff:
    """parse_tariff(data), parsed once per content: what to give price_session for a tariff priced often."""
    plan = tariff_plan(data)
    # kept by its Tariff only here, where price_session will want it: not for each tariff price_cdr parses
    if _by_tariff.get(id(plan.tariff)) is None:
        _by_tariff.put(id(plan.tariff), plan)
    return plan.tariff


def plan_of(tariff: Tariff) -> TariffPlan:
    """The plan of a parsed tariff, made once per Tariff object."""
    plan = _by_tariff.get(id(tariff))
    if plan is None:
        plan = TariffPlan(tariff)
        _by_tariff.put(id(tariff), plan)
    return plan


def clear_tariff_cache() -> None:
    """Forget every parsed tariff (to measure parsing, or to free the memory)."""
    _by_content.clear()
    _by_tariff.clear()
