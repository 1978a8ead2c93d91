"""Request shapes of /integrations/{integrationId}/locations.

A location is either backed by a site (`siteId`; its fields follow the site) or standalone (its own
name, address, coordinates, ... as in the details' location). Both pick what is published with
`publish` and `publishAllowedTo`, and which chargers it holds: a site-backed location holds every
charger of its site unless `excludeChargers` is true (then none, or the `chargerIds` given); a
standalone location holds the `chargerIds` given.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from evroam.api.schemas import CamelModel, Omittable, RequestModel
from evroam.integrations.details.schemas import LocationDetails
from evroam.network.common_schemas import (
    AdditionalGeoLocation,
    BusinessDetails,
    CountryAlpha3,
    DisplayText,
    EnergyMix,
    Image,
    Latitude,
    Longitude,
    OpeningTimes,
    PublishTokenType,
    TimeZoneName,
)
from evroam.network.enums import Facility, ParkingType
from evroam.network.sites.schemas import City, Name, PostalCode, State, Street

ChargerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# The standalone fields a standalone location cannot be without.
REQUIRED_STANDALONE = ("name", "address", "city", "country", "coordinates", "timezone")


class CoordinatesIn(RequestModel):
    latitude: Latitude
    longitude: Longitude


class StandaloneFields(RequestModel):
    # Those of REQUIRED_STANDALONE may be left out of a change, never nulled; the others null to clear.
    name: Omittable[Name] = None
    address: Omittable[Street] = None
    city: Omittable[City] = None
    postal_code: PostalCode | None = None
    country: Omittable[CountryAlpha3] = None
    state: State | None = None
    coordinates: Omittable[CoordinatesIn] = None
    timezone: Omittable[TimeZoneName] = None
    parking_type: ParkingType | None = None
    facilities: list[Facility] | None = None
    opening_times: OpeningTimes | None = None
    images: list[Image] | None = None
    directions: list[DisplayText] | None = None
    location_energy_mix: EnergyMix | None = None
    owner: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    related_locations: list[AdditionalGeoLocation] | None = None
    charging_when_closed: StrictBool | None = None


class LocationUpdate(StandaloneFields):
    """Standalone locations only; `chargerIds` replaces the chargers it holds."""

    charger_ids: list[ChargerId] | None = None
    publish: StrictBool | None = None
    publish_allowed_to: list[PublishTokenType] | None = None


class LocationCreate(LocationUpdate):
    site_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    exclude_chargers: StrictBool | None = None
    publish: StrictBool = True


STANDALONE_FIELD_NAMES = tuple(StandaloneFields.model_fields)


class PublicationWarning(CamelModel):
    """Something the location's OCPI document could not carry as the operator gave it."""

    field: str = Field(description="The OCPI field, as a path in the OCPI document (e.g. `address`, "
                                   "`directions[0].text`, `evses[CH1].connectors[2].standard`).")
    ocpi_version: str = Field(description="The OCPI version the document is sent in (the partner's).")
    limit: int | None = Field(description="The most characters that version allows in the field, when the "
                                          "text was too long; null otherwise.")
    sent: str | None = Field(description="What is sent instead: the shortened text; null when something "
                                         "was left out.")
    message: str = Field(description="What happened, in a sentence.")


class PublishedLocation(LocationDetails):
    """A location of the integration, and what its OCPI document could not carry."""

    warnings: list[PublicationWarning] = Field(
        description="What the partner's OCPI version could not carry of this location as given: texts "
                    "shortened to the version's limits, connectors it has no standard for, a restriction it "
                    "cannot express. Empty when the document carries everything. Recomputed whenever the "
                    "location is published again (its site, chargers, tariffs or the partner's version change)."
    )
