"""The operator's network as OCPI Location documents, in the 2.2.1 and the 2.1.1 shape.

Documents come out without `last_updated`: the publication ledger stamps it (on the location, each
EVSE and each connector) from what really changed since the previous document.

Mapping (emabler-reference.md, "Decision (mapping to OCPI)"):

* a site-backed location takes the site's fields, a standalone one its own; `id` is the integration
  location's id, `country_code`/`party_id` and `operator` are the operator's;
* a charger with `splitEvseBySocket` gives one EVSE per socket (`uid` = `<chargerId>-<socketId>`, one
  connector "1"); otherwise one EVSE (`uid` = chargerId) whose connectors are its sockets (id = socket id).
  A uid longer than OCPI's CiString(36) (charger ids go to 64) keeps its first 27 characters and adds
  `~` and 8 hex digits of its SHA-256: still recognisable, still unique, the same in every document;
* socket status → EVSE status as in `SOCKET_STATUS`; a charger without an active connection is UNKNOWN;
  an EVSE of several sockets shows the most available of their statuses (`AVAILABILITY_ORDER`): one
  free socket makes the EVSE usable, and a charger that starts charging on one socket reports the
  others Unavailable, which then ranks below CHARGING;
* a connector's `tariff_ids` come from the most specific level that links published tariffs: the
  socket, else its charger, else the whole location;
* ratings a socket does not give: 230 V for AC (line to neutral) and 400 V for DC; the amperage from
  the socket's max power when known, else 16 A (AC) or 125 A (DC), the most common ratings.

2.1.1 differences: no country_code/party_id/publish/state; a required `type` (LocationType, from the
parking type, UNKNOWN when absent); `Hours` is a choice of twentyfourseven or regular_hours; EnergyMix
impacts name their category `source`; connectors carry `voltage`/`amperage` and one `tariff_id` (the
REGULAR or untyped tariff, the one valid now when several); capabilities and facilities 2.1.1 does not
know are left out, and so are connectors of a standard or power type it has no word for (an EVSE
left without connectors with them); a missing postal code is sent empty (2.1.1 requires the field). A
location with `publish: false` is not published to 2.1.1 at all: 2.1.1 has no `publish`, so the
restriction cannot travel, and the location would reach every driver (`withheld`).

Texts longer than the version allows are shortened through the document's `Fitting` (LOCATION_LIMITS):
2.2.1 too is sent at the limits of the released OpenAPI files (address 45, state 20), not at the
post-d2 erratum's 255/45 that the management API accepts (ocpi-notes §0), and every such change is a
warning for the operator (ocpi/fitting.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evroam.network.chargers.models import Charger, Socket
from evroam.network.sites.models import Site
from evroam.ocpi.fitting import BUSINESS_DETAILS, DISPLAY_TEXT, ENERGY_MIX, Fitting, Limits
from evroam.ocpi.modules import V211
from evroam.ocpi.protocol.ascii_211 import ascii_document

EVSE_UID_LENGTH = 36

SOCKET_STATUS = {
    "Available": "AVAILABLE",
    "Preparing": "CHARGING",
    "Charging": "CHARGING",
    "SuspendedEV": "CHARGING",
    "SuspendedEVSE": "CHARGING",
    "Finishing": "CHARGING",
    "Reserved": "RESERVED",
    "Unavailable": "INOPERATIVE",
    "Faulted": "OUTOFORDER",
}
AVAILABILITY_ORDER = ("AVAILABLE", "CHARGING", "RESERVED", "INOPERATIVE", "OUTOFORDER", "UNKNOWN")

_PARKING_TYPES_221 = {
    "ALONG_MOTORWAY", "PARKING_GARAGE", "PARKING_LOT", "ON_DRIVEWAY", "ON_STREET", "UNDERGROUND_GARAGE",
}
_LOCATION_TYPES_211 = {"ON_STREET", "PARKING_GARAGE", "UNDERGROUND_GARAGE", "PARKING_LOT", "OTHER", "UNKNOWN"}
_CAPABILITIES_211 = {
    "CHARGING_PROFILE_CAPABLE", "CREDIT_CARD_PAYABLE", "REMOTE_START_STOP_CAPABLE", "RESERVABLE", "RFID_READER",
    "UNLOCK_CAPABLE",
}
_FACILITIES_NOT_211 = {"BIKE_SHARING", "PARKING_LOT", "TRAM_STOP", "METRO_STATION"}
_STANDARDS_NOT_211 = {
    "CHAOJI", "DOMESTIC_M", "DOMESTIC_N", "DOMESTIC_O", "GBT_AC", "GBT_DC", "NEMA_5_20", "NEMA_6_30", "NEMA_6_50",
    "NEMA_10_30", "NEMA_10_50", "NEMA_14_30", "NEMA_14_50", "PANTOGRAPH_BOTTOM_UP", "PANTOGRAPH_TOP_DOWN",
}
_POWER_TYPES_NOT_211 = {"AC_2_PHASE", "AC_2_PHASE_SPLIT"}
# The string(n) limits of the texts a location carries from the operator (the same in both versions).
LOCATION_LIMITS: Limits = {
    "name": 255, "address": 45, "city": 45, "postal_code": 10, "state": 20, "time_zone": 255,
    "related_locations": [{"name": DISPLAY_TEXT}], "directions": [DISPLAY_TEXT],
    "operator": BUSINESS_DETAILS, "suboperator": BUSINESS_DETAILS, "owner": BUSINESS_DETAILS,
    "energy_mix": ENERGY_MIX, "publish_allowed_to": [{"visual_number": 64, "issuer": 64}],
}
_DEFAULT_RATINGS = {"AC": (230, 16), "DC": (400, 125)}
_PHASES = {"AC_1_PHASE": 1, "AC_2_PHASE": 2, "AC_2_PHASE_SPLIT": 2, "AC_3_PHASE": 3, "DC": 1}


@dataclass(frozen=True, slots=True)
class Party:
    """The CPO party publishing: its OCPI identity and business details (already OCPI-shaped)."""

    country_code: str
    party_id: str
    business_details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TariffRef:
    """What a connector needs to know of a published tariff."""

    id: str
    type: str | None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        return (self.start_date_time is None or self.start_date_time <= moment) and (
            self.end_date_time is None or moment < self.end_date_time
        )


@dataclass(frozen=True, slots=True)
class TariffLinks:
    """Published tariff ids linked per level: (None, None) the location, (charger, None) a charger,
    (charger, socket) a socket."""

    by_level: Mapping[tuple[str | None, int | None], tuple[TariffRef, ...]] = field(default_factory=dict)

    def for_socket(self, charger_id: str, socket_id: int) -> tuple[TariffRef, ...]:
        for level in ((charger_id, socket_id), (charger_id, None), (None, None)):
            if self.by_level.get(level):
                return self.by_level[level]
        return ()


@dataclass(frozen=True, slots=True)
class LocationSource:
    location_id: str
    # Site-like fields in the platform's camelCase (see `place_of_site` / the standalone body).
    place: Mapping[str, Any]
    publish: bool
    publish_allowed_to: list[dict[str, Any]]
    chargers: list[Charger]
    tariffs: TariffLinks


def place_of_site(site: Site) -> dict[str, Any]:
    """A site's fields under the names a standalone location uses for them."""
    return {
        "name": site.public_name or site.name,
        "address": site.street_address,
        "city": site.city,
        "postalCode": site.postal_code,
        "state": site.state,
        "country": site.country,
        "coordinates": {"latitude": site.latitude, "longitude": site.longitude},
        "timezone": site.timezone,
        "parkingType": site.parking_type,
        "facilities": site.facilities,
        "openingTimes": site.opening_times,
        "chargingWhenClosed": site.charging_when_closed,
        "images": site.images,
        "directions": site.directions,
        "locationEnergyMix": site.energy_mix,
        "owner": site.owner,
        "suboperator": site.suboperator,
        "relatedLocations": site.related_locations,
    }


def party_of_operator(country_code: str, party_id: str, name: str, website: str | None, logo: Any) -> Party:
    return Party(country_code, party_id, business_details({"name": name, "website": website, "logo": logo}))


def withheld(version: str, publish: bool, fitting: Fitting) -> bool:
    """Whether a location is not published at all in `version` (noted in `fitting` when so)."""
    if version == V211 and not publish:
        fitting.left_out("publish", "a location with publish false is not published: 2.1.1 cannot say who may "
                         "see it, so every driver would; one published before is withdrawn (every EVSE REMOVED)")
        return True
    return False


def location_document(
    source: LocationSource, party: Party, version: str, now: datetime, fitting: Fitting | None = None
) -> dict[str, Any] | None:
    """The document partners of `version` see, or None when the location is withheld from them; what
    had to change on the way is noted in `fitting`."""
    fitting = fitting or Fitting(version)
    if withheld(version, source.publish, fitting):
        return None
    place = source.place
    v211 = version == V211
    evses = [
        document
        for evse in _evse_sources(source)
        if (document := _evse(evse, source.tariffs, v211, now, fitting)) is not None
    ]
    doc: dict[str, Any] = {}
    if not v211:
        doc |= {"country_code": party.country_code, "party_id": party.party_id}
    doc["id"] = source.location_id
    if v211:
        doc["type"] = _location_type(place.get("parkingType"))
    else:
        doc["publish"] = source.publish
        if not source.publish and source.publish_allowed_to:
            doc["publish_allowed_to"] = [_snake(token) for token in source.publish_allowed_to]
    postal_code = place.get("postalCode")
    if v211 and postal_code is None:
        postal_code = ""
        fitting.left_out("postal_code", "postal_code is required; the location has none, so it is sent empty")
    doc |= _present(
        name=place.get("name"),
        address=place.get("address"),
        city=place.get("city"),
        postal_code=postal_code,
        state=None if v211 else place.get("state"),
        country=place.get("country"),
        coordinates=geo_location(place.get("coordinates") or {}),
        related_locations=[_related(item) for item in place.get("relatedLocations") or []],
        parking_type=None if v211 or place.get("parkingType") not in _PARKING_TYPES_221 else place["parkingType"],
    )
    doc["evses"] = evses
    facilities = place.get("facilities") or []
    if v211:
        facilities = [facility for facility in facilities if facility not in _FACILITIES_NOT_211]
    doc |= _present(
        directions=[_snake(text) for text in place.get("directions") or []],
        operator=party.business_details,
        suboperator=business_details(place.get("suboperator")),
        owner=business_details(place.get("owner")),
        facilities=list(facilities),
        time_zone=place.get("timezone"),
        opening_times=_hours(place.get("openingTimes"), v211),
        charging_when_closed=place.get("chargingWhenClosed"),
        images=[_image(image) for image in place.get("images") or []],
        energy_mix=energy_mix(place.get("locationEnergyMix"), v211),
    )
    return fitting.fit_lengths(ascii_document(doc) if v211 else doc, LOCATION_LIMITS)


@dataclass(frozen=True, slots=True)
class _EvseSource:
    uid: str
    evse_id: str | None
    charger: Charger
    sockets: list[Socket]
    # Connector ids: "1" for a socket published as its own EVSE, else the socket id.
    connector_ids: list[str]


def _evse_sources(source: LocationSource) -> Iterable[_EvseSource]:
    for charger in source.chargers:
        sockets = list(charger.sockets)
        if not sockets:
            continue  # an EVSE needs at least one connector
        places = [socket_evse(charger.charger_id, socket.socket_id, charger.split_evse_by_socket) for socket in sockets]
        if charger.split_evse_by_socket:
            for socket, (uid, connector_id) in zip(sockets, places, strict=True):
                evse_id = socket.evse_id or (charger.evse_id if len(sockets) == 1 else None)
                yield _EvseSource(uid, evse_id, charger, [socket], [connector_id])
        else:
            yield _EvseSource(
                places[0][0], charger.evse_id, charger, sockets, [connector_id for _, connector_id in places]
            )


def socket_evse(charger_id: str, socket_id: int, split_evse_by_socket: bool) -> tuple[str, str]:
    """The EVSE uid and the connector id a socket is published as (the real-time authorization names them)."""
    if split_evse_by_socket:
        return evse_uid(f"{charger_id}-{socket_id}"), "1"
    return evse_uid(charger_id), str(socket_id)


def evse_uid(natural: str) -> str:
    """`natural` when OCPI's CiString(36) can hold it, else a shortened form that stays unique."""
    if len(natural) <= EVSE_UID_LENGTH:
        return natural
    digest = hashlib.sha256(natural.encode()).hexdigest()[:8]
    return f"{natural[: EVSE_UID_LENGTH - 9]}~{digest}"


def _evse(evse: _EvseSource, links: TariffLinks, v211: bool, now: datetime, fitting: Fitting) -> dict[str, Any] | None:
    connectors = [
        _connector(connector_id, socket, links.for_socket(evse.charger.charger_id, socket.socket_id), v211, now)
        for connector_id, socket in zip(evse.connector_ids, evse.sockets, strict=True)
        if not v211 or _says_211(f"evses[{evse.uid}].connectors[{connector_id}]", socket, fitting)
    ]
    if not connectors:
        return None  # an EVSE needs at least one connector
    doc: dict[str, Any] = {"uid": evse.uid}
    if evse.evse_id:
        doc["evse_id"] = evse.evse_id
    doc["status"] = evse_status(evse.charger.active_connection, [socket.status for socket in evse.sockets])
    capabilities = [cap for cap in evse.charger.capabilities or [] if not v211 or cap in _CAPABILITIES_211]
    if capabilities:
        doc["capabilities"] = capabilities
    doc["connectors"] = connectors
    return doc


def _says_211(path: str, socket: Socket, fitting: Fitting) -> bool:
    """Whether 2.1.1 has words for the socket's standard and power type; if not, the connector is left out."""
    unsaid = connector_unsaid_in_211(socket.type, socket.power_type)
    if unsaid is not None:
        name, value = unsaid
        fitting.left_out(f"{path}.{name}", f"there is no {name} {value}: the connector is left out")
        return False
    return True


def connector_unsaid_in_211(standard: str, power_type: str) -> tuple[str, str] | None:
    """(field, value) of a connector's standard or power type 2.1.1 has no word for; None if it has both."""
    for name, value, unknown in (
        ("standard", standard, _STANDARDS_NOT_211), ("power_type", power_type, _POWER_TYPES_NOT_211)
    ):
        if value in unknown:
            return name, value
    return None


def location_at(location: Mapping[str, Any], evse_uid: str, connector_id: str) -> dict[str, Any] | None:
    """A Location document trimmed to one EVSE and one of its connectors, as 2.1.1 Sessions and CDRs
    embed it; None when the document has no such EVSE or connector (ids are CiString)."""
    evse = next((item for item in location.get("evses") or [] if item["uid"].lower() == evse_uid.lower()), None)
    if evse is None:
        return None
    connector = next((item for item in evse["connectors"] if item["id"].lower() == connector_id.lower()), None)
    if connector is None:
        return None
    return {**location, "evses": [{**evse, "connectors": [connector]}]}


def evse_status(active_connection: bool, socket_statuses: Iterable[str]) -> str:
    if not active_connection:
        return "UNKNOWN"
    statuses = [SOCKET_STATUS.get(status, "UNKNOWN") for status in socket_statuses]
    return min(statuses, key=AVAILABILITY_ORDER.index, default="UNKNOWN")


def _connector(
    connector_id: str, socket: Socket, tariffs: tuple[TariffRef, ...], v211: bool, now: datetime
) -> dict[str, Any]:
    voltage, amperage = ratings(socket.power_type, socket.max_voltage, socket.max_amperage, socket.max_power)
    doc: dict[str, Any] = {
        "id": connector_id,
        "standard": socket.type,
        "format": socket.format,
        "power_type": socket.power_type,
    }
    if v211:
        doc |= {"voltage": voltage, "amperage": amperage}
        tariff = regular_tariff(tariffs, now)
        if tariff is not None:
            doc["tariff_id"] = tariff.id
        return doc
    doc |= {"max_voltage": voltage, "max_amperage": amperage}
    if socket.max_power is not None:
        doc["max_electric_power"] = int((Decimal(socket.max_power) * 1000).to_integral_value(ROUND_HALF_UP))
    if tariffs:
        doc["tariff_ids"] = [tariff.id for tariff in tariffs]
    return doc


def regular_tariff(tariffs: Iterable[TariffRef], now: datetime) -> TariffRef | None:
    """2.1.1 has room for one tariff per connector: the REGULAR or untyped one, preferring one valid now."""
    candidates = [tariff for tariff in tariffs if tariff.type in (None, "REGULAR")]
    valid = [tariff for tariff in candidates if tariff.valid_at(now)]
    return (valid or candidates or [None])[0]


def ratings(power_type: str, voltage: int | None, amperage: int | None, max_power_kw: Any) -> tuple[int, int]:
    default_voltage, default_amperage = _DEFAULT_RATINGS["DC" if power_type == "DC" else "AC"]
    voltage = voltage or default_voltage
    if amperage:
        return voltage, amperage
    if max_power_kw:
        watts = Decimal(max_power_kw) * 1000
        per_phase = watts / (voltage * _PHASES.get(power_type, 1))
        return voltage, max(1, int(per_phase.to_integral_value(ROUND_HALF_UP)))
    return voltage, default_amperage


def geo_location(coordinates: Mapping[str, Any]) -> dict[str, str] | None:
    """Decimal degrees with exactly 6 decimals: 2.2.1 accepts 5 to 7, 2.1.1 demands 6."""
    if coordinates.get("latitude") is None or coordinates.get("longitude") is None:
        return None
    return {
        "latitude": f"{Decimal(str(coordinates['latitude'])):.6f}",
        "longitude": f"{Decimal(str(coordinates['longitude'])):.6f}",
    }


def _related(item: Mapping[str, Any]) -> dict[str, Any]:
    doc = geo_location(item) or {}
    if item.get("name"):
        doc["name"] = _snake(item["name"])
    return doc


def _location_type(parking_type: str | None) -> str:
    if parking_type is None:
        return "UNKNOWN"
    return parking_type if parking_type in _LOCATION_TYPES_211 else "OTHER"


def _hours(hours: Mapping[str, Any] | None, v211: bool) -> dict[str, Any] | None:
    if not hours:
        return None
    regular = [_snake(period) for period in hours.get("regularHours") or []]
    doc: dict[str, Any] = {}
    if v211 and not hours.get("twentyfourseven"):
        doc["regular_hours"] = regular
    else:
        doc["twentyfourseven"] = bool(hours.get("twentyfourseven"))
        if regular and not hours.get("twentyfourseven"):
            doc["regular_hours"] = regular
    for name, key in (("exceptional_openings", "exceptionalOpenings"), ("exceptional_closings", "exceptionalClosings")):
        periods = [
            {"period_begin": utc_text(period["periodBegin"]), "period_end": utc_text(period["periodEnd"])}
            for period in hours.get(key) or []
        ]
        if periods:
            doc[name] = periods
    return doc


def energy_mix(mix: Mapping[str, Any] | None, v211: bool) -> dict[str, Any] | None:
    if not mix:
        return None
    impact_key = "source" if v211 else "category"
    return _present(
        is_green_energy=bool(mix.get("isGreenEnergy")),
        energy_sources=[
            {"source": item["source"], "percentage": json_number(item["percentage"])}
            for item in mix.get("energySources") or []
        ],
        environ_impact=[
            {impact_key: item["category"], "amount": json_number(item["amount"])}
            for item in mix.get("environImpact") or []
        ],
        supplier_name=mix.get("supplierName"),
        energy_product_name=mix.get("energyProductName"),
    )


def business_details(details: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not details or not details.get("name"):
        return None
    return _present(
        name=details["name"],
        website=details.get("website") or None,
        logo=_image(details["logo"]) if details.get("logo") else None,
    )


def _image(image: Mapping[str, Any]) -> dict[str, Any]:
    return _present(
        url=image.get("url"),
        thumbnail=image.get("thumbnail") or None,
        category=image.get("category"),
        type=image.get("type"),
        width=image.get("width"),
        height=image.get("height"),
    )


def json_number(value: Any) -> int | float:
    """Stored decimals (text or number) as JSON numbers: integral values as integers."""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def utc_text(value: Any) -> str:
    """An RFC 3339 instant in UTC with `Z`, seconds precision (OCPI DateTime, string(25))."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _snake(value: Mapping[str, Any]) -> dict[str, Any]:
    """A flat camelCase value object (DisplayText, RegularHours, PublishTokenType) in snake_case, Nones dropped."""
    return {_snake_name(key): item for key, item in value.items() if item is not None}


def _snake_name(name: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in name)


def _present(**fields: Any) -> dict[str, Any]:
    """OCPI omits absent optional fields and empty lists rather than sending null or []."""
    return {name: value for name, value in fields.items() if value is not None and value != []}
