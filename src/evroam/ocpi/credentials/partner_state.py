"""What a credentials exchange writes on the integration, in either direction: success or failure."""

from __future__ import annotations

from evroam.database.base import utcnow
from evroam.integrations.models import Integration
from evroam.ocpi.credentials.codec import PartnerCredentials, company_details, is_platform
from evroam.ocpi.credentials.discovery import Discovery, PartnerLine
from evroam.runtime import Runtime
from evroam.security import SecretBox


def role_problem(initial_role: str | None, credentials: PartnerCredentials) -> str | None:
    """A sentence when the partner does not hold the role the operator expects it to (`initialRole`)."""
    if not initial_role or any(party.role == initial_role for party in credentials.roles):
        return None
    offered = ", ".join(f"{p.role} {p.country_code}*{p.party_id}" for p in credentials.roles)
    return f"The partner's credentials name {offered}, not the expected role {initial_role}."


def record_connection(row: Integration, secrets: SecretBox, credentials: PartnerCredentials,
                      discovery: Discovery, line: PartnerLine, exchange_role: str) -> None:
    row.partner_token_encrypted = secrets.encrypt(credentials.token)
    row.partner_versions_url = credentials.url
    row.ocpi_version = discovery.implementation
    row.version_details = discovery.details
    row.partners_company_detail = company_details(credentials.roles)
    # Either several parties behind this connection, or the operator linked it to a platform integration.
    row.platform_integration = is_platform(credentials.roles) or bool(row.platform_integration_id)
    if line.learned_setting():
        row.token_encoding = line.learned_setting()
    row.credentials_exchange_role = exchange_role
    row.integration_status = "CONNECTED"
    row.status_description = (
        f"Credentials exchanged over OCPI {discovery.version} on {utcnow():%Y-%m-%d %H:%M} UTC "
        f"(evroam was the credentials {exchange_role})."
    )


async def record_failure(runtime: Runtime, integration_id: str, description: str) -> None:
    async with runtime.sessions() as session:
        row = await session.get(Integration, integration_id)
        if row is None:
            return
        row.integration_status = "FAILED"
        row.status_description = description
        await session.commit()
