"""HTTP-level refusals under /ocpi, answered in the OCPI envelope: a path with no endpoint (404, naming
it, never the 2003 "unknown object" of a module), a method the resource does not take (405 with `Allow`,
RFC 9110 §15.5.6), and what the framework refuses before a route runs (413 from the body size limit)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from evroam.ocpi.protocol.envelope import CLIENT_ERROR, ocpi_response


# The methods an OCPI resource may take (RFC 9110 §9 and PATCH, RFC 5789).
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route of this path takes. Asked of the routes themselves, one method at a time: a
    path such as credentials has one route per method, so the 405 the router raises from the first of them
    would name only that one."""
    routes = request.app.router.routes
    return ", ".join(
        method for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    )


def answer_http_errors(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        headers = dict(exc.headers or {})
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"No OCPI endpoint at {request.method} {request.url.path}"
        elif exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
            message = f"{request.method} is not allowed on {request.url.path}; allowed: {headers['Allow']}"
        return ocpi_response(None, CLIENT_ERROR, message, http_status=exc.status_code, headers=headers)
