"""OCPI-from/to routing headers on our 2.2.1 functional-module responses: the request's, mirrored.

A response goes back the way the request came (ocpi-notes §2.5): its FROM is the request's TO and its
TO the request's FROM. Configuration modules (`ocpi/modules.py`) never carry them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evroam.ocpi.modules import is_configuration

MIRRORED = {
    b"ocpi-to-country-code": b"ocpi-from-country-code",
    b"ocpi-to-party-id": b"ocpi-from-party-id",
    b"ocpi-from-country-code": b"ocpi-to-country-code",
    b"ocpi-from-party-id": b"ocpi-to-party-id",
}


def is_functional_221(path: str) -> bool:
    parts = [part for part in path.split("/") if part]
    # /ocpi/2.2.1/<module>/...; the mount may or may not leave /ocpi in the path.
    if parts and parts[0] == "ocpi":
        parts = parts[1:]
    return len(parts) >= 2 and parts[0] in ("2.2.1", "2.2") and not is_configuration(parts[1])


class RoutingHeaderMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_functional_221(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        mirrored = [(MIRRORED[name], value) for name, value in scope["headers"] if name in MIRRORED and value]

        async def send_mirrored(message: Message) -> None:
            if message["type"] == "http.response.start" and mirrored:
                message["headers"] = list(message.get("headers", [])) + mirrored
            await send(message)

        await self.app(scope, receive, send_mirrored)
