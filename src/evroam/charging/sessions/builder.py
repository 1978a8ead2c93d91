"""A charging session's state from its charger events: pure (events + settings + tariff -> state).

The events are applied in event time, then arrival order, whatever order they came in, so a charger that
was offline and sends its backlog late (or shuffled) gives the same session as one that sent it live.

* Status: PENDING while the start is unknown (meter values or a stop came first), INVALID when such a
  session timed out, ACTIVE from SessionStarted, COMPLETED from SessionStopped.
* Energy: the meter register relative to `meterStartWh`, read between samples by straight lines
  (OCPP 1.6 errata 3.9: session energy is the register's difference, never the register). A register
  that goes back (a glitch) holds its last value.
* Charging periods: cut every `chargingPeriodIntervalInMinutes` from the start, and wherever another
  price component could become active (ocpi-notes §13.6): the tariff's clock times and days, its
  min/max_duration, the moment the energy reaches a min/max_kwh, a power or current reading on the other
  side of a min/max_power or min/max_current, and the socket switching between charging and parking
  (SuspendedEV and Finishing are parking: the EV does not ask for power) or going out of order.
* Out of order (Faulted, Unavailable): that time is no charging or parking time the driver pays for
  (Gireve, charging-notes "CDRs": total_time excludes it). Its period states its time as zero hours, so
  the session's and the CDR's totals and time costs leave it out, and only energy the meter still
  counted in it is billed.
* Reservation: a session that began on a reservation of its partner's (`reserved_since`, when it was
  booked) starts with the reservation's time, as periods of their own (cut at the tariff's clock times),
  priced by the tariff's reservation elements (ocpi-notes §13: a reservation runs from booking until
  charging starts). They end where the charging begins.
* Cost: the pricing engine's, with the tariff that applied at the start.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from evroam.tariffs.pricing import price_session
from evroam.tariffs.pricing.described_session import clock_times, cut_pieces
from evroam.tariffs.pricing.model import PeriodState, PricingResult, Restrictions, SessionPeriod, Tariff, whole_seconds
from evroam.tariffs.pricing.time_zones import zone_named

Status = Literal["PENDING", "ACTIVE", "COMPLETED", "INVALID"]

_ZERO = Decimal(0)
_THOUSAND = Decimal(1000)
_MICROSECONDS = Decimal(1_000_000)
# Socket statuses during a session in which the EV asks for no power (OCPI's PARKING_TIME).
PARKING_STATUSES = frozenset({"SuspendedEV", "Finishing"})
# Socket statuses during a session in which the EVSE is out of order: time nobody is billed for.
OUT_OF_ORDER_STATUSES = frozenset({"Faulted", "Unavailable"})
# The phase of a session between two switches: charging, parking, or (None) out of order.
_Phase = PeriodState | None


@dataclass(frozen=True, slots=True)
class Started:
    time: datetime
    arrival: int
    socket_id: int
    id_tag: str
    meter_start_wh: Decimal
    authorization_reference: str | None = None
    # Our reservation id (the charger's reservationId) the session began on.
    reservation_id: int | None = None


@dataclass(frozen=True, slots=True)
class Meter:
    time: datetime
    arrival: int
    energy_wh: Decimal
    power_w: Decimal | None = None
    current_a: Decimal | None = None
    state_of_charge: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Stopped:
    time: datetime
    arrival: int
    meter_stop_wh: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class SocketStatus:
    """A status of the session's socket, for telling charging from parking."""

    time: datetime
    arrival: int
    status: str


Event = Started | Meter | Stopped | SocketStatus


@dataclass(frozen=True, slots=True)
class Settings:
    interval_minutes: int = 15
    state_of_charge: bool = False


@dataclass(frozen=True, slots=True)
class Pricing:
    tariff: Tariff
    time_zone: tzinfo | str


@dataclass(frozen=True, slots=True)
class Period:
    period: SessionPeriod
    # The last state of charge reported up to the period's end (%), when reported and to be sent.
    state_of_charge: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SessionState:
    status: Status
    start: datetime
    end: datetime | None = None
    socket_id: int | None = None
    id_tag: str | None = None
    authorization_reference: str | None = None
    meter_start_wh: Decimal | None = None
    meter_stop_wh: Decimal | None = None
    kwh: Decimal = _ZERO
    stop_reason: str | None = None
    periods: tuple[Period, ...] = ()
    cost: PricingResult | None = None


def opening(events: Iterable[Event]) -> Started | None:
    """The start the session is built on (the first by event time, then arrival)."""
    starts = [event for event in events if isinstance(event, Started)]
    return min(starts, key=lambda event: (event.time, event.arrival), default=None)


def build(
    events: Iterable[Event], settings: Settings, pricing: Pricing | None = None, *, timed_out: bool = False,
    reserved_since: datetime | None = None,
) -> SessionState:
    """The session the events make. `timed_out`: a PENDING session whose start never came is INVALID;
    `reserved_since`: when the reservation the session began on was booked."""
    ordered = sorted(events, key=lambda event: (event.time, event.arrival))
    if not ordered:
        raise ValueError("a session needs at least one event")
    started = opening(ordered)
    stopped = next((event for event in ordered if isinstance(event, Stopped)), None)
    if started is None:
        first = next(event for event in ordered if not isinstance(event, SocketStatus))
        return SessionState("INVALID" if timed_out else "PENDING", first.time)
    if stopped is not None and stopped.time < started.time:
        stopped = None  # a stop stamped before the start is a clock fault: the session is still open
    end = stopped.time if stopped else None
    meters = [event for event in ordered if isinstance(event, Meter) and started.time < event.time
              and (end is None or event.time < end)]  # fmt: skip
    line = _EnergyLine(started, meters, stopped)
    statuses = [event for event in ordered if isinstance(event, SocketStatus) and started.time < event.time]
    periods = _periods(line, statuses, settings, pricing)
    if reserved_since is not None:
        periods = _reservation_periods(reserved_since, started.time, pricing) + periods
    cost = None
    if pricing is not None:
        cost = price_session(pricing.tariff, [period.period for period in periods], pricing.time_zone)
    return SessionState(
        status="COMPLETED" if stopped else "ACTIVE",
        start=started.time,
        end=end,
        socket_id=started.socket_id,
        id_tag=started.id_tag,
        authorization_reference=started.authorization_reference,
        meter_start_wh=started.meter_start_wh,
        meter_stop_wh=stopped.meter_stop_wh if stopped else None,
        kwh=line.energy_at(line.length_s) / _THOUSAND,
        stop_reason=stopped.reason if stopped else None,
        periods=periods,
        cost=cost,
    )


class _EnergyLine:
    """The session's energy (Wh since the start) over seconds since the start, and what each sample saw."""

    def __init__(self, started: Started, meters: Sequence[Meter], stopped: Stopped | None) -> None:
        self.start = started.time
        self.base = started.meter_start_wh
        self.offsets: list[Decimal] = [_ZERO]
        self.energy: list[Decimal] = [_ZERO]
        # Per sample after the start (the segment from the sample before up to it): offset, power kW,
        # current A, state of charge; sample i ends the segment that starts at offsets[i].
        self.samples: list[tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]] = []
        register = started.meter_start_wh
        for meter in meters:
            register = max(register, meter.energy_wh)
            self._add(meter.time, register)
            power_kw = meter.power_w / _THOUSAND if meter.power_w is not None else self._average_kw()
            self.samples.append((self.offsets[-1], power_kw, meter.current_a, meter.state_of_charge))
        last_time = meters[-1].time if meters else started.time
        if stopped is not None:
            self._add(stopped.time, max(register, stopped.meter_stop_wh))
            self.samples.append((self.offsets[-1], self._average_kw(), None, None))
            last_time = stopped.time
        self.length_s = whole_seconds(last_time - started.time)

    def _add(self, moment: datetime, register: Decimal) -> None:
        self.offsets.append(Decimal((moment - self.start) // timedelta(microseconds=1)) / _MICROSECONDS)
        self.energy.append(register - self.base)

    def _average_kw(self) -> Decimal | None:
        span = self.offsets[-1] - self.offsets[-2]
        if span <= 0:
            return None
        return (self.energy[-1] - self.energy[-2]) * 3600 / span / _THOUSAND

    def energy_at(self, offset: Decimal | int) -> Decimal:
        offset = Decimal(offset)
        index = bisect_right(self.offsets, offset)
        # The session's length is its last event to the whole second: rounded down (an event at 20.3 s
        # ends the session at 20 s), the end still holds all the energy the register shows.
        if index >= len(self.offsets) or offset >= self.length_s:
            return self.energy[-1]
        before, after = self.offsets[index - 1], self.offsets[index]
        low, high = self.energy[index - 1], self.energy[index]
        return low + (high - low) * (offset - before) / (after - before)

    def reaching(self, wh: Decimal) -> int | None:
        """The first whole second at which the energy reaches `wh` (None: it does not)."""
        for index in range(1, len(self.offsets)):
            low, high = self.energy[index - 1], self.energy[index]
            if low < wh <= high:
                before, after = self.offsets[index - 1], self.offsets[index]
                moment = before + (after - before) * (wh - low) / (high - low)
                return int(moment.to_integral_value(ROUND_CEILING))
        return None


def _restrictions_and_zone(pricing: Pricing | None) -> tuple[list[Restrictions], tzinfo]:
    restrictions = [] if pricing is None else [
        element.restrictions for element in pricing.tariff.elements if element.restrictions is not None
    ]
    zone = pricing.time_zone if pricing is not None else UTC
    return restrictions, zone_named(zone, "time_zone") if isinstance(zone, str) else zone


def _reservation_periods(
    reserved_since: datetime, charging_start: datetime, pricing: Pricing | None
) -> tuple[Period, ...]:
    """The reservation's time up to the charging's start, to the whole second (so it ends exactly there)."""
    length_s = whole_seconds(charging_start - reserved_since)
    start = charging_start - timedelta(seconds=length_s)
    restrictions, zone = _restrictions_and_zone(pricing)
    return tuple(Period(SessionPeriod(PeriodState.RESERVATION, start + timedelta(seconds=offset), length))
                 for offset, length in cut_pieces(start, length_s, zone, clock_times(restrictions)))


def _periods(
    line: _EnergyLine, statuses: Sequence[SocketStatus], settings: Settings, pricing: Pricing | None
) -> tuple[Period, ...]:
    restrictions, zone = _restrictions_and_zone(pricing)
    interval_s = settings.interval_minutes * 60
    intervals = set(range(interval_s, line.length_s, interval_s))
    durations = {limit for r in restrictions for limit in (r.min_duration, r.max_duration) if limit}
    energy = {line.reaching(limit * _THOUSAND) for r in restrictions for limit in (r.min_kwh, r.max_kwh)
              if limit is not None} - {None}  # fmt: skip
    switches = _state_switches(line, statuses)
    pieces = cut_pieces(line.start, line.length_s, zone, clock_times(restrictions), intervals, durations,
                        energy, set(switches), _band_changes(line, restrictions))  # type: ignore[arg-type]
    return tuple(_period(line, offset, length, switches, settings) for offset, length in pieces)


def _state_switches(line: _EnergyLine, statuses: Sequence[SocketStatus]) -> dict[int, _Phase]:
    """Offset -> the phase from then on, where the socket switched between charging, parking and out of order."""
    switches: dict[int, _Phase] = {}
    phase: _Phase = PeriodState.CHARGING
    for status in statuses:
        now = _phase(status.status)
        if now != phase:
            switches[whole_seconds(status.time - line.start)] = now
            phase = now
    return switches


def _phase(status: str) -> _Phase:
    if status in OUT_OF_ORDER_STATUSES:
        return None
    return PeriodState.PARKING if status in PARKING_STATUSES else PeriodState.CHARGING


def _band_changes(line: _EnergyLine, restrictions: Sequence[Restrictions]) -> set[int]:
    """Offsets of samples whose power or current is on another side of a restriction's limit than the last."""
    power = {limit for r in restrictions for limit in (r.min_power, r.max_power) if limit is not None}
    current = {limit for r in restrictions for limit in (r.min_current, r.max_current) if limit is not None}
    changes: set[int] = set()
    before: tuple[Decimal | None, Decimal | None] = (None, None)
    for index, (_, power_kw, current_a, _) in enumerate(line.samples):
        segment_start = int(line.offsets[index].to_integral_value(ROUND_CEILING))
        for limits, was, now in ((power, before[0], power_kw), (current, before[1], current_a)):
            if was is not None and now is not None and any((was >= limit) != (now >= limit) for limit in limits):
                changes.add(segment_start)
        before = (power_kw if power_kw is not None else before[0], current_a if current_a is not None else before[1])
    return changes


def _period(line: _EnergyLine, offset: int, length: int, switches: dict[int, _Phase],
            settings: Settings) -> Period:
    phase: _Phase = PeriodState.CHARGING
    for moment in sorted(switches):
        if moment <= offset:
            phase = switches[moment]
    end = offset + length
    # The samples describing the period: those whose segment (from the sample before) overlaps it, found
    # by bisection (offsets only grow): a long session has hundreds of samples and dozens of periods.
    # Sample i's segment runs from offsets[i] to offsets[i + 1].
    first = bisect_right(line.offsets, offset, lo=1) - 1
    seen = line.samples[first:bisect_left(line.offsets, end, hi=len(line.samples))]
    powers = [power for _, power, _, _ in seen if power is not None]
    currents = [current for _, _, current, _ in seen if current is not None]
    until_end = line.samples[:bisect_right(line.offsets, end, lo=1) - 1]
    charged = next((soc for _, _, _, soc in reversed(until_end) if soc is not None), None)
    period = SessionPeriod(
        phase or PeriodState.CHARGING,
        line.start + timedelta(seconds=offset),
        length if phase is not None else 0,  # out of order: no time billed
        (line.energy_at(end) - line.energy_at(offset)) / _THOUSAND,
        min(currents, default=None),
        max(currents, default=None),
        min(powers, default=None),
        max(powers, default=None),
    )
    return Period(period, charged if settings.state_of_charge else None)
