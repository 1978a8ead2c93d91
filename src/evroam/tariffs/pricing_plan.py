"""What pricing needs from a tariff, worked out once per tariff (and kept with it by the tariff cache).

Per phase and dimension, the components that may bill it, in the order they are tried (ocpi-notes
§13.2, §13.3, §16.2):

* The charging session tries the elements without a `reservation` restriction, for ENERGY, TIME,
  PARKING_TIME and FLAT.
* A reservation tries its RESERVATION elements for TIME and FLAT; one that expired unused (a session
  of reservation periods only) tries its RESERVATION_EXPIRES elements first.
* An element prices a dimension with its first component of that dimension. An unrestricted
  candidate always applies, so the candidates after it are left out: they could never be reached.

A candidate's restrictions come as a Check (see restrictions.py), built once here.
"""

from __future__ import annotations

from evroam.tariffs.pricing_charges import ENERGY, FLAT, PARKING_TIME, TIME
from evroam.tariffs.pricing_model import PriceComponent, ReservationRestriction, Restrictions, Tariff
from evroam.tariffs.restrictions import Check, restrictions_check

# (element index, its restrictions' check or None if it has none, component): an element that may
# price one dimension in one phase.
Candidates = tuple[tuple[int, Check | None, PriceComponent], ...]

_RESERVED = ReservationRestriction.RESERVATION


class TariffPlan:
    __slots__ = ("tariff", "energy", "time", "parking", "session_flat", "reservation_time", "reservation_flat",
                 "expired_time", "expired_flat", "has_spot", "local_time")  # fmt: skip

    def __init__(self, tariff: Tariff) -> None:
        self.tariff = tariff
        # keyed by the dimensions' names, which Dimension members equal (StrEnum)
        session: dict[str, list] = {ENERGY: [], TIME: [], PARKING_TIME: [], FLAT: []}
        reserved: dict[str, list] = {TIME: [], FLAT: []}
        expiring: dict[str, list] = {TIME: [], FLAT: []}
        reads_local_time: set[int] = set()  # elements with clock, date or weekday restrictions
        for index, element in enumerate(tariff.elements):
            restrictions = element.restrictions
            phase = session
            check = None
            if restrictions is not None:
                if restrictions.reservation is not None:
                    phase = reserved if restrictions.reservation is _RESERVED else expiring
                check = restrictions_check(restrictions)
                if _reads_local_time(restrictions):
                    reads_local_time.add(index)
            for component in element.components:
                candidates = phase.get(component.dimension)
                if candidates is not None and (not candidates or candidates[-1][0] != index):
                    candidates.append((index, check, component))
        self.energy = _reachable(session[ENERGY])
        self.time = _reachable(session[TIME])
        self.parking = _reachable(session[PARKING_TIME])
        self.session_flat = _reachable(session[FLAT])
        self.reservation_time = _reachable(reserved[TIME])
        self.reservation_flat = _reachable(reserved[FLAT])
        self.expired_time = _reachable(expiring[TIME] + reserved[TIME])
        self.expired_flat = _reachable(expiring[FLAT] + reserved[FLAT])
        self.has_spot = any(component.spot is not None for _, _, component in self.energy)
        tried = self.energy + self.time + self.parking + self.session_flat + self.expired_time + self.expired_flat
        # whether pricing must work out the local time (costly) as a period starts
        self.local_time = not reads_local_time.isdisjoint(index for index, _, _ in tried)


def _reachable(candidates: list) -> Candidates:
    for position, candidate in enumerate(candidates):
        if candidate[1] is None:  # no restrictions
            return tuple(candidates[: position + 1])
    return tuple(candidates)


def _reads_local_time(r: Restrictions) -> bool:
    return not (r.start_time is None and r.end_time is None and r.start_date is None and r.end_date is None
                and r.weekdays is None)  # fmt: skip
