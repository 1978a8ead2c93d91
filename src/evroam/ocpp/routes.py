"""The chargers' WebSocket, `/ocpp/{chargerId}` with subprotocol ocpp1.6 and OCPP security profile 1.

The handshake is refused (HTTP 401, or a close before accepting where the server cannot send one) unless
the Basic credentials are the charger's id and its password. While the socket is open the charger shows
connected; when it closes, a charger not back within the grace period shows offline (EVSEs UNKNOWN to
partners).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.responses import Response

from evroam.ocpp import liveness, service
from evroam.ocpp.commands import CommandSender
from evroam.ocpp.connection import StarletteConnection, basic_credentials
from evroam.ocpp.handlers import CentralSystemCharger
from evroam.ocpp.service import Admitted
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

router = APIRouter()
SUBPROTOCOL = "ocpp1.6"


@router.websocket("/ocpp/{charger_id}")
async def charger_connection(websocket: WebSocket, charger_id: str) -> None:
    runtime: Runtime = websocket.app.state.runtime
    charger = await _admitted(runtime, charger_id, websocket)
    if charger is None:
        await _refuse(websocket, 401)
        return
    if SUBPROTOCOL not in websocket.scope.get("subprotocols", []):
        await _refuse(websocket, 400)
        return
    commands: CommandSender = websocket.app.state.ocpp_commands
    # Shown connected before the handshake completes: a charger's first message finds it so.
    async with runtime.sessions() as session:
        connection_id = await service.opened(session, charger, commands.process_id)
    central = CentralSystemCharger(charger, StarletteConnection(websocket), runtime)
    try:
        await websocket.accept(subprotocol=SUBPROTOCOL)
        commands.attach(central, connection_id)
        await central.start()
    except WebSocketDisconnect:
        pass
    finally:
        commands.detach(charger.charger_id, connection_id)
        await _closed(runtime, charger, connection_id)


async def _admitted(runtime: Runtime, charger_id: str, websocket: WebSocket) -> Admitted | None:
    credentials = basic_credentials(websocket.headers.get("authorization"))
    # OCPP security profile 1: the user is the charge point's identity, the one in the URL.
    if credentials is None or credentials[0] != charger_id:
        return None
    async with runtime.sessions() as session:
        return await service.admit(session, charger_id, credentials[1])


async def _refuse(websocket: WebSocket, status: int) -> None:
    headers = {"WWW-Authenticate": 'Basic realm="evroam OCPP"'} if status == 401 else None
    try:
        await websocket.send_denial_response(Response(status_code=status, headers=headers))
    except RuntimeError:  # the server has no denial responses: a close before accepting is a 403
        await websocket.close()


async def _closed(runtime: Runtime, charger: Admitted, connection_id: str) -> None:
    async with runtime.sessions() as session:
        if not await service.closed(session, charger, connection_id):
            return  # the charger reconnected already
    runtime.spawn(liveness.offline_after_grace(runtime, charger, connection_id))
