"""Reading a partner's versions and version details with a token: the part both handshake directions share.

Failures are `RegistrationFailure`s carrying the OCPI code the credentials Receiver answers with (3001:
we cannot use the partner's API, 3002: no common version, 3003: a required endpoint is missing), one
sentence the operator can act on (`message`, which may quote what the partner's server answered) and one
for the partner (`for_partner`, which never does: a partner that gave us a URL must not learn from our
answer what that URL serves).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from evroam.ocpi.protocol import token_encoding
from evroam.ocpi.protocol.client import OcpiReply, PartnerUnreachable, request
from evroam.ocpi.protocol.envelope import (
    CLIENT_ERROR,
    NO_MATCHING_ENDPOINTS,
    SERVER_ERROR,
    UNABLE_TO_USE_CLIENT_API,
    UNSUPPORTED_VERSION,
)
from evroam.ocpi import modules
from evroam.ocpi.modules import PARTNER_VERSIONS, implementation_of
from evroam.outbound.client import OutboundClient

log = logging.getLogger(__name__)

# Modules whose objects a CPO owns: a non-CPO partner serves them as Receiver (2.1.1 endpoints have no role).
# A fact of OCPI, not of what evroam serves: it holds for the modules we do not build yet, or never will,
# and partners list those too. (Of the modules in the registry, those we serve as SENDER are CPO-owned;
# tests/ocpi/test_modules.py checks that the two agree.)
CPO_OWNED = frozenset({"locations", "tariffs", "sessions", "cdrs"})


class RegistrationFailure(Exception):
    def __init__(self, code: int, message: str, for_partner: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.for_partner = for_partner or message


class PartnerLine:
    """Calls one partner with one token, finding the Authorization encoding the partner accepts.

    In `auto` mode a 401 is retried once with the other encoding; the one that worked sticks for the
    next calls and `learned_setting()` tells what to remember in `Integration.token_encoding`.
    """

    def __init__(self, http: OutboundClient, token: str, setting: str | None, token_name: str,
                 version: str | None = None) -> None:
        self.http = http
        self.token = token
        forced = setting in (token_encoding.BASE64, token_encoding.PLAIN)
        self.setting = setting if forced else token_encoding.AUTO
        self.token_name = token_name
        self.version = version
        self.learned: str | None = None

    @property
    def encoding(self) -> str:
        if self.setting in (token_encoding.BASE64, token_encoding.PLAIN):
            return self.setting
        return self.learned or token_encoding.default_encoding(self.version)

    async def call(self, method: str, url: str, json_body: Any = None) -> OcpiReply:
        encoding = self.encoding
        reply = await request(method, url, token=self.token, encoding=encoding, json_body=json_body, http=self.http)
        if reply.http_status == 401 and self.setting == token_encoding.AUTO:
            retry = await request(method, url, token=self.token, encoding=token_encoding.other_encoding(encoding),
                                  json_body=json_body, http=self.http)
            if _understood(retry):
                self.learned = token_encoding.other_encoding(encoding)
                return retry
        return reply

    def learned_setting(self) -> str | None:
        """The encoding to remember: only when auto mode found one that the version's default is not."""
        if self.learned and self.learned != token_encoding.default_encoding(self.version):
            return self.learned
        return None


def _understood(reply: OcpiReply) -> bool:
    """The other encoding got through: success, or a specific OCPI answer (3001, ...), not a generic error
    that servers also give for a token they cannot decode."""
    if reply.ok:
        return True
    return reply.http_status not in (401, 403) and reply.status_code not in (None, CLIENT_ERROR, SERVER_ERROR)


@dataclass(frozen=True, slots=True)
class Discovery:
    # The partner's version number (may be "2.2") and the implementation of ours that speaks it.
    version: str
    implementation: str
    # `Integration.version_details`: {"version", "endpoints": [{"identifier", "role", "url"}]}
    details: dict[str, Any]

    def endpoint(self, identifier: str) -> str:
        return next(e["url"] for e in self.details["endpoints"] if e["identifier"] == identifier)


async def discover(line: PartnerLine, versions_url: str, wanted: str | None = None,
                   partner_is_cpo: bool = False) -> Discovery:
    """Versions, then details of the best common version (or of `wanted`, one of our implementations)."""
    offered = await _data(line, versions_url, "versions")
    if not isinstance(offered, list):
        raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                  f"The partner's versions at {versions_url} are not a list of versions.")
    number, details_url = choose_version(offered, wanted)
    line.version = implementation_of(number)
    details = await _data(line, details_url, "version details")
    if not isinstance(details, dict) or not isinstance(details.get("endpoints"), list):
        raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                  f"The partner's version details at {details_url} list no endpoints.")
    endpoints = normalise_endpoints(details["endpoints"], partner_is_cpo)
    present = {endpoint["identifier"] for endpoint in endpoints}
    required = [module.identifier for module in modules.MODULES if module.required_of_partner]
    missing = [identifier for identifier in required if identifier not in present]
    if missing:
        raise RegistrationFailure(
            NO_MATCHING_ENDPOINTS,
            f"The partner's version {number} details at {details_url} lack the {', '.join(missing)} endpoint.",
        )
    return Discovery(version=number, implementation=line.version, details={"version": number, "endpoints": endpoints})


def choose_version(offered: list[Any], wanted: str | None) -> tuple[str, str]:
    """(number, details URL) of the best version both sides speak, restricted to `wanted` when given."""
    usable = {}
    for item in offered:
        if isinstance(item, dict) and isinstance(item.get("version"), str) and isinstance(item.get("url"), str):
            usable[item["version"]] = item["url"]
    for number, implementation in PARTNER_VERSIONS.items():
        if number in usable and wanted in (None, implementation):
            return number, usable[number]
    listed = ", ".join(sorted(usable)) or "no version"
    *others, last = [number for number, implementation in PARTNER_VERSIONS.items() if wanted in (None, implementation)]
    ours = f"{', '.join(others)} or {last}" if others else last
    raise RegistrationFailure(UNSUPPORTED_VERSION, f"The partner offers OCPI {listed}; evroam needs {ours}.")


def normalise_endpoints(raw: list[Any], partner_is_cpo: bool) -> list[dict[str, str]]:
    """Endpoints as `{identifier, role, url}`; a missing role (2.1.1) is inferred from who owns the module."""
    endpoints = []
    for item in raw:
        if not (isinstance(item, dict) and isinstance(item.get("identifier"), str)
                and isinstance(item.get("url"), str)):
            log.info("ignoring a malformed endpoint in a partner's version details: %r", item)
            continue
        role = item.get("role")
        if role not in ("SENDER", "RECEIVER"):
            role = _inferred_role(item["identifier"], partner_is_cpo)
        endpoints.append({"identifier": item["identifier"], "role": role, "url": item["url"]})
    return endpoints


def _inferred_role(identifier: str, partner_is_cpo: bool) -> str:
    if identifier == "credentials":
        return "SENDER"
    partner_owns = partner_is_cpo == (identifier in CPO_OWNED)
    return "SENDER" if partner_owns else "RECEIVER"


async def _data(line: PartnerLine, url: str, what: str) -> Any:
    try:
        reply = await line.call("GET", url)
    except PartnerUnreachable as exc:
        raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                  f"The partner's {what} at {url} cannot be reached: {exc.reason}.",
                                  _unreachable_for_partner(exc, what, url)) from exc
    if reply.http_status == 401:
        raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                  f"The partner refused {line.token_name} at its {what} {url} (HTTP 401).")
    if not reply.ok:
        raise RegistrationFailure(UNABLE_TO_USE_CLIENT_API,
                                  f"The partner's {what} at {url} answered {reply.problem()}.",
                                  f"Your {what} at {url} answered {reply.status_summary()}.")
    return reply.data


def _unreachable_for_partner(exc: PartnerUnreachable, what: str, url: str) -> str:
    """What the partner is told: whether evroam refused its URL or got no answer, never more (the
    operator's message says why)."""
    if exc.refused:
        return (f"evroam does not call your {what} at {url}: partner URLs must be http(s) on public "
                "addresses, without a user name or password.")
    return f"evroam got no answer from your {what} at {url}."
