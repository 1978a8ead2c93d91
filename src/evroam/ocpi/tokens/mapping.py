"""The Token object of 2.2.1 and of 2.1.1 ↔ the document evroam keeps (ocpi-notes §12.4, §14 "Tokens").

evroam keeps every token in the 2.2.1 shape, whatever version the partner speaks: a 2.1.1 token carries
no party (the caller gives the one the partner registered), names its contract `auth_id` and knows only
the types OTHER and RFID. Parsing validates what the specification requires and says which field is
wrong (pydantic's ValidationError; the routes turn it into OCPI 2001). Parties and uids are CiStrings:
compared without case (`key`), kept as the eMSP spelled them except the party, which is upper-cased.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from evroam.charging.tokens.records import KeptToken, TokenKey, TokenType
from evroam.ocpi.modules import V211
from evroam.ocpi.protocol.ascii_211 import ascii_document
from evroam.ocpi.protocol.datetimes import OcpiDateTime
from evroam.ocpi.protocol.envelope import ocpi_timestamp

TokenType211 = Literal["OTHER", "RFID"]
TOKEN_TYPES: tuple[str, ...] = TokenType.__args__  # type: ignore[attr-defined]
TOKEN_TYPES_211: tuple[str, ...] = TokenType211.__args__  # type: ignore[attr-defined]
WhitelistType = Literal["ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"]
ProfileType = Literal["CHEAP", "FAST", "GREEN", "REGULAR"]
# The `type` a URL leaves out (ocpi-notes §12.2).
DEFAULT_TYPE = "RFID"

# CiString(n): printable ASCII; string(n): any text of at most n characters.
CiString36 = Annotated[str, StringConstraints(pattern=r"^[ -~]{1,36}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
PartyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{3}$")]
String64 = Annotated[str, StringConstraints(max_length=64)]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]

# How the pattern failures above read, by field name (for the 2001 message).
PATTERN_PROBLEMS = {
    "uid": "must be 1 to 36 printable ASCII characters",
    "contract_id": "must be 1 to 36 printable ASCII characters",
    "auth_id": "must be 1 to 36 printable ASCII characters",
    "group_id": "must be 1 to 36 printable ASCII characters",
    "country_code": "must be 2 letters (ISO 3166-1 alpha-2)",
    "party_id": "must be 3 letters or digits",
    "language": "must be 2 letters (ISO 639-1)",
}


class _Lenient(BaseModel):
    # Unknown fields are ignored: peers add their own, and the specification may grow.
    model_config = ConfigDict(extra="ignore")


class EnergyContract(_Lenient):
    supplier_name: String64
    contract_id: String64 | None = None


class Token221(_Lenient):
    country_code: CountryCode
    party_id: PartyId
    uid: CiString36
    type: TokenType
    contract_id: CiString36
    visual_number: String64 | None = None
    issuer: String64
    group_id: CiString36 | None = None
    valid: bool
    whitelist: WhitelistType
    language: Language | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: OcpiDateTime


class Token211(_Lenient):
    uid: CiString36
    type: TokenType211
    auth_id: CiString36
    visual_number: String64 | None = None
    issuer: String64
    valid: bool
    whitelist: WhitelistType
    language: Language | None = None
    last_updated: OcpiDateTime


class TokenPatch221(_Lenient):
    """A PATCH: any fields of the Token, `last_updated` required (ocpi-notes §12.2)."""

    country_code: CountryCode | None = None
    party_id: PartyId | None = None
    uid: CiString36 | None = None
    type: TokenType | None = None
    contract_id: CiString36 | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    group_id: CiString36 | None = None
    valid: bool | None = None
    whitelist: WhitelistType | None = None
    language: Language | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: OcpiDateTime


class TokenPatch211(_Lenient):
    uid: CiString36 | None = None
    type: TokenType211 | None = None
    auth_id: CiString36 | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    valid: bool | None = None
    whitelist: WhitelistType | None = None
    language: Language | None = None
    last_updated: OcpiDateTime


def token_model(version: str) -> type[Token221] | type[Token211]:
    return Token211 if version == V211 else Token221


def patch_model(version: str) -> type[TokenPatch221] | type[TokenPatch211]:
    return TokenPatch211 if version == V211 else TokenPatch221


def kept(token: Token221 | Token211, party: tuple[str, str] | None = None) -> KeptToken:
    """The token to keep; a 2.1.1 token takes `party` (country_code, party_id), the partner's registered one."""
    if isinstance(token, Token211):
        if party is None:
            raise ValueError("a 2.1.1 token needs the party its partner registered")
        fields = token.model_dump(exclude_none=True, exclude={"auth_id"})
        fields.update(country_code=party[0], party_id=party[1], contract_id=token.auth_id)
    else:
        fields = token.model_dump(exclude_none=True)
    fields["country_code"] = fields["country_code"].upper()
    fields["party_id"] = fields["party_id"].upper()
    document = Token221.model_validate(fields).model_dump(mode="json", exclude_none=True)
    # Written as every OCPI timestamp evroam sends (UTC, milliseconds, Z).
    document["last_updated"] = ocpi_timestamp(token.last_updated)
    return KeptToken(
        key=TokenKey(document["country_code"], document["party_id"], document["uid"], document["type"]),
        document=document,
        contract_id=document["contract_id"],
        valid=document["valid"],
        whitelist=document["whitelist"],
        last_updated=token.last_updated,
    )


def patched(document: dict[str, Any], patch: TokenPatch221 | TokenPatch211) -> KeptToken:
    """The kept document with a PATCH applied (validated again as a whole: a PATCH cannot make it invalid)."""
    changes = patch.model_dump(exclude_unset=True, exclude_none=True, mode="json")
    if isinstance(patch, TokenPatch211) and "auth_id" in changes:
        changes["contract_id"] = changes.pop("auth_id")
    merged = {**document, **changes}
    return kept(Token221.model_validate(merged))


def as_version(document: dict[str, Any], version: str) -> dict[str, Any]:
    """A kept token in the shape of the partner's version."""
    if version != V211:
        return document
    token = {
        "uid": document["uid"],
        # 2.1.1 knows no APP_USER or AD_HOC_USER: they are OTHER there.
        "type": document["type"] if document["type"] in TOKEN_TYPES_211 else "OTHER",
        "auth_id": document["contract_id"],
        "issuer": document["issuer"],
        "valid": document["valid"],
        "whitelist": document["whitelist"],
        "last_updated": document["last_updated"],
    }
    for optional in ("visual_number", "language"):
        if optional in document:
            token[optional] = document[optional]
    return ascii_document(token)
