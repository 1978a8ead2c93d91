"""The two ways pricing can refuse: bad input, and a spot price that is not known (yet)."""

from __future__ import annotations

from datetime import UTC, datetime


class PricingInputError(ValueError):
    """A tariff, CDR or period that cannot be priced; `field` is the JSON path of the culprit."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem

    def within(self, parent: str) -> PricingInputError:
        """The same error seen from the enclosing object, e.g. `price` inside `elements[0]`."""
        if not self.field:
            return PricingInputError(parent, self.problem)
        separator = "" if self.field.startswith("[") else "."
        return PricingInputError(f"{parent}{separator}{self.field}", self.problem)


class MissingSpotPriceError(LookupError):
    """No spot price covers a moment a spot component needs: never priced as zero.

    Kept apart from PricingInputError because the input may be fine and the prices merely not yet
    imported: a caller may retry later.
    """

    def __init__(self, bidding_zone: str, moment: datetime | None) -> None:
        if moment is None:
            message = f"no spot price source given for bidding zone {bidding_zone}"
        else:
            message = f"no spot price for bidding zone {bidding_zone} at {utc_minute(moment)}"
        super().__init__(message)
        self.bidding_zone = bidding_zone
        self.moment = moment


def utc_minute(moment: datetime) -> str:
    """`2026-11-23T14:00Z`: the compact UTC form used in messages (seconds only when not zero)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ" if utc.second or utc.microsecond else "%Y-%m-%dT%H:%MZ")
