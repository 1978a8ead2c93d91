"""Which central tariffs partners may see: the one rule that linking, publishing and tariff changes share.

Only PRICE tariffs (what a driver pays) are published. COST is the operator's own energy cost, and OTHER
is the platform's catch-all for tariffs no driver is charged by (reports, comparisons): neither may reach
a partner (emabler-reference.md, "Tariffs"). Linking refuses them, so a link always means a published tariff.
"""

from __future__ import annotations

PUBLISHED_USE_TYPE = "PRICE"


def is_publishable(use_type: str) -> bool:
    return use_type == PUBLISHED_USE_TYPE


def why_not_publishable(use_type: str) -> str:
    return f"{use_type} tariffs are never published to partners; only {PUBLISHED_USE_TYPE} tariffs can be linked"
