"""Documented error responses, so the OpenAPI (and schemathesis) know every status we answer."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    error: str
    details: list[ErrorDetail]


ERROR_RESPONSES: dict[int | str, dict] = {
    400: {"model": ErrorBody, "description": "Invalid body, parameter or value"},
    401: {"model": ErrorBody, "description": "Missing or unknown API key"},
    404: {"model": ErrorBody, "description": "Item not found"},
    409: {"model": ErrorBody, "description": "Conflicts with stored data"},
    413: {"model": ErrorBody, "description": "Request body larger than the limit (EVROAM_MAX_REQUEST_BYTES)"},
}
