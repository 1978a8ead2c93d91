"""Outbound OCPI: the one place where evroam calls partners.

Two levels:

* `request(method, url, token=..., encoding=...)`: any OCPI call with a given token (the registration uses
  it with token A, or with a token it is testing). Adds `Authorization: Token …` (Base64 or plain),
  `X-Request-ID` (new every call) and `X-Correlation-ID` (given, to tie a call to what caused it, or new),
  and returns an `OcpiReply`. It goes through the given `OutboundClient` (evroam.outbound): the guard,
  redirects checked hop by hop, timeouts and a size limit.
* `send(runtime, integration, method, url, json_body, module)`: a call to a CONNECTED integration (for the
  outbox worker: pushes of locations, tariffs, ...). It decrypts the partner token, encodes it as the
  integration's version and `token_encoding` say, and on 2.2.x functional modules adds the routing headers
  `OCPI-from-country-code/party-id` (our operator) and `OCPI-to-country-code/party-id` (the partner's
  registered party: `third_party_*` when set, i.e. the party behind a platform, else its first role, or
  `to_party=` to address another one). Never on configuration modules (`ocpi/modules.py`). Raises
  `NotConnected` when the integration is not CONNECTED or has no partner token.

Both raise `PartnerUnreachable` when no HTTP answer came back (refused by the guard, connection refused,
timeout, answer too large).
An `OcpiReply` carries the HTTP status, the OCPI `status_code`/`status_message`/`data` when the body is
an envelope (else `status_code` is None), and `retry_after` in seconds (from `Retry-After`, on 429/503).
`reply.ok` is HTTP 2xx with an OCPI 1xxx code; `reply.problem()` says in words what went wrong (for the
operator: it may quote the partner's answer, which is never passed on to another partner).
`send` uses the runtime's shared client unless given `http=` (the worker keeps one per partner).

`find_endpoint(version_details, identifier, role)` finds a partner endpoint URL in the stored
`Integration.version_details` (2.1.1 endpoints carry a role inferred at registration, see discovery.py).
"""

from __future__ import annotations

import email.utils
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from evroam.integrations.models import Integration
from evroam.network.operators.models import Operator
from evroam.ocpi.modules import V221, implementation_of, is_configuration
from evroam.ocpi.protocol import token_encoding
from evroam.ocpi.protocol.envelope import JSON_OPTIONS
from evroam.outbound.client import Answer, CallFailed, OutboundClient
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

class PartnerUnreachable(Exception):
    def __init__(self, url: str, reason: str, refused: bool = False) -> None:
        super().__init__(f"{url} cannot be reached: {reason}")
        self.url = url
        self.reason = reason
        # The outbound guard refused the URL (evroam.outbound): nothing was sent.
        self.refused = refused


class NotConnected(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Party:
    country_code: str
    party_id: str


@dataclass(frozen=True, slots=True)
class OcpiReply:
    method: str
    url: str
    http_status: int
    status_code: int | None
    status_message: str | None
    data: Any
    retry_after: float | None
    headers: httpx.Headers
    # The start of a body that is not an OCPI envelope (a framework's 422 says what it refused).
    body_excerpt: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.http_status < 300 and self.status_code is not None and 1000 <= self.status_code < 2000

    def status_summary(self) -> str:
        """The statuses alone, for a partner: nothing of what the answer said."""
        if self.status_code is None:
            return f"HTTP {self.http_status} without an OCPI envelope"
        return f"HTTP {self.http_status}, OCPI {self.status_code}"

    def problem(self) -> str:
        """What went wrong, in words fit for a status description (empty when nothing did)."""
        if self.ok:
            return ""
        parts = [f"HTTP {self.http_status}"]
        if self.status_code is None:
            parts.append(f"no OCPI envelope: {self.body_excerpt}" if self.body_excerpt else "no OCPI envelope")
        else:
            parts.append(f"OCPI {self.status_code}")
        if self.status_message:
            parts.append(f'"{self.status_message}"')
        return ", ".join(parts)


def message_ids(correlation_id: str | None = None) -> dict[str, str]:
    return {"X-Request-ID": str(uuid.uuid4()), "X-Correlation-ID": correlation_id or str(uuid.uuid4())}


def routing_headers(sender: Party, receiver: Party) -> dict[str, str]:
    return {
        "OCPI-from-country-code": sender.country_code,
        "OCPI-from-party-id": sender.party_id,
        "OCPI-to-country-code": receiver.country_code,
        "OCPI-to-party-id": receiver.party_id,
    }


async def request(
    method: str,
    url: str,
    *,
    token: str,
    encoding: str,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    correlation_id: str | None = None,
    http: OutboundClient,
) -> OcpiReply:
    all_headers = {"Authorization": token_encoding.authorization(token, encoding), **message_ids(correlation_id)}
    content = None
    if json_body is not None:
        content = orjson.dumps(json_body, option=JSON_OPTIONS)
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    try:
        answer = await http.request(method, url, content=content, headers=all_headers)
    except CallFailed as exc:
        raise PartnerUnreachable(url, exc.reason, exc.refused) from exc
    return _reply(method, url, answer)


async def send(
    runtime: Runtime,
    integration: Integration,
    method: str,
    url: str,
    json_body: Any = None,
    module: str = "locations",
    *,
    to_party: Party | None = None,
    from_party: Party | None = None,
    correlation_id: str | None = None,
    http: OutboundClient | None = None,
) -> OcpiReply:
    """`from_party` spares a database read when the caller knows our party (the worker, per batch)."""
    if integration.integration_status != "CONNECTED" or not integration.partner_token_encrypted:
        raise NotConnected(
            f"integration {integration.integration_id} is {integration.integration_status}, not CONNECTED"
        )
    headers: dict[str, str] = {}
    implementation = implementation_of(integration.ocpi_version) or integration.ocpi_version
    if implementation == V221 and not is_configuration(module):
        receiver = to_party or partner_party(integration)
        if receiver is not None:
            sender = from_party or await _our_party(runtime, integration.operator_id)
            headers = routing_headers(sender, receiver)
    return await request(
        method,
        url,
        token=runtime.secrets.decrypt(integration.partner_token_encrypted),
        encoding=token_encoding.resolve(integration.token_encoding, integration.ocpi_version),
        json_body=json_body,
        headers=headers,
        correlation_id=correlation_id,
        http=http or runtime.partners,
    )


def partner_party(integration: Integration) -> Party | None:
    """The party our functional calls address: the one behind a platform when set, else the first role."""
    if integration.third_party_country_code and integration.third_party_id:
        return Party(integration.third_party_country_code.upper(), integration.third_party_id.upper())
    for detail in integration.partners_company_detail or []:
        if detail.get("countryCode") and detail.get("partyId"):
            return Party(detail["countryCode"].upper(), detail["partyId"].upper())
    return None


def find_endpoint(version_details: dict[str, Any] | None, identifier: str, role: str | None = None) -> str | None:
    for endpoint in (version_details or {}).get("endpoints") or []:
        if endpoint.get("identifier") == identifier and (role is None or endpoint.get("role") in (role, None)):
            return endpoint.get("url")
    return None


async def _our_party(runtime: Runtime, operator_id: int) -> Party:
    async with runtime.sessions() as session:
        operator = await session.get(Operator, operator_id)
    return Party(operator.country_code, operator.party_id)


def _reply(method: str, url: str, answer: Answer) -> OcpiReply:
    status_code = status_message = data = None
    try:
        body = orjson.loads(answer.body) if answer.body else None
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("status_code"), int):
        status_code = body["status_code"]
        status_message = body.get("status_message") if isinstance(body.get("status_message"), str) else None
        data = body.get("data")
    return OcpiReply(
        method=method,
        url=url,
        http_status=answer.status,
        status_code=status_code,
        status_message=status_message,
        data=data,
        retry_after=_retry_after(answer.headers.get("retry-after")),
        headers=answer.headers,
        body_excerpt="" if status_code is not None else _excerpt(answer.body.decode("utf-8", "replace")),
    )


def _excerpt(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait: `Retry-After` is either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
