"""The cdrs module as the integrator registers it (until it is), and the fault-injecting partner."""

from __future__ import annotations

import pytest

from evroam.ocpi import modules
from evroam.ocpi.modules import CDRS, OUR_VERSIONS, RECEIVER, DeliveryKind, Module, Pushes
from tests.ocpi.factories import connect_receiver
from tests.support.faulty_partner import FaultyPartner
from tests.support.ocpi_partner import RegisteredPartner, register_partner


@pytest.fixture
def cdrs_pushed(app, monkeypatch) -> None:
    """CDRs pushed as the POSTED_ONCE kind. Added after the app is built (it has no routes of ours) and
    only while the registry lacks it: once the real `cdrs` entry exists, the tests run against it."""
    if not any(entry.identifier == CDRS for entry in modules.MODULES):
        entry = Module(CDRS, OUR_VERSIONS, role=None, partner_role=RECEIVER, routes="",
                       pushes=Pushes("pushCdr", kind=DeliveryKind.POSTED_ONCE))
        monkeypatch.setattr(modules, "MODULES", (*modules.MODULES, entry))


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
