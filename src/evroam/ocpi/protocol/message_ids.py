"""X-Request-ID and X-Correlation-ID: echoed on every OCPI response, generated when a request has none."""

from __future__ import annotations

import logging
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

REQUEST_ID = b"x-request-id"
CORRELATION_ID = b"x-correlation-id"


class MessageIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        echoed = []
        for name in (REQUEST_ID, CORRELATION_ID):
            value = headers.get(name)
            if not value:
                value = str(uuid.uuid4()).encode()
                log.debug("OCPI request %s without %s: generated one", scope.get("path"), name.decode())
            echoed.append((name, value))

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in echoed if name not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_ids)
