"""Domain errors raised under an OCPI route, answered in the envelope with OCPI status codes.

Invalid input is OCPI 2001 in HTTP 200 (an OCPI-level problem of an authenticated request); an unknown
object is 2003 with HTTP 404, as a GET of a missing object is; a conflict with stored data is a client
error (2000) with HTTP 409.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from evroam.errors import Conflict, DomainError, Invalid, NotFound
from evroam.ocpi.protocol.envelope import CLIENT_ERROR, INVALID_PARAMETERS, UNKNOWN_OBJECT, ocpi_response

# (kind, OCPI status code, HTTP status)
_ANSWERS = ((Invalid, INVALID_PARAMETERS, 200), (NotFound, UNKNOWN_OBJECT, 404), (Conflict, CLIENT_ERROR, 409))


def answer_domain_errors(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> Response:
        status_code, http_status = next((code, http) for kind, code, http in _ANSWERS if isinstance(exc, kind))
        return ocpi_response(None, status_code, str(exc), http_status=http_status)
