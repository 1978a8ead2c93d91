"""Fixtures of the integration tests: the OCPI registration calls."""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass, field

import pytest

from evroam.integrations import exchange_lease


@dataclass
class RegistrationCalls:
    registered: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)
    fail_unregister: bool = False


@pytest.fixture
def registration(monkeypatch) -> RegistrationCalls:
    """Records what the management API asks of evroam.ocpi.credentials.registration instead of talking to a partner.

    The handshake itself is the OCPI side's (and its tests'); here only the contract matters: which
    integration is registered or unregistered, and when. Like the real exchange, each registration
    releases the exchange lease when it ends.
    """
    calls = RegistrationCalls()

    async def register_with_partner(runtime, integration_id: str) -> None:
        calls.registered.append(integration_id)
        await exchange_lease.release(runtime, integration_id)

    async def unregister_at_partner(_runtime, integration_id: str) -> None:
        calls.unregistered.append(integration_id)
        if calls.fail_unregister:
            raise ConnectionError("partner unreachable")

    try:
        module = importlib.import_module("evroam.ocpi.credentials.registration")
    except ModuleNotFoundError:
        module = types.ModuleType("evroam.ocpi.credentials.registration")
        monkeypatch.setitem(sys.modules, "evroam.ocpi.credentials.registration", module)
    monkeypatch.setattr(module, "register_with_partner", register_with_partner, raising=False)
    monkeypatch.setattr(module, "unregister_at_partner", unregister_at_partner, raising=False)
    return calls
