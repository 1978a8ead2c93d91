"""Partners' commands to chargers this process holds the WebSocket of: sent as OCPP 1.6 calls, answered
with the charger's `.conf` through the commands' own `answer` flow (which settles a command once, so an
answer racing the deadline's TIMEOUT, or a second process, tells the partner one result).

How a command reaches the process that holds the charger (the `ocpp` maintainers advise queues rather than
shared sockets, mobilityhouse/ocpp #389): the commands table is the queue. Each process polls it for the
PENDING commands of the chargers whose current connection is its own (EVROAM_OCPP_COMMAND_POLL_SECONDS),
so several `evroam serve` processes on one PostgreSQL need nothing else.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ocpp.exceptions import OCPPError
from ocpp.v16 import call

from evroam.charging.commands import flows as command_flows
from evroam.charging.commands.models import Command
from evroam.charging.commands.records import PROFILE_REQUEST_TYPES
from evroam.errors import DomainError
from evroam.ocpp import liveness, service
from evroam.ocpp.charging_profiles import NoActiveProfile, active_profile, tx_profile
from evroam.ocpp.handlers import CentralSystemCharger
from evroam.runtime import Runtime

log = logging.getLogger(__name__)

# The charger's `.conf` status as the partner's CommandResultType; anything else is FAILED.
_RESULTS = {
    "Accepted": "ACCEPTED", "Rejected": "REJECTED", "Occupied": "EVSE_OCCUPIED", "Faulted": "EVSE_INOPERATIVE",
    "Unavailable": "EVSE_INOPERATIVE", "Unlocked": "ACCEPTED", "UnlockFailed": "FAILED", "NotSupported": "NOT_SUPPORTED",
}
# What a CancelReservation the charger did not know is, to the partner.
_CANCEL_RESULTS = {**_RESULTS, "Rejected": "UNKNOWN_RESERVATION"}
# Profile requests have their own result type (ChargingProfileResultType: ACCEPTED, REJECTED, UNKNOWN).
_PROFILE_RESULTS = {"Accepted": "ACCEPTED", "Unknown": "UNKNOWN"}


@dataclass(frozen=True, slots=True)
class Outgoing:
    payload: Any
    results: dict[str, str]
    # Reads what an ACCEPTED answer carries for the partner (GetCompositeSchedule's schedule).
    carries: Callable[[Any, datetime], dict[str, Any]] | None = None

    @property
    def refused(self) -> str:
        """The result of a call the charger cannot carry out."""
        return "REJECTED" if self.results is _PROFILE_RESULTS else "FAILED"


@dataclass(frozen=True, slots=True)
class Answer:
    """The charger's answer as the partner's result; `active_profile` for a GET_ACTIVE_CHARGING_PROFILE."""

    result: str
    message: str | None
    active_profile: dict[str, Any] | None = None


# Each command type as the call the charger gets.
_CALLS: dict[str, Callable[[Command], Outgoing]] = {
    "START_SESSION": lambda command: Outgoing(
        call.RemoteStartTransaction(id_tag=command.id_tag or "", connector_id=command.socket_id), _RESULTS),
    "STOP_SESSION": lambda command: Outgoing(
        call.RemoteStopTransaction(transaction_id=int(command.transaction_id or 0)), _RESULTS),
    "RESERVE_NOW": lambda command: Outgoing(call.ReserveNow(
        connector_id=command.socket_id or 0, id_tag=command.id_tag or "", reservation_id=command.reservation_id or 0,
        expiry_date=command.expiry_date.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if command.expiry_date else ""), _RESULTS),
    "CANCEL_RESERVATION": lambda command: Outgoing(
        call.CancelReservation(reservation_id=command.reservation_id or 0), _CANCEL_RESULTS),
    "UNLOCK_CONNECTOR": lambda command: Outgoing(call.UnlockConnector(connector_id=command.socket_id or 0), _RESULTS),
    "SET_CHARGING_PROFILE": lambda command: Outgoing(
        call.SetChargingProfile(connector_id=command.socket_id or 0, cs_charging_profiles=tx_profile(command)), _PROFILE_RESULTS),
    "CLEAR_PROFILE": lambda command: Outgoing(
        call.ClearChargingProfile(id=int(command.transaction_id or 0)), _PROFILE_RESULTS),
    # OCPP 1.6 has no "the profile you set": the composite schedule is what limits the connector now.
    "GET_ACTIVE_CHARGING_PROFILE": lambda command: Outgoing(call.GetCompositeSchedule(
        connector_id=command.socket_id or 0, duration=int((command.details or {})["duration"])),
        _PROFILE_RESULTS, carries=active_profile),
}
# A command whose OCPP call can only fail without what it names.
_NEEDS = {"STOP_SESSION": "transaction_id", "SET_CHARGING_PROFILE": "transaction_id",
          "CLEAR_PROFILE": "transaction_id", "RESERVE_NOW": "reservation_id", "CANCEL_RESERVATION": "reservation_id"}


class CommandSender:
    """The chargers connected to this process, the commands being sent to them, and the process's sign of
    life that keeps their connections shown open (liveness.py)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.process_id = str(uuid.uuid4())
        self.connected: dict[str, tuple[CentralSystemCharger, str]] = {}  # charger id -> (charger, its connection)
        self._sending: set[str] = set()  # chargers whose commands are being sent
        self._polling = None

    def attach(self, charger: CentralSystemCharger, connection_id: str) -> None:
        self.connected[charger.id] = (charger, connection_id)
        if self._polling is None:  # started with the first charger: a process without chargers polls nothing
            self._polling = self.runtime.start_periodic(
                self.send_pending, self.runtime.settings.ocpp_command_poll_seconds, "OCPP commands")
            self.runtime.start_periodic(self.still_alive, liveness.ALIVE_EVERY, "OCPP process liveness")

    async def still_alive(self) -> None:
        held = [(charger.charger, connection_id) for charger, connection_id in self.connected.values()]
        await liveness.still_alive(self.runtime, self.process_id, held)

    def detach(self, charger_id: str, connection_id: str) -> None:
        if charger_id in self.connected and self.connected[charger_id][1] == connection_id:
            del self.connected[charger_id]

    async def send_pending(self) -> None:
        if not self.connected:
            return
        async with self.runtime.sessions() as session:
            pending = await service.pending_commands(session, [connection for _, connection in self.connected.values()])
        by_charger: dict[str, list[Command]] = {}
        for command in pending:
            if command.charger_id in self.connected and command.charger_id not in self._sending:
                by_charger.setdefault(command.charger_id, []).append(command)
        for charger_id, commands in by_charger.items():
            self._sending.add(charger_id)
            self.runtime.spawn(self._send_in_order(charger_id, commands))

    async def _send_in_order(self, charger_id: str, commands: list[Command]) -> None:
        """One charger's commands one after another, oldest first: a clear sent after a set, or a stop after
        a start, must reach the charger in that order."""
        try:
            for command in commands:
                if charger_id not in self.connected:
                    return  # gone: its commands wait, PENDING, for its next connection
                await self._send(command)
        finally:
            self._sending.discard(charger_id)

    async def _send(self, command: Command) -> None:
        charger, _ = self.connected[command.charger_id]
        try:
            answer = await self._call(charger, command)
            async with self.runtime.sessions() as session:
                await command_flows.answer(self.runtime, session, command.operator_id, command.id, answer.result,
                                           answer.message, answer.active_profile)
        except DomainError:  # settled meanwhile (its deadline passed): the partner was told already
            log.info("command %s was settled before the charger's answer", command.id)

    async def _call(self, charger: CentralSystemCharger, command: Command) -> Answer:
        needed = _NEEDS.get(command.type)
        if needed and getattr(command, needed) is None:
            result = "REJECTED" if command.type in PROFILE_REQUEST_TYPES else "NOT_SUPPORTED"
            return Answer(result, f"the OCPP gateway does not send a {command.type} without its {needed}")
        outgoing = _CALLS[command.type](command)
        try:
            conf = await charger.call(outgoing.payload, suppress=False)
        except OCPPError as error:  # the charger's CallError: it cannot do this
            unsupported = error.code in ("NotImplemented", "NotSupported") and outgoing.results is _RESULTS
            return Answer("NOT_SUPPORTED" if unsupported else outgoing.refused, str(error))
        except TimeoutError:
            return Answer(outgoing.refused, "the charger did not answer")
        result = outgoing.results.get(conf.status, outgoing.refused)
        if command.type == "START_SESSION" and result == "ACCEPTED":
            charger.remote_started(command.id_tag, command.id)
        if outgoing.carries is None or result != "ACCEPTED":
            return Answer(result, f"the charger answered {conf.status}")
        try:
            carried = outgoing.carries(conf, datetime.now(UTC))
        except NoActiveProfile as nothing:  # an ACCEPTED result must carry it: the partner asked for nothing else
            return Answer(outgoing.refused, str(nothing))
        return Answer(result, f"the charger answered {conf.status}", carried)
