"""A StartTransaction whose card evroam refuses (idTagInfo not Accepted) is still a transaction: the charger
began it before asking and ends it itself with a StopTransaction (OCPP 1.6 StopTransactionOnInvalidId).
The session is kept, as the charger reported it, but no partner is billed for it nor sent it (both
engines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from sqlalchemy import select, update

from evroam.charging.tokens.models import PartnerToken
from evroam.publication.models import PublishedDocument
from tests.ocpp.conftest import Gateway


def at(seconds: float) -> str:
    return (datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


async def published_sessions(gateway: Gateway) -> list[str]:
    async with gateway.network.runtime.sessions() as session:
        return list(await session.scalars(select(PublishedDocument.object_id).where(
            PublishedDocument.module == "sessions")))


async def invalidate_token(gateway: Gateway, uid: str) -> None:
    """The eMSP withdrew the card (as its PUT of the token with valid=false does)."""
    async with gateway.network.runtime.sessions() as session:
        await session.execute(update(PartnerToken).where(PartnerToken.uid == uid).values(valid=False))
        await session.commit()


@pytest.mark.parametrize(("refusal", "answered"), [
    ("a card nobody knows", "Invalid"),
    # The driver was let in on an Authorize, then the eMSP withdrew the card before the start: the refusal at
    # the start is the last word (sessions/service.py decision_for).
    ("a card withdrawn after its Authorize", "Blocked"),
])
async def test_a_refused_start_is_kept_but_billed_to_nobody(gateway: Gateway, refusal: str, answered: str) -> None:
    async with gateway.charger() as charger:
        id_tag = "NOBODY1"
        if refusal == "a card withdrawn after its Authorize":
            id_tag = "DRIVER1"
            assert (await charger.call(call.Authorize(id_tag=id_tag))).id_tag_info["status"] == "Accepted"
            await invalidate_token(gateway, id_tag)
        started = await charger.call(call.StartTransaction(connector_id=1, id_tag=id_tag, meter_start=1000,
                                                           timestamp=at(0)))
        assert started.id_tag_info["status"] == answered
        await charger.call(call.StopTransaction(meter_stop=1000, timestamp=at(5), transaction_id=started.transaction_id,
                                                reason="DeAuthorized"))
    session = await gateway.network.only_session()
    assert (session["transactionId"], session["status"], session["idTag"]) == (
        str(started.transaction_id), "COMPLETED", id_tag)
    assert session["integrationId"] is None, session
    assert await published_sessions(gateway) == []
