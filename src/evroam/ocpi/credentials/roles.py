"""Our side of the credentials: the operator as an OCPI CPO party with its business details."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.network.operators.models import Operator
from evroam.ocpi.credentials.codec import PartyRole


async def our_roles(session: AsyncSession, operator_id: int) -> list[PartyRole]:
    operator = await session.get(Operator, operator_id)
    if operator is None:
        raise LookupError(f"operator {operator_id} does not exist")
    return [operator_role(operator)]


def operator_role(operator: Operator) -> PartyRole:
    details = {"name": operator.name}
    if operator.website:
        details["website"] = operator.website
    if operator.logo:
        details["logo"] = {key: value for key, value in operator.logo.items() if value is not None}
    return PartyRole(role="CPO", country_code=operator.country_code, party_id=operator.party_id,
                     business_details=details)
