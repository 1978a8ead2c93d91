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

from evroam.tariffs.pricing.charges import ENERGY, FLAT, PARKING_TIME, TIME
from evroam.tariffs.pricing.model import PriceComponent, ReservationRestriction, Restrictions, Tariff
from evroam.tariffs.pricing.restrictions import Check, restrictions_check

# (element index, its restrictions' check or None if it has none, component): an element that may
# price one dimension in one phase.
Candidates = tuple[tuple[int, Check | None, PriceComponent], ...]

# Per phase (an element's `reservation` restriction), the plan attribute collecting the candidates of
# each dimension it prices; a component of any other dimension is left out. An expired reservation
# collects its RESERVATION_EXPIRES candidates first: its RESERVATION ones are added at the end.
_SESSION_ATTRIBUTES = {ENERGY: "energy", TIME: "time", PARKING_TIME: "parking", FLAT: "session_flat"}
_PHASE_ATTRIBUTES = {
    None: _SESSION_ATTRIBUTES,
    ReservationRestriction.RESERVATION: {TIME: "reservation_time", FLAT: "reservation_flat"},
    ReservationRestriction.RESERVATION_EXPIRES: {TIME: "expired_time", FLAT: "expired_flat"},
}


class TariffPlan:
    __slots__ = ("tariff", "energy", "time", "parking", "session_flat", "reservation_time", "reservation_flat",
                 "expired_time", "expired_flat", "has_spot", "local_time", "elapsed_time")  # fmt: skip

    def __init__(self, tariff: Tariff) -> None:
        # Built for every tariff not seen before, so kept lean: the candidates go straight into their
        # attributes, and an element without restrictions costs no Check and no phase lookup.
        self.tariff = tariff
        self.energy = self.time = self.parking = self.session_flat = ()
        self.reservation_time = self.reservation_flat = self.expired_time = self.expired_flat = ()
        reads_local_time: list[int] = []  # elements with clock, date or weekday restrictions
        reads_elapsed_time: list[int] = []  # elements with min/max_duration restrictions
        for index, element in enumerate(tariff.elements):
            restrictions = element.restrictions
            attributes, check = _SESSION_ATTRIBUTES, None
            if restrictions is not None:
                attributes = _PHASE_ATTRIBUTES[restrictions.reservation]
                check = restrictions_check(restrictions)
                if _reads_local_time(restrictions):
                    reads_local_time.append(index)
                if restrictions.min_duration is not None or restrictions.max_duration is not None:
                    reads_elapsed_time.append(index)
            for component in element.components:
                attribute = attributes.get(component.dimension)
                if attribute is not None:
                    tried: Candidates = getattr(self, attribute)
                    # the element's first component of the dimension, unless an unrestricted
                    # candidate came before: that one always applies, so this one is never reached
                    if not tried or (tried[-1][1] is not None and tried[-1][0] != index):
                        setattr(self, attribute, tried + ((index, check, component),))
        if self.reservation_time or self.reservation_flat:
            self.expired_time = _then(self.expired_time, self.reservation_time)
            self.expired_flat = _then(self.expired_flat, self.reservation_flat)
        self.has_spot = _has_spot(self.energy)
        # whether pricing must work out the local time (costly) as a period starts
        self.local_time = _any_element_in(reads_local_time, self) if reads_local_time else False
        # whether pricing must work out the time since the session started from the period's start
        self.elapsed_time = _any_element_in(reads_elapsed_time, self) if reads_elapsed_time else False


def _then(first: Candidates, second: Candidates) -> Candidates:
    """The candidates of `first`, then those of `second` unless an unrestricted one in `first` always applies."""
    if first and first[-1][1] is None:
        return first
    return first + second


def _has_spot(candidates: Candidates) -> bool:
    for _, _, component in candidates:
        if component.spot is not None:
            return True
    return False


def _any_element_in(indices: list[int], plan: TariffPlan) -> bool:
    """Whether any candidate of the plan comes from one of the elements."""
    every_candidates = (plan.energy, plan.time, plan.parking, plan.session_flat, plan.reservation_time,
                        plan.reservation_flat, plan.expired_time, plan.expired_flat)  # fmt: skip
    return any(index in indices for candidates in every_candidates for index, _, _ in candidates)


def _reads_local_time(r: Restrictions) -> bool:
    return not (r.start_time is None and r.end_time is None and r.start_date is None and r.end_date is None
                and r.weekdays is None)  # fmt: skip
