"""The CPO party an operator publishes as: its country code, party id and business details."""

from __future__ import annotations

from evroam.network.operators.models import Operator
from evroam.ocpi.locations.mapping import Party, party_of_operator


def operator_party(operator: Operator) -> Party:
    return party_of_operator(operator.country_code, operator.party_id, operator.name, operator.website, operator.logo)
