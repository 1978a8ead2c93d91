"""The OCPI response envelope and OCPI-level errors.

Documents are plain dicts built without None values (optional fields are omitted, never null), and
serialised with orjson so that datetimes come out in UTC with a `Z`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi.responses import Response

SUCCESS = 1000
CLIENT_ERROR = 2000
INVALID_PARAMETERS = 2001
NOT_ENOUGH_INFORMATION = 2002
UNKNOWN_OBJECT = 2003
# 2.2+ only: "Unknown Token".
UNKNOWN_TOKEN = 2004
SERVER_ERROR = 3000
UNABLE_TO_USE_CLIENT_API = 3001
UNSUPPORTED_VERSION = 3002
NO_MATCHING_ENDPOINTS = 3003
# 2.2+ only (hub codes): answered for a request addressed to a party we do not host (ocpi-notes §2.5).
UNKNOWN_RECEIVER = 4001

JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


class OcpiError(Exception):
    """An OCPI-level failure: answered in the envelope with its status code (HTTP 200 unless said otherwise).

    `headers` go out with the answer: a 405 must say in `Allow` what the resource takes (RFC 9110 §15.5.6),
    a 429 or 503 says in `Retry-After` when to come back."""

    def __init__(
        self, status_code: int, message: str, http_status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.http_status = http_status
        self.headers = headers


def ocpi_timestamp(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def envelope(data: Any = None, status_code: int = SUCCESS, message: str | None = "Success") -> dict[str, Any]:
    body: dict[str, Any] = {}
    if data is not None:
        body["data"] = data
    body["status_code"] = status_code
    if message:
        body["status_message"] = message
    body["timestamp"] = ocpi_timestamp()
    return body


def ocpi_response(
    data: Any = None,
    status_code: int = SUCCESS,
    message: str | None = "Success",
    http_status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        orjson.dumps(envelope(data, status_code, message), option=JSON_OPTIONS),
        status_code=http_status,
        media_type="application/json",
        headers=headers,
    )


def error_response(error: OcpiError) -> Response:
    return ocpi_response(None, error.status_code, error.message, http_status=error.http_status, headers=error.headers)
