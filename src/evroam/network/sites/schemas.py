"""Request and response shapes of /sites."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from evroam.api.schemas import CamelModel, JsonNumber, Omittable, RequestModel
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
    TimeZoneName,
)
from evroam.network.enums import Facility, ParkingType

Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
City = Annotated[str, StringConstraints(min_length=1, max_length=45)]
Street = Annotated[str, StringConstraints(min_length=1, max_length=255)]
PostalCode = Annotated[str, StringConstraints(min_length=1, max_length=10)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
State = Annotated[str, StringConstraints(min_length=1, max_length=45)]


class SiteFields(RequestModel):
    """Every optional site field; create and update share them."""

    public_name: Name | None = None
    external_id: ExternalId | None = None
    parent_site_id: Annotated[int, Field(ge=1)] | None = None
    state: State | None = None
    postal_code: PostalCode | None = None
    is_public: StrictBool | None = None
    parking_type: ParkingType | None = None
    facilities: list[Facility] | None = None
    opening_times: OpeningTimes | None = None
    charging_when_closed: StrictBool | None = None
    directions: list[DisplayText] | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    owner: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    related_locations: list[AdditionalGeoLocation] | None = None


class SiteCreate(SiteFields):
    name: Name
    timezone: TimeZoneName
    country: CountryAlpha3
    city: City
    street_address: Street
    latitude: Latitude
    longitude: Longitude


class SiteUpdate(SiteFields):
    name: Omittable[Name] = None
    timezone: Omittable[TimeZoneName] = None
    country: Omittable[CountryAlpha3] = None
    city: Omittable[City] = None
    street_address: Omittable[Street] = None
    latitude: Omittable[Latitude] = None
    longitude: Omittable[Longitude] = None


class SiteOut(CamelModel):
    id: int
    name: str
    public_name: str | None = None
    external_id: str | None = None
    parent_site_id: int | None = None
    timezone: str
    country: str
    state: str | None = None
    city: str
    street_address: str
    postal_code: str | None = None
    latitude: Annotated[JsonNumber, Field(description="Degrees north (WGS 84)")]
    longitude: Annotated[JsonNumber, Field(description="Degrees east (WGS 84)")]
    is_public: StrictBool
    parking_type: ParkingType | None = None
    facilities: list[Facility]
    opening_times: OpeningTimes | None = None
    charging_when_closed: StrictBool | None = None
    directions: list[DisplayText]
    images: list[Image]
    energy_mix: EnergyMix | None = None
    owner: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    related_locations: list[AdditionalGeoLocation]
    created_at: datetime
    updated_at: datetime
