"""What a published location could not carry to its partner, as the management API shows it.

The warnings are the ones the location's mapping noted when the ledger last recomputed it (kept with the
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
    noted = await session.scalar(
        select(PublishedDocument.warnings).where(
            PublishedDocument.integration_id == integration_id,
            PublishedDocument.module == LOCATIONS,
            PublishedDocument.object_id == location_id,
            PublishedDocument.removed.is_(False),
        )
    )
    return list(noted or [])
