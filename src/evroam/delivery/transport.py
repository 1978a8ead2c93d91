"""One push to a partner, reduced to what the worker decides on.

The stored JSON text goes out as it is (an orjson Fragment), through `evroam.ocpi.protocol.client.send` with our
party taken from the claim (one query per batch, not one per push). A push counts as delivered on
HTTP 2xx with an OCPI 1xxx code, or with no envelope at all (lenient with receivers that answer an
empty body, or a body that is no JSON at all: the partner's HTTP layer took the request, and sending
again could only duplicate it); anything else is a failure to retry, with the partner's `Retry-After`
honoured on 429 and 503.

A POSTED_ONCE push (a CDR) also keeps the partner's `Location` answer, and counts as delivered when the
partner answers that it already holds that id: the answer to an earlier POST of it was lost (a
timeout, a worker that died), and OCPI has no status for "already there". Partners say it as HTTP 409,
or as an OCPI 2xxx error whose message says so (a PHP eMSP library answers `2001 "CDR already
exists."`); a 2001 that says anything else is a refusal and is retried like any failure.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import orjson

from evroam.integrations.models import Integration
from evroam.ocpi.modules import DeliveryKind
from evroam.ocpi.protocol.client import NotConnected, OcpiReply, PartnerUnreachable, Party, send
from evroam.outbound.client import OutboundClient
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

# A partner's words for "I already hold a document with this id".
_ALREADY_HELD = re.compile(r"already\s+(exist|known|received|stored|processed|present)|duplicate", re.IGNORECASE)
# The width of Delivery.partner_location: a longer URL is not kept rather than kept cut.
_LOCATION_LIMIT = 512


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    http_status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    # POSTED_ONCE: the partner's `Location` header (None when it gave none, as partners answering
    # "already exists" usually do).
    location: str | None = None


async def push(
    runtime: Runtime,
    integration: Integration,
    our_party: Party,
    module: str,
    kind: DeliveryKind,
    method: str,
    url: str,
    body: str | None,
    http: OutboundClient,
    addressee: Party | None = None,
) -> Outcome:
    """`addressee`: the party the routing headers name, when not the integration's own (a hub's eMSP)."""
    try:
        reply = await send(
            runtime,
            integration,
            method,
            url,
            orjson.Fragment(body) if body is not None else None,
            module,
            to_party=addressee,
            from_party=our_party,
            http=http,
        )
    except NotConnected as exc:
        return Outcome(False, error=str(exc))
    except PartnerUnreachable as exc:
        return Outcome(False, error=str(exc))
    success = 200 <= reply.http_status < 300 and (reply.status_code is None or 1000 <= reply.status_code < 2000)
    if success:
        return Outcome(True, reply.http_status, location=_location(reply) if kind is DeliveryKind.POSTED_ONCE else None)
    if kind is DeliveryKind.POSTED_ONCE and already_held(reply):
        log.info("%s already holds the document POSTed to %s: delivered before", integration.integration_id, url)
        return Outcome(True, reply.http_status, location=_location(reply))
    retry_after = reply.retry_after if reply.http_status in (429, 503) else None
    return Outcome(False, reply.http_status, reply.problem(), retry_after)


def already_held(reply: OcpiReply) -> bool:
    """The partner refused a POST because it already holds a document with that id."""
    if reply.http_status == 409:
        return True
    refused = 200 <= reply.http_status < 500 and reply.status_code is not None and 2000 <= reply.status_code < 3000
    return refused and bool(_ALREADY_HELD.search(reply.status_message or ""))


def _location(reply: OcpiReply) -> str | None:
    location = reply.headers.get("location")
    if location is not None and len(location) > _LOCATION_LIMIT:
        log.warning("%s answered a Location of %s characters, not kept", reply.url, len(location))
        return None
    return location
