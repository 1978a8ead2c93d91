"""HTTP for /api/v2/cpo/spot-prices: thin, the use cases are in spot_service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.api.deps import OperatorId, SessionDep
from evroam.api.pagination import PageParams, page_envelope
from evroam.api.schemas import Instant, Page
from evroam.errors import Invalid
from evroam.tariffs.spot import service as spot_service
from evroam.tariffs.schemas import BiddingZone
from evroam.tariffs.pricing.spot_prices import SpotPrice
from evroam.tariffs.spot.schemas import (
    SpotImportOut,
    SpotPriceOut,
    SpotPricesIn,
    ZoneImportOut,
    spot_price_out,
)
from evroam.tariffs.spot.service import SpotImportError

router = APIRouter(prefix="/spot-prices", tags=["spot prices"])

MAX_FILE_BYTES = 20 * 1024 * 1024  # a year of quarter-hour prices as ENTSO-E XML is about 4 MB
_FILE_IS_XML = {"text/csv": False, "application/xml": True, "text/xml": True}
_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "CSV (bidding_zone,start,end,currency,price_per_kwh or price_per_mwh) or an ENTSO-E "
        "day-ahead Publication_MarketDocument",
        "content": {media_type: {"schema": {"type": "string"}} for media_type in ("text/csv", "application/xml")},
    }
}
ZoneParam = Annotated[
    BiddingZone | None, Query(alias="biddingZone", description="Bidding zone as tariffs name it, e.g. FI")
]


@router.get("", response_model=Page[SpotPriceOut])
async def list_spot_prices(
    session: SessionDep,
    operator_id: OperatorId,
    page: PageParams,
    bidding_zone: ZoneParam = None,
    start: Annotated[Instant | None, Query(alias="from", description="Intervals ending after this")] = None,
    end: Annotated[Instant | None, Query(alias="to", description="Intervals starting before this")] = None,
) -> dict:
    """Stored day-ahead spot prices (per kWh, excluding VAT), by zone and start, a page at a time; `from` and `to`
    keep the intervals that overlap that span.
    """
    if start is not None and end is not None and end <= start:
        raise Invalid("to", "must be after from")
    rows, total = await spot_service.list_spot_prices(session, operator_id, page, bidding_zone, start, end)
    return page_envelope(page, [spot_price_out(row) for row in rows], total)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SpotImportOut)
async def import_spot_prices(body: SpotPricesIn, session: SessionDep, operator_id: OperatorId) -> SpotImportOut:
    """Stores a bidding zone's spot prices per kWh, excluding VAT. An interval that overlaps stored ones replaces
    them; tariffs with spot components are re-published with the new prices.
    """
    prices = [SpotPrice(body.bidding_zone, item.start, item.end, item.price, body.currency) for item in body.prices]
    return await _stored(session, operator_id, prices, "prices.")


@router.post("/import", status_code=status.HTTP_201_CREATED, response_model=SpotImportOut, openapi_extra=_FILE_BODY)
async def import_spot_price_file(
    request: Request, session: SessionDep, operator_id: OperatorId, bidding_zone: ZoneParam = None
) -> SpotImportOut:
    """The body is the file itself; an ENTSO-E document needs `biddingZone` to name its zone."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in _FILE_IS_XML:
        raise Invalid("content-type", "must be text/csv or application/xml")
    content = await request.body()  # at most MAX_FILE_BYTES: the app's RequestSizeLimit holds it there
    try:
        prices = spot_service.parse_spot_file(content, bidding_zone, xml=_FILE_IS_XML[media_type])
    except SpotImportError as error:
        raise Invalid(error.field, error.problem) from None
    return await _stored(session, operator_id, prices, "")


async def _stored(session: AsyncSession, operator_id: int, prices: list[SpotPrice], item_path: str) -> SpotImportOut:
    """`item_path` names the intervals in the request, for errors about one of them."""
    try:
        zones = await spot_service.import_spot_prices(session, operator_id, prices)
    except SpotImportError as error:
        field = error.field if error.index is None or not item_path else f"{item_path}{error.index}.{error.field}"
        raise Invalid(field, error.problem) from None
    return SpotImportOut(zones=[ZoneImportOut.model_validate(zone) for zone in zones])

