"""Body of /integrations/{integrationId}/tariffs/{tariffId}: where in the integration a tariff applies.

A location without chargers links the whole location, a charger without sockets links that charger,
sockets link those sockets. For a socket the most specific link wins (socket > charger > location).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from evroam.api.schemas import CamelModel, RequestModel
from evroam.integrations.locations.schemas import PublicationWarning

SocketId = Annotated[int, Field(ge=0, le=2_147_483_647)]


class ChargerLink(RequestModel):
    charger_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    sockets: list[SocketId] | None = None


class LocationLink(RequestModel):
    location_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    chargers: list[ChargerLink] | None = None


class TariffLinksIn(RequestModel):
    locations: Annotated[list[LocationLink], Field(min_length=1)]


class ChargerLinkOut(CamelModel):
    charger_id: str
    sockets: list[int]


class LocationLinkOut(CamelModel):
    location_id: str
    chargers: list[ChargerLinkOut]


class TariffLinksOut(CamelModel):
    """The tariff's links in this integration, in the body's shape (a whole-location link is an entry
    without chargers, a whole-charger link an entry without sockets)."""

    tariff_id: str
    locations: list[LocationLinkOut]


class PublishedTariffLinks(TariffLinksOut):
    """The tariff's links, and what its OCPI document could not carry."""

    warnings: list[PublicationWarning] = Field(
        description="What the partner's OCPI version could not carry of this tariff as given: texts shortened "
                    "to the version's limits, elements it cannot express. Empty when the document carries "
                    "everything, or when the tariff is not published to this integration."
    )
