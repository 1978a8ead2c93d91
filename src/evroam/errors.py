"""Domain errors: what a use case refuses, said once, whatever API asked.

Services raise these and never an API's own errors; the management API (evroam.api.errors) answers
them with 400/404/409 and its JSON body, the OCPI API (evroam.ocpi.protocol.domain_errors) with OCPI
status codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    problem: str


# A body with a million bad items makes a million problems: an answer names this many, so it stays small
# whatever the request was; the APIs say how many more there were.
MAX_PROBLEMS_NAMED = 20


def summary(problems: Sequence[FieldProblem]) -> str:
    """The problems on one line (up to the bound), for an error message that lists them."""
    named = "; ".join(f"{item.field}: {item.problem}" for item in problems[:MAX_PROBLEMS_NAMED])
    unnamed = len(problems) - MAX_PROBLEMS_NAMED
    return f"{named}; {unnamed} more problems not listed" if unnamed > 0 else named


class DomainError(Exception):
    problems: tuple[FieldProblem, ...] = ()


class NotFound(DomainError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")


class Invalid(DomainError):
    """Input a use case cannot take, naming the field and its problem."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.problems = (FieldProblem(field, problem),)


class InvalidDocument(Invalid):
    """A document checked whole (a tariff): every problem found, not only the first."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        DomainError.__init__(self, f"Invalid request: {summary(problems)}")
        self.problems = tuple(problems)


class Conflict(DomainError):
    """The input is well formed but clashes with what is stored (a taken id, rows still depending on it)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.problems = (FieldProblem(field, problem),)
