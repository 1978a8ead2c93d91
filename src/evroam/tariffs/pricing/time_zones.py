"""The time zone restrictions are evaluated in: named, or found from the location's country.

A country with one IANA zone (tz database `zone.tab`, shipped by the `tzdata` package) gives that
zone. A country with several still gives an answer when all of its zones show the same wall-clock
time at every moment that matters for the session (Germany's Europe/Berlin and Europe/Busingen
have agreed since 1980), because then the choice cannot change a price. Otherwise (Spain with
the Canaries, the United States...) the caller must name the zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evroam.tariffs.pricing.countries import ALPHA3_TO_ALPHA2
from evroam.tariffs.pricing.errors import PricingInputError


def zone_named(name: object, field: str) -> ZoneInfo:
    if type(name) is not str or not name:
        raise PricingInputError(field, "not an IANA time zone name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PricingInputError(field, f"unknown IANA time zone {name!r}") from None


def zone_of_country(alpha3: object, field: str, moments: Iterable[datetime]) -> ZoneInfo:
    """The zone of an ISO 3166-1 alpha-3 country, if the country leaves no doubt at these moments."""
    alpha2 = ALPHA3_TO_ALPHA2.get(alpha3.upper()) if type(alpha3) is str else None
    if alpha2 is None:
        raise PricingInputError(field, "not an ISO 3166-1 alpha-3 country code")
    names = zones_by_country().get(alpha2, ())
    if not names:
        raise PricingInputError(field, f"{alpha3} has no time zone in the tz database; give the time zone")
    zone = one_clock(alpha2, moments)
    if zone is None:
        raise PricingInputError(field, f"{alpha3} spans several time zones ({', '.join(names)}); give the time zone")
    return zone


def one_clock(alpha2: str, moments: Iterable[datetime]) -> ZoneInfo | None:
    """The main zone of a country (ISO 3166-1 alpha-2) when all of its zones show the same wall-clock
    time at every moment given; None when they do not, or the country has no zone."""
    zones = [ZoneInfo(name) for name in zones_by_country().get(alpha2, ())]
    if zones and all(len({moment.astimezone(zone).utcoffset() for zone in zones}) == 1 for moment in moments):
        return zones[0]
    return None


@cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """alpha-2 -> zone names, in zone.tab order (the main zone of a country comes first)."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[str]] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, name, *_comment = line.split("\t")
            zones.setdefault(country, []).append(name)
    return {country: tuple(names) for country, names in zones.items()}
