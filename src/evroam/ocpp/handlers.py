"""What the gateway answers a connected charger, one `@on` handler per OCPP 1.6 action.

The `ocpp` library parses and validates each message against the 1.6 schemas (a bad one gets its
CallError) and turns camelCase into keyword arguments. What the charger reports enters evroam through the
one ingest path of charger events (charging.events.flows.ingest), as the management events endpoint's
do; each event's id is derived from the message (the transaction and the charger's timestamp), so a
message re-sent from the charger's offline queue is a duplicate, never a second event.

A handler opens a database session for its own work and closes it before answering: none is held while
the WebSocket waits, nor while a partner decides an authorization.
"""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from typing import Any

from ocpp.routing import on
from sqlalchemy import select
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus

from evroam.charging.authorization import flows as authorization
from evroam.charging.authorization.schemas import AuthorizeRequest
from evroam.charging.events import flows as events
from evroam.charging.events.schemas import EventBatch
from evroam.database.base import utcnow
from evroam.errors import DomainError, InvalidDocument
from evroam.network.chargers.models import Socket
from evroam.ocpp import service
from evroam.ocpp.meter import samples
from evroam.ocpp.service import Admitted
from evroam.ocpp.times import compact, instant, ocpp_now
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

# The decision's status as OCPP 1.6 idTagInfo says it (OCPP has no "no credit": the card is blocked here).
ID_TAG_STATUS = {
    "ALLOWED": AuthorizationStatus.accepted,
    "BLOCKED": AuthorizationStatus.blocked,
    "NO_CREDIT": AuthorizationStatus.blocked,
    "EXPIRED": AuthorizationStatus.expired,
    "NOT_ALLOWED": AuthorizationStatus.invalid,
    "UNKNOWN": AuthorizationStatus.invalid,
}
# OCPP 1.6 ChargePointStatus values evroam's sockets take as they are.
SOCKET_STATUSES = {"Available", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Reserved",
                   "Unavailable", "Faulted"}


class CentralSystemCharger(ChargePoint):
    """One connected charger, as the central system sees it."""

    def __init__(self, charger: Admitted, connection: Any, runtime: Runtime) -> None:
        super().__init__(charger.charger_id, connection)
        self.charger = charger
        self.runtime = runtime
        # idTag -> the START_SESSION the charger accepted for it: its StartTransaction names the command, so
        # the session is the commanding partner's (OCPP's StartTransaction does not say it was remote).
        self._remote_starts: dict[str, str] = {}

    def remote_started(self, id_tag: str | None, command_id: str) -> None:
        if id_tag:
            self._remote_starts[id_tag] = command_id

    @on(Action.boot_notification)
    async def on_boot_notification(self, charge_point_model: str, charge_point_vendor: str,
                                   firmware_version: str | None = None, charge_point_serial_number: str | None = None,
                                   **_: Any) -> call_result.BootNotification:
        identity = {"model": charge_point_model, "manufacturer": charge_point_vendor,
                    "firmwareVersion": firmware_version, "serialNumber": charge_point_serial_number}
        async with self.runtime.sessions() as session:
            await service.record_boot(session, self.charger, identity)
        return call_result.BootNotification(
            current_time=ocpp_now(), interval=self.runtime.settings.ocpp_heartbeat_interval,
            status=RegistrationStatus.accepted,
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self, **_: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=ocpp_now())

    @on(Action.status_notification)
    async def on_status_notification(self, connector_id: int, error_code: str, status: str,
                                     timestamp: str | None = None, call_unique_id: str = "",
                                     **_: Any) -> call_result.StatusNotification:
        # Connector 0 is the charger itself: its sockets report their own statuses.
        if connector_id > 0 and status in SOCKET_STATUSES:
            time = instant(timestamp) if timestamp else utcnow()
            # The message id alone would collide for chargers whose ids restart at boot, the time alone for two
            # reports in one second: both, hashed to fit an event id.
            key = hashlib.sha256(f"{connector_id}|{timestamp}|{call_unique_id}|{status}".encode()).hexdigest()[:32]
            try:
                await self._ingest({
                    "eventId": f"ocpp:status:{key}", "type": "StatusChanged", "time": time,
                    "socketId": connector_id, "status": status, "errorCode": error_code,
                })
            except InvalidDocument as refused:
                # A connector the operator has not entered as a socket. The charger is answered all the same:
                # StatusNotification.conf has no fields to refuse with, and a CallError would have it resend
                # a report it cannot change (many queue and retry what failed) for as long as the socket is
                # missing. Nothing is stored; the operator is told, in the log, what to add.
                log.warning("%s: status %s of connector %s not recorded: %s", self.charger.charger_id, status,
                            connector_id, refused)
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str, **_: Any) -> call_result.Authorize:
        # OCPP's Authorize names no connector; the decision needs a socket: the charger's first.
        async with self.runtime.sessions() as session:
            socket_id = await session.scalar(
                select(Socket.socket_id).where(Socket.charger_id == self.charger.charger_id)
                .order_by(Socket.socket_id).limit(1)
            )
        status = await self._decide(socket_id, id_tag) if socket_id is not None else AuthorizationStatus.invalid
        return call_result.Authorize(id_tag_info={"status": status})

    @on(Action.start_transaction)
    async def on_start_transaction(self, connector_id: int, id_tag: str, meter_start: int, timestamp: str,
                                   reservation_id: int | None = None, **_: Any) -> call_result.StartTransaction:
        started_at = instant(timestamp)
        charger_id = self.charger.charger_id
        command_id = self._remote_starts.pop(id_tag, None)
        async with self.runtime.sessions() as session:
            before = await service.started_transaction(session, charger_id, connector_id, started_at)
        # A re-sent start keeps the answer it had; a new one is decided (never with a session held), unless
        # it is the eMSP's START_SESSION: the eMSP vouched for its token (the command's allowed decision),
        # which stored tokens and hubs need not know (an app's token), and a charger told Invalid would
        # stop the session the eMSP asked for.
        if before:
            status = before.id_tag_status
        else:
            status = AuthorizationStatus.accepted if command_id else await self._decide(connector_id, id_tag)
        async with self.runtime.sessions() as session:
            transaction = await service.start_transaction(
                session, charger_id, connector_id, id_tag, started_at, Decimal(meter_start), status
            )
            await session.commit()
        # The charger charges whatever the answer (it stops a refused one itself): the session is real.
        try:
            await self._ingest({
                "eventId": f"ocpp:start:{transaction.id}", "type": "SessionStarted", "time": started_at,
                "socketId": connector_id, "transactionId": str(transaction.id), "idTag": id_tag,
                "meterStartWh": Decimal(meter_start), "reservationId": reservation_id,
                "commandId": command_id,
            })
        except InvalidDocument as refused:
            # A connector the operator has not entered as a socket (refused Invalid above). The charger is
            # answered all the same: a CallError would have it resend the start forever, and withhold the
            # transaction id its meter values and stop need. No session is made; the operator is told.
            log.warning("%s: start of transaction %s at connector %s not recorded: %s", charger_id, transaction.id,
                        connector_id, refused)
        return call_result.StartTransaction(transaction_id=transaction.id,
                                            id_tag_info={"status": transaction.id_tag_status})

    @on(Action.meter_values)
    async def on_meter_values(self, connector_id: int, meter_value: list[dict[str, Any]],
                              transaction_id: int | None = None, **_: Any) -> call_result.MeterValues:
        # Values outside a transaction (clock-aligned readings of an idle connector) belong to no session.
        if transaction_id is not None:
            await self._ingest(*await self._meter_events(transaction_id, meter_value))
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    async def on_stop_transaction(self, meter_stop: int, timestamp: str, transaction_id: int,
                                  reason: str = "Local", transaction_data: list[dict[str, Any]] | None = None,
                                  **_: Any) -> call_result.StopTransaction:
        # The transaction's meter values first: the stop closes the session they belong to.
        meter_events = await self._meter_events(transaction_id, transaction_data or [])
        await self._ingest(*meter_events, {
            "eventId": f"ocpp:stop:{transaction_id}", "type": "SessionStopped", "time": instant(timestamp),
            "transactionId": str(transaction_id), "meterStopWh": Decimal(meter_stop), "reason": reason,
        })
        return call_result.StopTransaction()

    async def _decide(self, socket_id: int, id_tag: str) -> str:
        request = AuthorizeRequest.model_validate(
            {"chargerId": self.charger.charger_id, "socketId": socket_id, "idTag": id_tag}
        )
        try:
            decided = await authorization.authorize(self.runtime, self.charger.operator_id, request)
        except DomainError:  # a connector evroam does not know of: no token is valid there
            log.warning("%s: no authorization at connector %s", self.charger.charger_id, socket_id, exc_info=True)
            return AuthorizationStatus.invalid
        return ID_TAG_STATUS[decided["status"]]

    async def _meter_events(self, transaction_id: int, meter_value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = samples(meter_value)
        async with self.runtime.sessions() as session:
            energies = await service.registers(session, self.charger.charger_id, transaction_id, found)
            await session.commit()
        # A sample without energy (power or SoC alone) cannot be a MeterValues event, which is its register.
        return [
            {"eventId": f"ocpp:meter:{transaction_id}:{compact(sample.time)}", "type": "MeterValues",
             "time": sample.time, "transactionId": str(transaction_id), "energyWh": _places(energy, 3),
             "powerW": _places(sample.power_w, 3), "currentA": _places(sample.current_a, 3),
             "stateOfCharge": _places(sample.state_of_charge, 3)}
            for sample, energy in zip(found, energies, strict=True) if energy is not None
        ]

    async def _ingest(self, *found: dict[str, Any]) -> None:
        if not found:
            return
        batch = EventBatch.model_validate({"events": [_without_nones(event) for event in found]})
        async with self.runtime.sessions() as session:
            await events.ingest(session, self.charger.operator_id, self.charger.charger_id, batch)


def _places(value: Decimal | None, places: int) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-places))


def _without_nones(event: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in event.items() if value is not None}
