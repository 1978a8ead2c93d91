"""One push to a partner, reduced to what the worker decides on.

The stored JSON text goes out as it is (an orjson Fragment), through `evroam.ocpi.protocol.client.send` with our
party taken from the claim (one query per batch, not one per push). A push counts as delivered on
HTTP 2xx with an OCPI 1xxx code, or with no envelope at all (lenient with receivers that answer an
empty body); anything else is a failure to retry, with the partner's `Retry-After` honoured on 429
and 503.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from evroam.integrations.models import Integration
from evroam.ocpi.protocol.client import NotConnected, PartnerUnreachable, Party, send
from evroam.outbound.client import OutboundClient
from evroam.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    http_status: int | None = None
    error: str | None = None
    retry_after: float | None = None


async def push(
    runtime: Runtime,
    integration: Integration,
    our_party: Party,
    module: str,
    method: str,
    url: str,
    body: str | None,
    http: OutboundClient,
) -> Outcome:
    try:
        reply = await send(
            runtime,
            integration,
            method,
            url,
            orjson.Fragment(body) if body is not None else None,
            module,
            from_party=our_party,
            http=http,
        )
    except NotConnected as exc:
        return Outcome(False, error=str(exc))
    except PartnerUnreachable as exc:
        return Outcome(False, error=str(exc))
    success = 200 <= reply.http_status < 300 and (reply.status_code is None or 1000 <= reply.status_code < 2000)
    if success:
        return Outcome(True, reply.http_status)
    retry_after = reply.retry_after if reply.http_status in (429, 503) else None
    return Outcome(False, reply.http_status, reply.problem(), retry_after)
