"""What a published location or tariff could not carry to its partner, as the management API shows it.

The warnings are the ones the object's mapping noted when the ledger last recomputed it (kept with the
document); a location withheld from the partner's version has no document, and the mapping's own rule
says why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.integrations.locations.models import IntegrationLocation
from evroam.integrations.models import Integration
from evroam.ocpi.fitting import Fitting
from evroam.ocpi.locations.mapping import withheld
from evroam.ocpi.modules import LOCATIONS
from evroam.publication.ledger import negotiated_version
from evroam.publication.models import PublishedDocument


async def location_warnings(session: AsyncSession, integration_id: str, location_id: str) -> list[dict[str, Any]]:
    integration = await session.get(Integration, integration_id)
    publish = await session.scalar(select(IntegrationLocation.publish).where(IntegrationLocation.id == location_id))
    if integration is None or publish is None or integration.integration_type != "OCPI":
        return []
    fitting = Fitting(negotiated_version(integration))
    if withheld(fitting.version, publish, fitting):
        return [warning.as_json() for warning in fitting.warnings]
    return await published_warnings(session, integration_id, LOCATIONS, location_id)


async def published_warnings(
    session: AsyncSession, integration_id: str, module: str, object_id: str
) -> list[dict[str, Any]]:
    """The warnings kept with an object's document; none when it is not published (or withdrawn)."""
    noted = await session.scalar(
        select(PublishedDocument.warnings).where(
            PublishedDocument.integration_id == integration_id,
            PublishedDocument.module == module,
            PublishedDocument.object_id == object_id,
            PublishedDocument.removed.is_(False),
        )
    )
    return list(noted or [])
