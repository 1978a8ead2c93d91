"""OCPI fixtures: an integration already registered with a known token, and evroam on a loopback port."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from evroam.integrations.models import Integration, IntegrationToken
from evroam.network.operators import service as operator_service
from evroam.runtime import Runtime
from evroam.security import hash_secret
from tests.support.live_server import serve


@dataclass
class RegisteredPartner:
    integration_id: str
    token: str
    version: str

    @property
    def authorization(self) -> str:
        if self.version == "2.1.1":
            return f"Token {self.token}"
        return "Token " + base64.b64encode(self.token.encode()).decode()


async def register_partner(runtime: Runtime, version: str = "2.2.1", models: dict | None = None,
                           operator_id: int | None = None) -> RegisteredPartner:
    """An integration in the state a completed credentials exchange leaves (token C issued by us)."""
    token = f"partner-token-{uuid.uuid4().hex}"
    integration_id = str(uuid.uuid4())
    async with runtime.sessions() as session:
        if operator_id is None:
            operator_id = (await operator_service.default_operator(session, runtime.settings)).id
        session.add(
            Integration(
                integration_id=integration_id,
                operator_id=operator_id,
                integration_name=f"eMSP {integration_id[:8]}",
                integration_status="CONNECTED",
                credentials_exchange_role="RECEIVER",
                ocpi_version=version,
                models=models or {},
                partners_company_detail=[
                    {"role": "EMSP", "partyId": "EMS", "countryCode": "NL", "name": "Test eMSP"}
                ],
            )
        )
        await session.flush()
        session.add(IntegrationToken(token_hash=hash_secret(token), integration_id=integration_id, kind="C"))
        await session.commit()
    return RegisteredPartner(integration_id=integration_id, token=token, version=version)


@pytest.fixture
async def partner(runtime: Runtime) -> RegisteredPartner:
    return await register_partner(runtime)


@pytest.fixture
async def ocpi_client(app, partner: RegisteredPartner) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": partner.authorization},
    ) as client:
        yield client


@pytest.fixture
async def live_evroam(app, runtime: Runtime) -> AsyncIterator[str]:
    """evroam itself on a loopback port; its public URL points there so partners can call back."""
    async with serve(app) as base_url:
        runtime.settings.public_url = base_url
        yield base_url
