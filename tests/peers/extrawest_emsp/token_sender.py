"""The extrawest eMSP's Tokens Sender: the token list, paging and authorization decisions that
emsp.py's Crud hands to py_ocpi, plus the fixes for what py_ocpi 2025.7.16 gets wrong on the wire.

Tokens are kept in the 2.2.1 shape, in creation order (OCPI's stable order: an update keeps its place);
a 2.1.1 client sees them in the 2.1.1 shape (`auth_id`, no country_code/party_id), and only those of a
type 2.1.1 knows (RFID, OTHER).

What py_ocpi's tokens list and authorize routes do wrong, and what this file does about it:
* its next-page Link (core/utils.py get_list) is `https://`, always under `/cpo/`, names the version
  and module as `VersionNumber.v_2_2_1` / `ModuleID.tokens` (f-strings of its str Enums on Python 3.11),
  and carries `date_from=None&date_to=None`, which its own route refuses with 422: `followable_link`
  rebuilds it on the URL that was asked, keeping only the filters given. py_ocpi also sends an empty
  `Link:` header on the last page; that is left as it is (a client must read it as "no next page").
* it takes any `limit` (X-Limit echoes what was asked) and moves the next offset on by the asked
  limit, so a Crud that served fewer would skip objects: `capped_filters` caps the limit before
  py_ocpi sees it.
* its authorize route reads the token type from `?token_type=`, where OCPI says `?type=`:
  `with_token_type` renames the parameter on authorize requests.
Left as py_ocpi does it (the client must cope): CiStrings come back lower-case (uid, country_code,
party_id, contract_id, location ids), absent optional fields as null, AuthorizationInfo as a list of
one in `data`, an unknown token as HTTP 404 `{"detail": "Object not found."}` without an OCPI envelope.

This file runs under pydantic 1 and must not import evroam.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Query
from fastapi.encoders import jsonable_encoder
from py_ocpi.core.dependencies import pagination_filters
from py_ocpi.modules.tokens.v_2_1_1.enums import TokenType as TokenType211
from py_ocpi.modules.tokens.v_2_2_1.schemas import Token
from py_ocpi.modules.versions.enums import VersionNumber

AUTHORIZE_PATH = re.compile(r"/tokens/[^/]+/authorize/?$")
NEXT_LINK = re.compile(r'<(?P<url>[^>]*)>;\s*rel="next"')
TYPES_211 = {member.value for member in TokenType211}
FIELDS_211 = ("uid", "type", "visual_number", "issuer", "valid", "whitelist", "language", "last_updated")


def key(uid: str, token_type: str) -> tuple[str, str]:
    return uid.upper(), token_type


def normalised(document: dict[str, Any], country_code: str, party_id: str) -> dict[str, Any]:
    """A seeded token in either version's shape, as the 2.2.1 Token py_ocpi validates; ValidationError
    when it is not one."""
    document = dict(document)
    if "auth_id" in document:
        document.setdefault("contract_id", document.pop("auth_id"))
    document.setdefault("country_code", country_code)
    document.setdefault("party_id", party_id)
    return jsonable_encoder(Token(**document).dict(exclude_none=True))


def in_version(token: dict[str, Any], version: str) -> dict[str, Any] | None:
    """The token as a client of `version` sees it; None when that version has no such token type."""
    if version != VersionNumber.v_2_1_1:
        return token
    if token["type"] not in TYPES_211:
        return None
    shaped = {field: token[field] for field in FIELDS_211 if field in token}
    shaped["auth_id"] = token["contract_id"]
    return shaped


def page(tokens: list[dict[str, Any]], filters: dict[str, Any]) -> tuple[list[dict[str, Any]], int, bool]:
    """Crud.list's answer: the page asked, how many match the date filters, whether it is the last."""
    date_from, date_to = _utc(filters["date_from"]), _utc(filters["date_to"])
    matching = [token for token in tokens
                if (date_from is None or _utc(token["last_updated"]) >= date_from)
                and (date_to is None or _utc(token["last_updated"]) < date_to)]
    offset, limit = filters["offset"], filters["limit"]
    return matching[offset:offset + limit], len(matching), offset + limit >= len(matching)


def decision(token: dict[str, Any], location: dict[str, Any] | None, version: str, reference: str) -> dict[str, Any]:
    """AuthorizationInfo for a known token: ALLOWED while it is valid, BLOCKED once it is not."""
    answer: dict[str, Any] = {"allowed": "ALLOWED" if token["valid"] else "BLOCKED"}
    if location:
        answer["location"] = location
    if version != VersionNumber.v_2_1_1:
        answer["token"] = token
        answer["authorization_reference"] = reference
    return answer


def capped_filters(max_limit: int):
    """A stand-in for py_ocpi's pagination_filters that never lets a page exceed `max_limit`."""
    def filters(date_from: datetime = Query(default=None), date_to: datetime = Query(default=None),
                offset: int = Query(default=0), limit: int = Query(default=max_limit)) -> dict[str, Any]:
        return pagination_filters(date_from, date_to, max(offset, 0), min(max(limit, 1), max_limit))
    return filters


def with_token_type(path: str, query_string: bytes) -> bytes:
    """The query string py_ocpi's authorize route understands: OCPI's `type` renamed `token_type`."""
    if not AUTHORIZE_PATH.search(path):
        return query_string
    pairs = [("token_type" if name == "type" else name, value)
             for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)]
    return urlencode(pairs).encode("latin-1")


def followable_link(link: str, asked_url: str) -> str:
    """py_ocpi's next-page Link moved onto the URL that was asked, with the filters it was given."""
    match = NEXT_LINK.fullmatch(link.strip())
    if not match:
        return link
    parameters = [(name, _rfc3339(value) if name.startswith("date_") else value)
                  for name, value in parse_qsl(urlsplit(match["url"]).query) if value != "None"]
    base = urlsplit(asked_url)._replace(query="", fragment="").geturl()
    return f'<{base}?{urlencode(parameters)}>; rel="next"'


def _utc(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _rfc3339(value: str) -> str:
    return _utc(value).isoformat().replace("+00:00", "Z")
