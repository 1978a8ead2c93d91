"""Quotes: what a described session would cost under one of the operator's tariffs.

The session becomes periods (pricing_quote.described_session_periods) and is priced by the same
engine as CDRs, with the operator's stored spot prices, so a quote and the CDR of the same session
agree. Any use type can be quoted: an operator checks its COST tariffs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import Conflict, Invalid, NotFound
from evroam.integrations.locations.service import location_time_zone
from evroam.network.sites.service import get_site
from evroam.tariffs import service as tariff_service
from evroam.tariffs.spot import service as spot_service
from evroam.tariffs.models import Tariff as StoredTariff
from evroam.tariffs.pricing.engine import price_session
from evroam.tariffs.pricing.errors import MissingSpotPriceError, PricingInputError
from evroam.tariffs.pricing.model import PricingResult, SessionPeriod, Tariff
from evroam.tariffs.pricing.described_session import described_session_periods
from evroam.tariffs.quotes.schemas import QuoteRequest
from evroam.tariffs.schemas import tariff_document
from evroam.tariffs.pricing.tariff_cache import cached_tariff


@dataclass(frozen=True, slots=True)
class Quote:
    tariff_id: str
    currency: str
    time_zone: str
    periods: tuple[SessionPeriod, ...]
    result: PricingResult


@dataclass(frozen=True, slots=True)
class _Durations:
    reservation_s: int
    charging_s: int
    parking_s: int


async def quote(session: AsyncSession, operator_id: int, tariff_id: str, body: QuoteRequest) -> Quote:
    stored = await tariff_service.get_tariff(session, operator_id, tariff_id)
    time_zone = await _time_zone(session, operator_id, body)
    durations = _durations(body)
    tariff = _engine_tariff(stored)
    start = body.start.astimezone(UTC)
    periods = described_session_periods(
        tariff,
        start,
        time_zone,
        charging_s=durations.charging_s,
        energy_kwh=body.energy_kwh,
        parking_s=durations.parking_s,
        reservation_s=durations.reservation_s,
        power_kw=body.max_power_kw,
    )
    charging_start = start + timedelta(seconds=durations.reservation_s)
    session_end = charging_start + timedelta(seconds=durations.charging_s + durations.parking_s)
    zones = {component.spot.bidding_zone for element in tariff.elements for component in element.components
             if component.spot is not None}  # fmt: skip
    spot_prices = await spot_service.spot_source_for(session, operator_id, zones, charging_start, session_end)
    try:
        result = price_session(tariff, periods, time_zone, spot_prices=spot_prices)
    except MissingSpotPriceError as error:
        raise Invalid("start", f"{error}: import spot prices first") from None
    except PricingInputError as error:  # the stored spot prices disagree with the tariff (their currency)
        raise Conflict(error.field or "tariffId", error.problem) from None
    return Quote(stored.id, tariff.currency, time_zone, periods, result)


def _engine_tariff(stored: StoredTariff) -> Tariff:
    try:
        return cached_tariff({**tariff_document(stored), "id": stored.id})
    except PricingInputError as error:  # stored tariffs were validated: this is a rule the API lets through
        raise Conflict("tariffId", f"the stored tariff cannot be priced: {error}") from None


def _durations(body: QuoteRequest) -> _Durations:
    if body.charging_minutes is not None and body.duration_minutes is not None:
        raise Invalid("durationMinutes", "give chargingMinutes or durationMinutes, not both")
    parking_s = _seconds(body.parking_minutes)
    if body.charging_minutes is not None:
        charging_s = _seconds(body.charging_minutes)
    elif body.duration_minutes is not None:
        charging_s = _seconds(body.duration_minutes) - parking_s
        if charging_s < 0:
            raise Invalid("parkingMinutes", "must not exceed durationMinutes (the whole session)")
    else:
        raise Invalid("chargingMinutes", "is required (or durationMinutes, the whole session with parking)")
    if body.energy_kwh and not charging_s:
        raise Invalid("energyKwh", "needs charging time, and the session does not charge")
    return _Durations(_seconds(body.reservation_minutes), charging_s, parking_s)


def _seconds(minutes: Decimal) -> int:
    return int((minutes * 60).to_integral_value(ROUND_HALF_UP))


async def _time_zone(session: AsyncSession, operator_id: int, body: QuoteRequest) -> str:
    """`timeZone`, else the time zone of the place named; the place is checked even when not needed."""
    if body.site_id is not None and body.integration_location_id is not None:
        raise Invalid("integrationLocationId", "give siteId or integrationLocationId, not both")
    place_zone = None
    if body.site_id is not None:
        try:
            place_zone = (await get_site(session, operator_id, body.site_id)).timezone
        except NotFound:
            raise Invalid("siteId", f"site {body.site_id} does not exist") from None
    elif body.integration_location_id is not None:
        location_id = body.integration_location_id
        try:
            place_zone = await location_time_zone(session, operator_id, location_id)
        except NotFound:
            raise Invalid("integrationLocationId", f"location {location_id} does not exist") from None
    zone = body.time_zone or place_zone
    if zone is None:
        raise Invalid("timeZone", "is required unless siteId or integrationLocationId names the place")
    return zone

