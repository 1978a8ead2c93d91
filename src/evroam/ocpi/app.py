"""The OCPI API, mounted at /ocpi: its own error handling (envelope, OCPI status codes, no 422)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError

from evroam.api.docs import app_with_offline_docs
from evroam.api.errors import validation_details
from evroam.ocpi.modules import mounting_order, resolve
from evroam.ocpi.protocol.domain_errors import answer_domain_errors
from evroam.ocpi.protocol.envelope import INVALID_PARAMETERS, SERVER_ERROR, OcpiError, error_response, ocpi_response
from evroam.ocpi.protocol.http_errors import answer_http_errors
from evroam.ocpi.protocol.message_ids import MessageIdMiddleware
from evroam.ocpi.protocol.routing_headers import RoutingHeaderMiddleware
from evroam.ocpi.protocol.trailing_slash import TrailingSlashMiddleware
from evroam.runtime import Runtime

log = logging.getLogger(__name__)


def create_ocpi_app(runtime: Runtime) -> FastAPI:
    app = app_with_offline_docs(
        title="evroam OCPI",
        description="OCPI 2.2.1 and 2.1.1, CPO role. Authorization: `Token <token>` (Base64 or plain).",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    app.add_middleware(MessageIdMiddleware)
    app.add_middleware(RoutingHeaderMiddleware)
    app.add_middleware(TrailingSlashMiddleware)
    # The registry's order: routes are matched in order, and partners ask the Sender modules page after page.
    for module in mounting_order():
        routes = resolve(module.routes)
        for module_router in [routes] if isinstance(routes, APIRouter) else routes:
            app.include_router(module_router)

    @app.exception_handler(OcpiError)
    async def _ocpi_error(_: Request, exc: OcpiError):
        return error_response(exc)

    answer_domain_errors(app)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        details = validation_details(list(exc.errors()))
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details[:5])
        not_json = any(d["problem"] == "is not valid JSON" for d in details)
        return ocpi_response(None, INVALID_PARAMETERS, message, http_status=400 if not_json else 200)

    answer_http_errors(app)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("OCPI request %s %s failed", request.method, request.url.path)
        return ocpi_response(None, SERVER_ERROR, "Internal error", http_status=500)

    return app
