"""The fault-injecting partner, and an integration that pushes to it."""

from __future__ import annotations

import pytest

from tests.ocpi.factories import connect_receiver
from tests.support.faulty_partner import FaultyPartner
from tests.support.ocpi_partner import RegisteredPartner, register_partner


@pytest.fixture
async def faulty():
    partner = FaultyPartner()
    async with partner.running():
        yield partner


@pytest.fixture
async def partner(runtime, faulty) -> RegisteredPartner:
    """A CONNECTED 2.2.1 integration whose pushes go to the fault-injecting partner."""
    registered = await register_partner(runtime)
    await connect_receiver(runtime, registered.integration_id, faulty, "2.2.1")
    return registered
