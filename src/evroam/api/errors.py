"""Management API errors: always `{"error", "details": [{"field", "problem"}]}`, never the framework's 422."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from evroam.errors import Conflict, DomainError, FieldProblem, Invalid, InvalidDocument, NotFound

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status_code: int, error: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(error)
        self.status_code = status_code
        self.error = error
        self.details = details or []


def error_body(error: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"error": error, "details": details or []}


# A body with a million bad items makes a million errors: the answer names the first few, each cut short,
# so an error body stays small whatever the request was.
MAX_DETAILS = 20
MAX_DETAIL_CHARS = 200


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    details = []
    for err in errors[:MAX_DETAILS]:
        # The first element says where (body, query, path, header); the field path follows.
        location = [str(part) for part in err.get("loc", ()) if part not in ("body",)]
        if location and location[0] in ("query", "path", "header"):
            location = location[1:]
        field = ".".join(location) or "body"
        problem = err.get("msg", "is invalid")
        if err.get("type") == "missing":
            problem = "is required"
        elif err.get("type") == "json_invalid":
            field, problem = "body", "is not valid JSON"
        details.append({"field": _cut(field), "problem": _cut(problem)})
    if len(errors) > MAX_DETAILS:
        details.append({"field": "body", "problem": f"{len(errors) - MAX_DETAILS} more problems not listed"})
    return details


_DOMAIN_STATUS = ((Invalid, 400), (NotFound, 404), (Conflict, 409))


def _domain_error_response(error: DomainError) -> JSONResponse:
    status_code = next(code for kind, code in _DOMAIN_STATUS if isinstance(error, kind))
    details = [{"field": item.field, "problem": item.problem} for item in error.problems]
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
        details = validation_details(list(exc.errors()))
        return _domain_error_response(InvalidDocument([FieldProblem(**detail) for detail in details]))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return JSONResponse(error_body("The request conflicts with stored data"), status_code=409)
