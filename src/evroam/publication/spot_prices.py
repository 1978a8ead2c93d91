"""The spot prices the publication ledger states in spot tariffs (ocpi/mapping_spot.py): per operator, the
intervals of the zones its published spot tariffs follow, around the horizon. One query per ledger pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from evroam.ocpi.tariffs.spot_elements import HORIZON_DAYS, KnownSpotPrices
from evroam.tariffs.spot.models import SpotPrice as SpotPriceRow
from evroam.tariffs.models import Tariff
from evroam.tariffs.pricing.spot_prices import SpotPrice
from evroam.tariffs.spot.service import spot_zones

# Local days start up to 14 hours from UTC midnight: a margin on both sides keeps every local day whole.
_MARGIN = timedelta(days=1)


def known_spot_prices(session: Session, tariffs: Iterable[Tariff], now: datetime) -> dict[int, KnownSpotPrices]:
    """Per operator of the given tariffs, the intervals their spot zones have around the horizon."""
    zones: dict[int, set[str]] = defaultdict(set)
    for tariff in tariffs:
        zones[tariff.operator_id] |= spot_zones(tariff.elements)
    wanted = [
        (SpotPriceRow.operator_id == operator_id) & SpotPriceRow.bidding_zone.in_(sorted(found))
        for operator_id, found in zones.items()
        if found
    ]
    series: dict[int, dict[str, list[SpotPrice]]] = defaultdict(lambda: defaultdict(list))
    if wanted:
        rows = session.scalars(
            select(SpotPriceRow)
            .where(
                or_(*wanted),
                SpotPriceRow.starts_at < now + timedelta(days=HORIZON_DAYS) + _MARGIN,
                SpotPriceRow.ends_at > now - _MARGIN,
            )
            .order_by(SpotPriceRow.starts_at)
        )
        for row in rows:
            series[row.operator_id][row.bidding_zone].append(
                SpotPrice(row.bidding_zone, row.starts_at, row.ends_at, row.price_per_kwh, row.currency)
            )
    return {operator_id: KnownSpotPrices(dict(series[operator_id]), now) for operator_id in zones}
