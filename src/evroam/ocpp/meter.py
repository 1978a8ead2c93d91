"""OCPP 1.6 meterValue lists read into what a MeterValues event carries: energy in Wh, power in W, current
in A summed over phases, state of charge in %.

Chargers differ in how they report energy (OCPP 1.6 errata 3.9, MicroOcpp #66, lbbrhzn/ocpp #919):
- the register (Energy.Active.Import.Register, also the measurand of a sampledValue that names none),
  in Wh or kWh by its `unit`, whatever the context (Sample.Periodic, Sample.Clock, Transaction.Begin/End);
- the energy of the last interval only (Energy.Active.Import.Interval): the gateway adds it up per
  transaction (see `Sample.interval_wh`);
- either one per phase (L1, L2, L3 or L1-N ...) without a total: the phases are summed.
A value on another measurand (voltage, frequency, export) or in signed form is not what the events carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from evroam.ocpp.times import instant

REGISTER = "Energy.Active.Import.Register"
INTERVAL = "Energy.Active.Import.Interval"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
SOC = "SoC"
# What a value in this unit is in the unit the events carry; a unit not listed is not read.
_SCALES = {
    REGISTER: {"Wh": Decimal(1), "kWh": Decimal(1000)},
    INTERVAL: {"Wh": Decimal(1), "kWh": Decimal(1000)},
    POWER: {"W": Decimal(1), "kW": Decimal(1000)},
    CURRENT: {"A": Decimal(1)},
    SOC: {"Percent": Decimal(1)},
}
# The unit a sampledValue without one is in (OCPP 1.6: Wh for energy, else the measurand's base unit).
_DEFAULT_UNITS = {REGISTER: "Wh", INTERVAL: "Wh", POWER: "W", CURRENT: "A", SOC: "Percent"}


@dataclass(frozen=True, slots=True)
class Sample:
    """One meterValue: `energy_wh` is the register if the charger sent it; else `interval_wh` is the energy
    since its previous sample."""

    time: datetime
    energy_wh: Decimal | None
    interval_wh: Decimal | None
    power_w: Decimal | None
    current_a: Decimal | None
    state_of_charge: Decimal | None


def samples(meter_values: Iterable[dict[str, Any]]) -> list[Sample]:
    """The meterValue list of a MeterValues or StopTransaction request (snake_case keys, as the `ocpp`
    library hands them), in the order sent."""
    return [_sample(item) for item in meter_values]


def _sample(meter_value: dict[str, Any]) -> Sample:
    by_measurand: dict[str, list[dict[str, Any]]] = {}
    for sampled in meter_value.get("sampled_value", []):
        if sampled.get("format") == "SignedData":
            continue
        by_measurand.setdefault(sampled.get("measurand", REGISTER), []).append(sampled)
    read = {measurand: _total(measurand, by_measurand.get(measurand, [])) for measurand in _SCALES}
    return Sample(
        time=instant(meter_value["timestamp"]),
        energy_wh=read[REGISTER],
        interval_wh=read[INTERVAL],
        power_w=read[POWER],
        current_a=read[CURRENT],
        state_of_charge=read[SOC],
    )


def _total(measurand: str, sampled_values: list[dict[str, Any]]) -> Decimal | None:
    """The value without a phase if there is one (a meter's total), else the sum over the phases given."""
    values = [(sampled.get("phase"), _scaled(measurand, sampled)) for sampled in sampled_values]
    values = [(phase, value) for phase, value in values if value is not None]
    whole = [value for phase, value in values if phase is None]
    if whole:
        return whole[0]
    phases = {phase.split("-")[0]: value for phase, value in values if phase.startswith("L")}
    return sum(phases.values(), Decimal(0)) if phases else None


def _scaled(measurand: str, sampled: dict[str, Any]) -> Decimal | None:
    scale = _SCALES[measurand].get(sampled.get("unit", _DEFAULT_UNITS[measurand]))
    try:
        value = Decimal(sampled["value"])
    except (InvalidOperation, KeyError):
        return None
    return value * scale if scale is not None and value.is_finite() else None
