"""A simulated OCPP 1.6J charge point: the `ocpp` library's charge point side, with one connector's
charging kept in small steps (boot, status, start, sample, stop) that the command line runs on a timer and
tests drive one at a time.

It answers a central system's RemoteStartTransaction and RemoteStopTransaction with Accepted when it
can, and then acts on them as a charger does: after the answer, not before; it keeps the TxProfile a
SetChargingProfile gives its transaction (a ClearChargingProfile drops it) and reports it as its
composite schedule (GetCompositeSchedule; Rejected while it has none). It holds a reservation on its
connector while it is free (ReserveNow; Occupied while charging or held for another reservation) until
CancelReservation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import (
    Action,
    ChargingProfileStatus,
    CancelReservationStatus,
    ClearChargingProfileStatus,
    GetCompositeScheduleStatus,
    RemoteStartStopStatus,
    ReservationStatus,
)

CONNECTOR = 1


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Meter:
    """The connector's energy register and what the car draws."""

    energy_wh: int = 0
    power_w: int = 11_000
    state_of_charge: float = 20.0

    def run(self, seconds: float) -> None:
        energy = round(self.power_w * seconds / 3600)
        self.energy_wh += energy
        # A 60 kWh battery, full at 100 %.
        self.state_of_charge = min(100.0, self.state_of_charge + energy / 600)


class SimulatedCharger(ChargePoint):
    def __init__(self, charger_id: str, connection: Any, meter: Meter | None = None) -> None:
        super().__init__(charger_id, connection, response_timeout=30)
        self.meter = meter or Meter()
        self.transaction_id: int | None = None
        self.transaction_started: str | None = None  # when it began (a Relative profile counts from then)
        self.id_tag_status: str | None = None
        # The TxProfile the central system set on the transaction (OCPP camelCase), as a charger keeps it.
        self.charging_profile: dict[str, Any] | None = None
        # reservationId -> the ReserveNow that made it (its fields in snake_case), as long as it holds.
        self.reservations: dict[int, dict[str, Any]] = {}

    async def boot(self) -> str:
        answer = await self.call(call.BootNotification(
            charge_point_model="evroam simulator", charge_point_vendor="evroam",
            firmware_version="1.0", charge_point_serial_number=f"SIM-{self.id}"[:25],
        ))
        return answer.status

    async def report_status(self, status: str, connector_id: int = CONNECTOR) -> None:
        await self.call(call.StatusNotification(connector_id=connector_id, error_code="NoError", status=status,
                                                timestamp=now()))

    async def authorize(self, id_tag: str) -> str:
        return (await self.call(call.Authorize(id_tag=id_tag))).id_tag_info["status"]

    async def start_transaction(self, id_tag: str, reservation_id: int | None = None) -> int:
        """Plugged in and the card accepted (or a remote start): the transaction begins."""
        await self.report_status("Preparing")
        started = now()
        answer = await self.call(call.StartTransaction(
            connector_id=CONNECTOR, id_tag=id_tag, meter_start=self.meter.energy_wh, timestamp=started,
            reservation_id=reservation_id,
        ))
        self.transaction_id, self.id_tag_status = answer.transaction_id, answer.id_tag_info["status"]
        self.transaction_started = started
        await self.report_status("Charging")
        return answer.transaction_id

    async def sample(self, seconds: float) -> None:
        """`seconds` of charging, then a periodic meter reading."""
        self.meter.run(seconds)
        await self.call(call.MeterValues(connector_id=CONNECTOR, transaction_id=self.transaction_id, meter_value=[
            {"timestamp": now(), "sampledValue": [
                {"value": str(self.meter.energy_wh), "context": "Sample.Periodic",
                 "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": str(self.meter.power_w), "context": "Sample.Periodic",
                 "measurand": "Power.Active.Import", "unit": "W"},
                {"value": f"{self.meter.state_of_charge:.1f}", "context": "Sample.Periodic", "measurand": "SoC",
                 "unit": "Percent", "location": "EV"},
            ]},
        ]))

    async def stop(self, reason: str = "Local") -> None:
        if self.transaction_id is None:
            return
        transaction_id, self.transaction_id = self.transaction_id, None
        await self.report_status("Finishing")
        await self.call(call.StopTransaction(meter_stop=self.meter.energy_wh, timestamp=now(),
                                             transaction_id=transaction_id, reason=reason))
        await self.report_status("Available")

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, **_: Any) -> call_result.RemoteStartTransaction:
        accepted = self.transaction_id is None
        return call_result.RemoteStartTransaction(
            status=RemoteStartStopStatus.accepted if accepted else RemoteStartStopStatus.rejected
        )

    @after(Action.remote_start_transaction)
    async def after_remote_start(self, id_tag: str, **_: Any) -> None:
        if self.transaction_id is None:
            await self.start_transaction(id_tag)

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **_: Any) -> call_result.RemoteStopTransaction:
        accepted = transaction_id == self.transaction_id
        return call_result.RemoteStopTransaction(
            status=RemoteStartStopStatus.accepted if accepted else RemoteStartStopStatus.rejected
        )

    @after(Action.remote_stop_transaction)
    async def after_remote_stop(self, transaction_id: int, **_: Any) -> None:
        if transaction_id == self.transaction_id:
            await self.stop("Remote")

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any],
                                **_: Any) -> call_result.SetChargingProfile:
        # The library hands nested objects in snake_case: kept as the charger received them.
        transaction_id = cs_charging_profiles.get("transaction_id")
        accepted = self.transaction_id is not None and transaction_id == self.transaction_id
        if accepted:
            # The library validated the call's rates as Decimals (OCPP's multipleOf 0.1), which it cannot write
            # back into a message: kept as JSON numbers, to be sent again as the composite schedule.
            self.charging_profile = json.loads(json.dumps(cs_charging_profiles, default=float))
        return call_result.SetChargingProfile(
            status=ChargingProfileStatus.accepted if accepted else ChargingProfileStatus.rejected)

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **_: Any) -> call_result.ClearChargingProfile:
        known, self.charging_profile = self.charging_profile is not None, None
        return call_result.ClearChargingProfile(
            status=ClearChargingProfileStatus.accepted if known else ClearChargingProfileStatus.unknown)

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, connector_id: int, duration: int,
                                  **_: Any) -> call_result.GetCompositeSchedule:
        """The one profile it keeps is its composite schedule: its periods that begin within `duration`, from
        the moment they count from (an Absolute profile's start, else the transaction's)."""
        if self.charging_profile is None or connector_id != CONNECTOR:
            return call_result.GetCompositeSchedule(status=GetCompositeScheduleStatus.rejected)
        schedule = dict(self.charging_profile["charging_schedule"])
        schedule["charging_schedule_period"] = [period for period in schedule["charging_schedule_period"]
                                                if period["start_period"] < duration]
        schedule["duration"] = min(schedule.get("duration", duration), duration)
        return call_result.GetCompositeSchedule(
            status=GetCompositeScheduleStatus.accepted, connector_id=connector_id,
            schedule_start=schedule.pop("start_schedule", None) or self.transaction_started, charging_schedule=schedule)

    @on(Action.reserve_now)
    def on_reserve_now(self, connector_id: int, expiry_date: str, id_tag: str, reservation_id: int,
                       **_: Any) -> call_result.ReserveNow:
        # Connector 0 (the charger as a whole) is optional in OCPP (ReserveConnectorZeroSupported): not here.
        if connector_id != CONNECTOR:
            return call_result.ReserveNow(status=ReservationStatus.rejected)
        held_for_another = any(held != reservation_id for held in self.reservations)
        if self.transaction_id is not None or held_for_another:
            return call_result.ReserveNow(status=ReservationStatus.occupied)
        # The same reservationId again replaces the reservation (OCPP 1.6 §5.13).
        self.reservations[reservation_id] = {"connector_id": connector_id, "expiry_date": expiry_date,
                                             "id_tag": id_tag}
        return call_result.ReserveNow(status=ReservationStatus.accepted)

    @on(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, **_: Any) -> call_result.CancelReservation:
        known = self.reservations.pop(reservation_id, None) is not None
        return call_result.CancelReservation(
            status=CancelReservationStatus.accepted if known else CancelReservationStatus.rejected)
