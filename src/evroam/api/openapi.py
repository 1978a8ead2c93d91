"""The management API's OpenAPI, told true in one place: each operation documents the error statuses it
can answer, each with the API's own error body, and never the framework's 422 `HTTPValidationError`
(the API answers 400: see errors.py)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from fastapi import FastAPI, Request

from evroam.api.responses import ERROR_DESCRIPTIONS, ErrorBody
from evroam.errors import FieldProblem, InvalidDocument

_WRITES = frozenset({"post", "put", "patch", "delete"})
_WITH_BODY = frozenset({"post", "put", "patch"})  # RequestSizeLimit bounds these, body declared or not
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")
_ERROR_BODY_REF = {"$ref": "#/components/schemas/ErrorBody"}


def install_management_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _tell_errors(generate())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def operations_of_path(request: Request) -> dict[str, Any]:
    """The documented operations (by lower-case method) of the request's path; none for an undocumented one."""
    path = request.scope["path"]
    for template, operations in request.app.openapi()["paths"].items():
        if _template_pattern(template).fullmatch(path):
            return operations
    return {}


@cache
def _template_pattern(template: str) -> re.Pattern[str]:
    """Compiled once: every management request looks its path up among all of them."""
    segments = ("[^/]+" if part.startswith("{") else re.escape(part) for part in template.split("/"))
    return re.compile("/".join(segments))


async def refuse_unknown_query_parameters(request: Request) -> None:
    """A dependency of every management route: a query parameter the operation does not take is refused,
    as a misspelt filter (`?siteid=7`) would otherwise quietly answer for everything."""
    if not request.scope["query_string"]:
        return  # most writes carry none: spare them the look-up
    unknown = sorted(set(request.query_params) - _query_parameters(request))
    if unknown:
        raise InvalidDocument([FieldProblem(name, "is not a parameter of this request") for name in unknown])


def _query_parameters(request: Request) -> frozenset[str]:
    """The query parameters the request's operation documents, looked up once per route and method."""
    key = (request.scope["route"].path_format, request.method)
    if key not in _QUERY_PARAMETERS:
        operation = operations_of_path(request).get(request.method.lower(), {})
        _QUERY_PARAMETERS[key] = frozenset(
            parameter["name"] for parameter in operation.get("parameters", ()) if parameter["in"] == "query")
    return _QUERY_PARAMETERS[key]


# (route path template, method) -> its query parameters; the routes are fixed once the app is built.
_QUERY_PARAMETERS: dict[tuple[str, str], frozenset[str]] = {}


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """What the operation can answer besides success: 400 for any input it validates, 401 without a valid
    key, 404 for an item named in its path (or in a body, where the route declares it), 409 for a write that clashes with stored data, 413 for a
    body over the size limit."""
    parameters = operation.get("parameters", [])
    statuses = []
    if parameters or "requestBody" in operation:
        statuses.append(400)
    if operation.get("security"):
        statuses.append(401)
    # An operation whose body names the items (POST /authorize: a charger and socket) declares its 404.
    if any(parameter["in"] == "path" for parameter in parameters) or "404" in operation.get("responses", {}):
        statuses.append(404)
    if method in _WRITES:
        statuses.append(409)
    if method in _WITH_BODY:
        statuses.append(413)
    return statuses


def _tell_errors(schema: dict[str, Any]) -> None:
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            responses = operation["responses"]
            responses.pop("422", None)
            for status in error_statuses(method, operation):
                responses[str(status)] = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": _ERROR_BODY_REF}},
                }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FRAMEWORK_SCHEMAS:
        components.pop(name, None)
    error_body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_body.pop("$defs"))
    components["ErrorBody"] = error_body
