"""Request bodies of OCPI endpoints, read after the token was checked (a wrong token is a 401 even with
a valid body, ocpi-notes §2.3), and validated into OCPI 2001 answers, never the framework's 422."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError

from evroam.api.problems import problem_of
from evroam.ocpi.protocol.envelope import INVALID_PARAMETERS, OcpiError

Model = TypeVar("Model", bound=BaseModel)


async def read_json(request: Request) -> Any:
    """The body as JSON. Transport fails (HTTP 400, ocpi-notes §2.3) when there is no JSON to read: an
    empty body as much as one that does not parse."""
    raw = await request.body()
    if not raw.strip():
        raise OcpiError(INVALID_PARAMETERS, "body: is required (a JSON object)", http_status=400)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise OcpiError(INVALID_PARAMETERS, "body: is not valid JSON", http_status=400) from exc


def validation_message(error: ValidationError, problems: dict[str, str] | None = None) -> str:
    """`field.path: problem; …` for the first few problems; `problems` rewords pattern failures by field."""
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "body"
        if item["type"] == "string_pattern_mismatch":
            problem = (problems or {}).get(str(item["loc"][-1]), "has an invalid format")
        else:
            problem = problem_of(item)
        parts.append(f"{where}: {problem}")
    return "; ".join(parts)


def validated(model: type[Model], payload: Any, problems: dict[str, str] | None = None) -> Model:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise OcpiError(INVALID_PARAMETERS, validation_message(exc, problems)) from exc
