"""HTTP for POST /api/v2/cpo/tariffs/{tariffId}/quote: thin, the use case is in quote_service.

Its own router under the same /tariffs prefix: the tariffs router has no route that `/{tariffId}/quote`
could match (a path parameter never spans a slash), so the order of inclusion does not matter.
"""

from __future__ import annotations

from fastapi import APIRouter

from evroam.api.deps import OperatorId, SessionDep
from evroam.tariffs.quotes import service as quote_service
from evroam.tariffs.quotes.schemas import QuoteOut, QuoteRequest, quote_out
from evroam.tariffs.routes import TariffId

router = APIRouter(prefix="/tariffs", tags=["tariffs"])


@router.post("/{tariffId}/quote", response_model=QuoteOut, response_model_exclude_none=True)
async def quote_tariff(
    tariff_id: TariffId, body: QuoteRequest, session: SessionDep, operator_id: OperatorId
) -> QuoteOut:
    """Price a described session with the tariff, as a CDR of that session would be priced."""
    quote = await quote_service.quote(session, operator_id, tariff_id, body)
    return quote_out(quote.tariff_id, quote.currency, quote.time_zone, quote.periods, quote.result)
