"""The charger's WebSocket as the `ocpp` library wants it, and the handshake's HTTP Basic credentials.

The gateway is a WebSocket route of evroam's own ASGI app rather than a second server (the `websockets`
server the library's examples use): `evroam serve` then needs one port, one process model (its uvicorn
workers) and one lifespan for the database and background jobs, and the tests start it as they start
the rest. The library asks of a connection only `recv()` and `send()` coroutines, which this adapter
gives over Starlette's WebSocket.
"""

from __future__ import annotations

import base64
import binascii

from starlette.websockets import WebSocket


class StarletteConnection:
    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket

    async def recv(self) -> str:
        # A closed socket raises WebSocketDisconnect, which ends the library's receive loop.
        return await self._websocket.receive_text()

    async def send(self, message: str) -> None:
        await self._websocket.send_text(message)


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic ...` header; None for anything else."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if colon else None
