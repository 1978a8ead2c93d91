"""Management API errors: always `{"error", "details": [{"field", "problem"}]}`, never the framework's 422."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from evroam.api.openapi import operations_of_path
from evroam.api.problems import field_of, problem_of
from evroam.errors import MAX_PROBLEMS_NAMED, Conflict, DomainError, Invalid, NotFound

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status_code: int, error: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(error)
        self.status_code = status_code
        self.error = error
        self.details = details or []


def error_body(error: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"error": error, "details": details or []}


MAX_DETAILS = MAX_PROBLEMS_NAMED
MAX_DETAIL_CHARS = 200  # each cut short, so an error body stays small whatever the request was


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The first MAX_DETAILS problems, each cut short (they may quote the request), then how many more."""
    named = [{"field": _cut(field_of(err)), "problem": _cut(problem_of(err))} for err in errors[:MAX_DETAILS]]
    return named + _more(len(errors))


def _more(total: int) -> list[dict[str, str]]:
    if total <= MAX_DETAILS:
        return []
    return [{"field": "body", "problem": f"{total - MAX_DETAILS} more problems not listed"}]


_DOMAIN_STATUS = ((Invalid, 400), (NotFound, 404), (Conflict, 409))


def _domain_error_response(error: DomainError) -> JSONResponse:
    status_code = next(code for kind, code in _DOMAIN_STATUS if isinstance(error, kind))
    named = [{"field": item.field, "problem": item.problem} for item in error.problems[:MAX_DETAILS]]
    details = named + _more(len(error.problems))
    return JSONResponse(error_body(str(error), details), status_code=status_code)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.error, exc.details), status_code=exc.status_code)

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return _domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Already bounded, the last detail saying how many more there were: the sentence names the same.
        details = validation_details(list(exc.errors()))
        sentence = "Invalid request: " + "; ".join(f"{detail['field']}: {detail['problem']}" for detail in details)
        return JSONResponse(error_body(sentence, details), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = exc.headers
        # RFC 9110: a 405 lists every method of the path; the framework's names only the first route's.
        if exc.status_code == 405 and (operations := operations_of_path(request)):
            headers = {**(headers or {}), "Allow": ", ".join(sorted(method.upper() for method in operations))}
        return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return JSONResponse(error_body("The request conflicts with stored data"), status_code=409)
