"""A tariff as the 2.2.1 document it is published as, for a session whose partner holds it in 2.1.1:
sessions and CDRs are kept in 2.2.1 and said in 2.1.1 from there, so the tariff they are priced by and
carry must be the 2.2.1 one (2.1.1 leaves out elements and restrictions it cannot say)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evroam.network.operators.models import Operator
from evroam.ocpi.modules import V221
from evroam.ocpi.tariffs.mapping import tariff_document
from evroam.publication import stamps
from evroam.publication.parties import operator_party
from evroam.publication.spot_prices import known_spot_prices
from evroam.publication.stamps import STAMP
from evroam.tariffs.models import Tariff


def tariff_221(session: Session, tariff_id: str, published: dict[str, Any]) -> dict[str, Any]:
    """The 2.2.1 document of the tariff `published` (a partner's 2.1.1 one) shows, stamped as it is; the
    published one itself when the tariff is gone or says nothing in 2.2.1."""
    tariff = session.get(Tariff, tariff_id)
    if tariff is None:
        return published
    operator = session.get(Operator, tariff.operator_id)
    party = operator_party(operator)
    spot = known_spot_prices(session, [tariff], stamps.now()).get(tariff.operator_id)
    document = tariff_document(tariff, party, V221, spot)
    if document is None:
        return published
    return {**document, STAMP: published.get(STAMP, document.get(STAMP))}
