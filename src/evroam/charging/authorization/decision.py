"""The whitelist rules of OCPI (ocpi-notes §12.4-12.5): which stored token decides, whether the eMSP is asked
in real time, and what is answered when it cannot be asked. Pure: no database, no partner.

`valid=false` refuses whatever the whitelist type (ocpi/ocpi #468); a refusal from the stored token says
BLOCKED, OCPI's word for a token its eMSP has switched off (the Token object carries no expiry to tell
EXPIRED from it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["ALLOWED", "BLOCKED", "EXPIRED", "NO_CREDIT", "NOT_ALLOWED", "UNKNOWN"]
# COMMAND: the eMSP vouched for the token in a START_SESSION or RESERVE_NOW (charging/commands/flows.py).
Source = Literal["LOCAL", "REAL_TIME", "FALLBACK", "COMMAND"]
Fallback = Literal["STORED_TOKEN", "ALLOW", "REFUSE"]

ALLOWED_TYPES = frozenset({"ALLOWED", "BLOCKED", "EXPIRED", "NO_CREDIT", "NOT_ALLOWED"})
# Whitelist types whose stored copy decides on its own; the other two (ALLOWED_OFFLINE, NEVER) ask the eMSP.
# ALLOWED leaves the choice to the CPO: a local decision is milliseconds, a call is the eMSP's latency.
LOCAL_WHITELISTS = frozenset({"ALWAYS", "ALLOWED"})
# A charger's idTag is an RFID uid: a card of the same uid but another type is the less likely owner.
_TYPE_ORDER = {"RFID": 0, "OTHER": 1, "AD_HOC_USER": 2, "APP_USER": 3}


@dataclass(frozen=True, slots=True)
class StoredToken:
    integration_id: str
    country_code: str
    party_id: str
    uid: str
    type: str
    valid: bool
    whitelist: str
    # The whole token, 2.2.1 shape.
    document: dict[str, Any]

    @property
    def named(self) -> str:
        return f"token {self.uid} ({self.type}) of {self.country_code}-{self.party_id}"


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    status: Status
    source: Source
    reason: str
    integration_id: str | None = None
    token: dict[str, Any] | None = None
    # Set when the eMSP's AuthorizationInfo gave one; otherwise evroam makes its own when recording.
    authorization_reference: str | None = None


def pick(tokens: Iterable[StoredToken]) -> StoredToken | None:
    """The token that decides when several integrations know the idTag.

    A valid token the eMSP lets us whitelist first: its eMSP has said it pays for this driver without being
    asked. Then a valid one that needs a call, then invalid ones (they refuse). Among equals the RFID type,
    then the integration id and the party, so the same request always gets the same answer.
    """
    return min(
        tokens,
        key=lambda token: (
            not (token.valid and token.whitelist in LOCAL_WHITELISTS),
            not token.valid,
            _TYPE_ORDER.get(token.type, len(_TYPE_ORDER)),
            token.integration_id,
            token.country_code,
            token.party_id,
        ),
        default=None,
    )


def asks_in_real_time(token: StoredToken) -> bool:
    return token.whitelist not in LOCAL_WHITELISTS


def from_stored(token: StoredToken, source: Source = "LOCAL", why: str = "") -> Verdict:
    if token.valid:
        reason = f"The {token.named} is valid and whitelisted {token.whitelist}{why}."
        return _of(token, True, "ALLOWED", source, reason)
    reason = f"The {token.named} is not valid (whitelist {token.whitelist}){why}."
    return _of(token, False, "BLOCKED", source, reason)


def from_answer(integration_id: str, allowed: str, token: dict[str, Any], reference: str | None, info: str) -> Verdict:
    said = f" ({info})" if info else ""
    reason = f"The eMSP answered {allowed} in real time{said}."
    return Verdict(allowed == "ALLOWED", allowed, "REAL_TIME", reason, integration_id, token, reference)  # type: ignore[arg-type]


def unknown(reason: str, source: Source = "LOCAL", integration_id: str | None = None) -> Verdict:
    return Verdict(False, "UNKNOWN", source, reason, integration_id)


def fallback(token: StoredToken | None, policy: Fallback, integration_id: str, problem: str) -> Verdict:
    """What is answered when the eMSP (or hub) of `integration_id` could not be asked (`problem` says why).

    ALLOWED_OFFLINE means "whitelist me when I cannot be reached": its stored copy decides, whatever the
    policy. For NEVER tokens and unknown idTags the integration's policy decides: ALLOW and REFUSE as they
    say; STORED_TOKEN follows OCPI, and a NEVER token's eMSP has forbidden deciding from the stored copy, so
    it refuses (NOT_ALLOWED: nobody said the token is bad, only that it cannot be checked). A token stored
    as invalid is refused whatever the policy.
    """
    why = f", and the eMSP could not be asked: {problem}"
    if token is not None and (token.whitelist == "ALLOWED_OFFLINE" or not token.valid):
        return from_stored(token, "FALLBACK", why)
    if policy == "ALLOW":
        reason = f"Allowed by the integration's fallback policy ALLOW: the eMSP could not be asked: {problem}."
        return _with(token, integration_id, True, "ALLOWED", reason)
    subject = f"the {token.named} is whitelisted NEVER" if token is not None else "the idTag is not known locally"
    reason = f"Refused ({policy}): {subject} and the eMSP could not be asked: {problem}."
    return _with(token, integration_id, False, "NOT_ALLOWED" if token is not None else "UNKNOWN", reason)


def _with(token: StoredToken | None, integration_id: str, allowed: bool, status: Status, reason: str) -> Verdict:
    document = token.document if token is not None else None
    return Verdict(allowed, status, "FALLBACK", reason, integration_id, document)


def _of(token: StoredToken, allowed: bool, status: Status, source: Source, reason: str) -> Verdict:
    return Verdict(allowed, status, source, reason, token.integration_id, token.document)
