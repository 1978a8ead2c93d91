"""Real-time authorization: `POST {eMSP tokens Sender}/{uid}/authorize?type={type}` (ocpi-notes §12.5).

The body names the one location and the one EVSE of the socket the driver stands at (hubs refuse a
request without them: charging-notes, Gireve); 2.1.1 also names the connector. The answer is read in both
versions' shapes (2.1.1's AuthorizationInfo has no token and no authorization_reference):

* an AuthorizationInfo: `Answer` (ALLOWED, or BLOCKED/EXPIRED/NO_CREDIT/NOT_ALLOWED: a refusal); also a
  list of exactly one, as py_ocpi eMSPs send it (an empty list or several items are garbage);
* HTTP 404 or OCPI 2004 (with HTTP 200 too, spec defect §15.3); for 2.1.1, which has no 2004, also 2000
  without data, as peers answer: `UNKNOWN`;
* anything else (no answer in time, not an envelope, an error status, a wrong shape): `CouldNotAsk`,
  naming what happened, for the fallback.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from evroam.charging.authorization.decision import ALLOWED_TYPES
from evroam.integrations.models import Integration
from evroam.ocpi.modules import V211, implementation_of
from evroam.ocpi.protocol.client import NotConnected, OcpiReply, PartnerUnreachable, find_endpoint, send
from evroam.ocpi.protocol.envelope import UNKNOWN_TOKEN
from evroam.runtime import Runtime

_CI_STRING_36 = re.compile(r"^[\x20-\x7e]{1,36}$")


@dataclass(frozen=True, slots=True)
class Place:
    """Where the driver stands, as published to this partner."""

    location_id: str
    evse_uid: str
    connector_id: str


@dataclass(frozen=True, slots=True)
class Answer:
    allowed: str
    # 2.2.1: the eMSP's token (2.2.1 shape); 2.1.1 gives none.
    token: dict[str, Any] | None
    authorization_reference: str | None
    # The DisplayText the eMSP gave, for the operator.
    info: str


class Unknown:
    """The eMSP does not know the token."""


UNKNOWN: Final = Unknown()


class CouldNotAsk(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def location_references(version: str, place: Place) -> dict[str, Any]:
    body: dict[str, Any] = {"location_id": place.location_id, "evse_uids": [place.evse_uid]}
    if version == V211:
        body["connector_ids"] = [place.connector_id]
    return body


async def authorize(
    runtime: Runtime, integration: Integration, uid: str, token_type: str, place: Place, timeout_ms: int
) -> Answer | Unknown:
    version = implementation_of(integration.ocpi_version)
    if version is None:
        raise CouldNotAsk(f"the integration speaks no OCPI version evroam knows ({integration.ocpi_version})")
    tokens_url = find_endpoint(integration.version_details, "tokens", "SENDER")
    if not tokens_url:
        raise CouldNotAsk("the partner announced no tokens Sender endpoint")
    url = f"{tokens_url.rstrip('/')}/{quote(uid, safe='')}/authorize?type={quote(token_type, safe='')}"
    try:
        async with asyncio.timeout(timeout_ms / 1000):
            reply = await send(runtime, integration, "POST", url, location_references(version, place), module="tokens")
    except TimeoutError:
        raise CouldNotAsk(f"no answer within {timeout_ms} ms") from None
    except PartnerUnreachable as exc:
        raise CouldNotAsk(f"unreachable: {exc.reason}") from None
    except NotConnected as exc:
        raise CouldNotAsk(str(exc)) from None
    return read_reply(version, reply)


def read_reply(version: str, reply: OcpiReply) -> Answer | Unknown:
    if reply.http_status == 404 or reply.status_code == UNKNOWN_TOKEN:
        return UNKNOWN
    if version == V211 and reply.status_code == 2000 and reply.data is None:
        return UNKNOWN
    if not reply.ok:
        raise CouldNotAsk(f"it answered {reply.problem()}")
    return _authorization_info(version, _the_one_item(reply.data))


def _the_one_item(data: Any) -> Any:
    """py_ocpi wraps its AuthorizationInfo in a list of one; an answer that is not one item decides nothing."""
    if not isinstance(data, list):
        return data
    if len(data) != 1:
        raise CouldNotAsk(f"its answer is a list of {len(data)} items, not one AuthorizationInfo")
    return data[0]


def _authorization_info(version: str, data: Any) -> Answer:
    if not isinstance(data, dict) or data.get("allowed") not in ALLOWED_TYPES:
        raise CouldNotAsk("its answer is not an AuthorizationInfo (no known `allowed` value)")
    token = None
    reference = None
    if version != V211:
        token = data.get("token")
        if token is not None and not (isinstance(token, dict) and isinstance(token.get("uid"), str)):
            raise CouldNotAsk("the AuthorizationInfo's token is not a Token")
        reference = data.get("authorization_reference")
        if reference is not None and not (isinstance(reference, str) and _CI_STRING_36.match(reference)):
            raise CouldNotAsk("the AuthorizationInfo's authorization_reference is not a CiString(36)")
    return Answer(data["allowed"], token, reference, _info_text(data.get("info")))


def _info_text(info: Any) -> str:
    if isinstance(info, dict) and isinstance(info.get("text"), str):
        return info["text"][:512]
    return ""
