"""How we put our partner token into `Authorization: Token …` (ocpi-notes §3.3).

2.2.x asks for Base64, 2.1.1 (and much 2.2 practice) sends the token raw. `Integration.token_encoding`
is `auto` (follow the version; during registration a 401 retries once with the other form, and the form
that worked is remembered in that column), or `base64` / `plain` to force one.
"""

from __future__ import annotations

import base64

AUTO = "auto"
BASE64 = "base64"
PLAIN = "plain"


def default_encoding(version: str | None) -> str:
    """Raw for 2.0/2.1.x, Base64 for 2.2.x; Base64 too while the version is not known yet."""
    return PLAIN if version and version.startswith(("2.0", "2.1")) else BASE64


def other_encoding(encoding: str) -> str:
    return PLAIN if encoding == BASE64 else BASE64


def resolve(setting: str | None, version: str | None) -> str:
    """The encoding to use now: a forced one, else the version's default."""
    return setting if setting in (BASE64, PLAIN) else default_encoding(version)


def authorization(token: str, encoding: str) -> str:
    if encoding == BASE64:
        return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")
    return f"Token {token}"
