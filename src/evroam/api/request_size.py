"""Bounded request bodies, for the management API and the OCPI API alike (one ASGI middleware on the app
both are served from).

A body announced larger than the cap (Content-Length) is refused before a byte of it is read; a chunked
body is counted as it arrives and refused the moment it passes the cap. The refusal is an HTTPException
raised where the body is read, so each API answers it in its own shape: the management error body, or
the OCPI envelope.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class RequestSizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, larger_caps: Mapping[str, int] | None = None) -> None:
        """`larger_caps`: exact paths that take more than `max_bytes` (a file upload), with their own cap."""
        self.app = app
        self.max_bytes = max_bytes
        self.larger_caps = dict(larger_caps or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        cap = self.larger_caps.get(scope["path"], self.max_bytes)
        announced = _content_length(scope)
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            if announced is not None and announced > cap:
                raise _too_large(cap)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise _too_large(cap)
            return message

        await self.app(scope, bounded_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(cap: int) -> HTTPException:
    return HTTPException(413, f"The request body is larger than {_size(cap)}, the most this request takes")


def _size(count: int) -> str:
    mebibytes, rest = divmod(count, 1024 * 1024)
    return f"{mebibytes} MiB" if mebibytes and not rest else f"{count} bytes"
