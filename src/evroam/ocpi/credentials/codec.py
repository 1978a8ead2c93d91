"""The Credentials object of 2.2.1 (token, url, roles[]) and of 2.1.1 (flat, one party) ↔ our data.

Parsing validates what the specification requires (ocpi-notes §5.1): token string(64) of printable
non-space ASCII, url, at least one role, party_id 3 and country_code 2 characters, business_details.name.
Parties are normalised to upper case (CiString). A 2.1.1 object carries no role: the caller says which
role to assume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from evroam.ocpi.fitting import BUSINESS_DETAILS, Fitting
from evroam.ocpi.protocol.ascii_211 import ascii_document
from evroam.ocpi.protocol.bodies import validation_message
from evroam.outbound.policy import fit_to_call

Role = Literal["CPO", "EMSP", "HUB", "NAP", "NSP", "OTHER", "SCSP"]
ImageCategory = Literal["CHARGER", "ENTRANCE", "LOCATION", "NETWORK", "OPERATOR", "OTHER", "OWNER"]
Token = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,64}$")]
Url = Annotated[str, StringConstraints(max_length=255, pattern=r"^https?://\S+$")]
# The partner's versions URL, which evroam calls: the outbound guard's rules apply at input.
VersionsUrl = Annotated[Url, AfterValidator(fit_to_call)]
PartyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{3}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]


class _Lenient(BaseModel):
    # Unknown fields are ignored: peers add their own, and the specification may grow.
    model_config = ConfigDict(extra="ignore")


class Image(_Lenient):
    url: VersionsUrl
    thumbnail: Url | None = None
    category: ImageCategory
    type: Annotated[str, StringConstraints(min_length=1, max_length=4)]
    width: Annotated[int, Field(ge=0, le=99999)] | None = None
    height: Annotated[int, Field(ge=0, le=99999)] | None = None


class BusinessDetails(_Lenient):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    website: Url | None = None
    logo: Image | None = None


class CredentialsRole(_Lenient):
    role: Role
    business_details: BusinessDetails
    party_id: PartyId
    country_code: CountryCode


class Credentials221(_Lenient):
    token: Token
    url: VersionsUrl
    roles: Annotated[list[CredentialsRole], Field(min_length=1)]


class Credentials211(_Lenient):
    token: Token
    url: VersionsUrl
    business_details: BusinessDetails
    party_id: PartyId
    country_code: CountryCode


@dataclass(frozen=True, slots=True)
class PartyRole:
    role: str
    country_code: str
    party_id: str
    # OCPI BusinessDetails without empty fields: {name, website?, logo?}
    business_details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PartnerCredentials:
    token: str
    url: str
    roles: tuple[PartyRole, ...]


class InvalidCredentials(ValueError):
    """The object breaks the specification; the message names the fields, for an OCPI 2001 answer."""


def parse_credentials(version: str, payload: Any, assumed_role: str = "EMSP") -> PartnerCredentials:
    """`version` is our implementation (2.2.1 or 2.1.1); raises InvalidCredentials."""
    model = Credentials211 if version == "2.1.1" else Credentials221
    try:
        parsed = model.model_validate(payload)
    except ValidationError as exc:
        raise InvalidCredentials(validation_message(exc, PATTERN_PROBLEMS)) from exc
    if isinstance(parsed, Credentials211):
        roles: list[Any] = [CredentialsRole(role=assumed_role, business_details=parsed.business_details,
                                            party_id=parsed.party_id, country_code=parsed.country_code)]
    else:
        roles = parsed.roles
    parties = tuple(
        PartyRole(
            role=role.role,
            country_code=role.country_code.upper(),
            party_id=role.party_id.upper(),
            business_details=role.business_details.model_dump(exclude_none=True),
        )
        for role in roles
    )
    if len({(p.role, p.country_code, p.party_id) for p in parties}) != len(parties):
        raise InvalidCredentials("roles: each role, country_code and party_id combination must be unique")
    return PartnerCredentials(token=parsed.token, url=parsed.url, roles=parties)


def credentials_document(version: str, token: str, url: str, roles: list[PartyRole]) -> dict[str, Any]:
    """Our Credentials object as the partner's version expects it (2.1.1: the first role, flat, ASCII).
    The operator's name is fitted like in every other document; there is no publication to warn on, and
    the locations' operator details carry the same warning."""
    if version == "2.1.1":
        party = roles[0]
        return {
            "token": token,
            "url": url,
            "business_details": _fitted(version, ascii_document(party.business_details)),
            "party_id": party.party_id,
            "country_code": party.country_code,
        }
    return {
        "token": token,
        "url": url,
        "roles": [
            {
                "role": party.role,
                "business_details": _fitted(version, party.business_details),
                "party_id": party.party_id,
                "country_code": party.country_code,
            }
            for party in roles
        ],
    }


def _fitted(version: str, business_details: dict[str, Any]) -> dict[str, Any]:
    return Fitting(version).fit_lengths(business_details, BUSINESS_DETAILS)


def company_details(roles: tuple[PartyRole, ...]) -> list[dict[str, Any]]:
    """`Integration.partners_company_detail`: the seed's partnersCompanyDetail items, one per role."""
    details = []
    for party in roles:
        item = {"role": party.role, "partyId": party.party_id, "countryCode": party.country_code,
                "name": party.business_details.get("name")}
        for key in ("website", "logo"):
            if party.business_details.get(key) is not None:
                item[key] = party.business_details[key]
        details.append(item)
    return details


def is_platform(roles: tuple[PartyRole, ...]) -> bool:
    """Several roles or parties behind one connection (ocpi-notes §5.1): a platform partner."""
    return len(roles) > 1


PATTERN_PROBLEMS = {
    "token": "must be 1 to 64 printable ASCII characters without spaces",
    "url": "must be an http(s) URL of at most 255 characters",
    "website": "must be an http(s) URL of at most 255 characters",
    "thumbnail": "must be an http(s) URL of at most 255 characters",
    "party_id": "must be 3 letters or digits",
    "country_code": "must be 2 letters (ISO 3166-1 alpha-2)",
}
