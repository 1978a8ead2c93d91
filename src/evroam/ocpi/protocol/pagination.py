"""Sender interfaces served from the publication ledger: who may read, paginated lists (ocpi-notes
§2.6), single objects.

`offset` (default 0), `limit` (capped at MAX_LIMIT, which X-Limit announces), `date_from` (inclusive)
and `date_to` (exclusive) on last_updated. The response carries X-Total-Count, X-Limit and, when more
follows, an absolute `Link: <…>; rel="next"` that keeps the filters. Bad values answer OCPI 2001 in an
HTTP 200 envelope (the request reached the OCPI layer). The page body is the stored documents joined
as they are: no document is parsed or serialised again per request.

The next-page Link also carries evroam's own `continue_after=<offset>:<last object id>`: following it,
the page starts after that object (an index seek, where OFFSET steps over every earlier row). It is
used only while the request's offset is still the one the link was made for, so a client that builds
or edits URLs itself gets plain OCPI offset paging.

Any other query parameter answers 2001 naming it: a filter we do not know would otherwise be dropped
without a word, and the partner would take the whole list for the filtered one.

A partner reads in the OCPI version it negotiated (its documents are stored in that shape) and only
the modules its integration offers: the module's pull flag (`ocpi/modules.py`) false answers HTTP 404 with OCPI 2000
"module not offered", as for any endpoint a partner's version details do not list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import orjson
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.publication.ledger import negotiated_version, published_page
from evroam.api.deps import RuntimeDep, SessionDep
from evroam.ocpi import modules
from evroam.ocpi.protocol.auth import Caller, PartnerCaller
from evroam.ocpi.protocol.envelope import CLIENT_ERROR, INVALID_PARAMETERS, SUCCESS, OcpiError, ocpi_timestamp

MAX_LIMIT = 1000
# The query parameters of a list GET: OCPI's four and our continuation.
LIST_PARAMETERS = ("date_from", "date_to", "offset", "limit", "continue_after")
# Offsets past any real list just give an empty page; bounded so the database can take the number.
MAX_OFFSET = 2**31 - 1


def require_module(caller: Caller, version: str, module: str) -> str:
    """The caller's integration id, once it may read `module` in `version`."""
    integration = caller.integration
    negotiated = negotiated_version(integration)
    if negotiated != version:
        raise OcpiError(CLIENT_ERROR, f"This connection uses OCPI {negotiated}: use /ocpi/{negotiated}/{module}", 404)
    if (integration.models or {}).get(modules.module(module).pull_flag) is False:
        raise OcpiError(CLIENT_ERROR, f"The {module} module is not offered to this partner", 404)
    return integration.integration_id


@dataclass(frozen=True, slots=True)
class PageQuery:
    offset: int
    limit: int
    date_from: datetime | None
    date_to: datetime | None
    # The filters as the client wrote them, carried into the next page's link.
    filters: tuple[tuple[str, str], ...]
    # The object the page starts after, from our own link; None: plain offset paging.
    after_id: str | None = None


def page_query(
    offset: str | None,
    limit: str | None,
    date_from: str | None,
    date_to: str | None,
    continue_after: str | None,
) -> PageQuery:
    filters = tuple((name, value) for name, value in (("date_from", date_from), ("date_to", date_to)) if value)
    start = min(_whole(offset, "offset", 0, minimum=0), MAX_OFFSET)
    return PageQuery(
        offset=start,
        limit=min(_whole(limit, "limit", MAX_LIMIT, minimum=1), MAX_LIMIT),
        date_from=parse_datetime(date_from, "date_from"),
        date_to=parse_datetime(date_to, "date_to"),
        filters=filters,
        after_id=_continued_after(continue_after, start),
    )


def refuse_unknown_parameters(names: list[str]) -> None:
    unknown = [name for name in dict.fromkeys(names) if name not in LIST_PARAMETERS]
    if unknown:
        known = ", ".join(LIST_PARAMETERS[:4])
        raise OcpiError(INVALID_PARAMETERS, f"{', '.join(unknown)}: not a parameter of this list (it takes {known})")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        # Taking one of two values would answer a question the partner did not ask.
        raise OcpiError(INVALID_PARAMETERS, f"{', '.join(repeated)}: given more than once")


def _continued_after(continue_after: str | None, offset: int) -> str | None:
    """The object id of our continuation, if it was made for this offset; anything else is ignored, as
    offset alone gives the right page."""
    made_for, _, object_id = (continue_after or "").partition(":")
    return object_id if object_id and made_for == str(offset) else None


def _whole(value: str | None, name: str, default: int, minimum: int) -> int:
    # A parameter given empty is not left out: it is refused like any other value that is no number.
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise OcpiError(INVALID_PARAMETERS, f"{name} must be a whole number") from None
    if number < minimum:
        raise OcpiError(INVALID_PARAMETERS, f"{name} must be at least {minimum}")
    return number


def parse_datetime(value: str | None, name: str) -> datetime | None:
    """RFC 3339; no zone designator means UTC (OCPI DateTime), other offsets are converted leniently.
    An empty value is no date-time: refused, not read as "no filter"."""
    if value is None:
        return None
    try:
        # A "+hh:mm" offset sent unencoded arrives as a space.
        text = value.strip().replace(" ", "+")
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise OcpiError(INVALID_PARAMETERS, f"{name} is not a date-time such as 2024-05-01T12:00:00Z") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        raise OcpiError(INVALID_PARAMETERS, f"{name} is outside the range of dates (years 1 to 9999 in UTC)") from None


OptionalText = Annotated[str | None, Query()]


def sender_router(version: str, module: str) -> APIRouter:
    """The router of a Sender module with its paginated list GET; modules add their by-id GETs to it."""
    router = APIRouter(prefix=f"/{version}/{module}", tags=[f"{module} {version}"])

    @router.get("", summary=f"List of {module} (paginated)")
    async def list_documents(
        request: Request,
        caller: PartnerCaller,
        session: SessionDep,
        runtime: RuntimeDep,
        date_from: OptionalText = None,
        date_to: OptionalText = None,
        offset: OptionalText = None,
        limit: OptionalText = None,
        continue_after: Annotated[str | None, Query(description="evroam's continuation, from the Link")] = None,
    ) -> Response:
        refuse_unknown_parameters([name for name, _ in request.query_params.multi_items()])
        return await serve_page(
            caller, session, runtime.public_url, version, module,
            offset=offset, limit=limit, date_from=date_from, date_to=date_to, continue_after=continue_after,
        )

    return router


async def serve_page(
    caller: Caller,
    session: AsyncSession,
    public_url: str,
    version: str,
    module: str,
    *,
    offset: str | None,
    limit: str | None,
    date_from: str | None,
    date_to: str | None,
    continue_after: str | None,
) -> Response:
    """A Sender list GET: one page of the caller's published documents of `module`, with the paging headers."""
    integration_id = require_module(caller, version, module)
    query = page_query(offset, limit, date_from, date_to, continue_after)
    documents, total = await published_page(
        session, integration_id, module, query.offset, query.limit, query.date_from, query.date_to, query.after_id
    )
    return page_response(documents, total, query, f"{public_url}/ocpi/{version}/{module}")


def page_response(documents: list[bytes], total: int, query: PageQuery, list_url: str) -> Response:
    headers = {"X-Total-Count": str(total), "X-Limit": str(MAX_LIMIT)}
    following = query.offset + len(documents)
    if documents and following < total:
        # Every OCPI object we list has an id; one small parse per page.
        last_id = orjson.loads(documents[-1])["id"]
        params = [
            ("offset", str(following)), ("limit", str(query.limit)), *query.filters,
            ("continue_after", f"{following}:{last_id}"),
        ]
        headers["Link"] = f'<{list_url}?{urlencode(params)}>; rel="next"'
    return Response(list_envelope(documents), media_type="application/json", headers=headers)


def list_envelope(documents: list[bytes]) -> bytes:
    tail = {"status_code": SUCCESS, "status_message": "Success", "timestamp": ocpi_timestamp()}
    # One join of every piece: joining the documents first would copy the megabytes of a full page twice.
    separated = [b","] * (2 * len(documents) - 1) if documents else []
    separated[::2] = documents
    return b"".join((b'{"data":[', *separated, b"],", orjson.dumps(tail)[1:]))


def object_envelope(document: bytes) -> bytes:
    tail = {"status_code": SUCCESS, "status_message": "Success", "timestamp": ocpi_timestamp()}
    return b'{"data":' + document + b"," + orjson.dumps(tail)[1:]
