"""What an OCPI version cannot carry of the operator's data: fitted into the document, and reported.

The management API takes what operators have (a 255-character street address, any connector standard);
each OCPI version has its own limits (2.2.1 sends `address` string(45) and `state` string(20), 2.1.1
has no NEMA connectors and only ASCII, whose transliteration makes text longer: ß -> ss). A module's
mapping builds each document through a `Fitting` of the partner's version: `fit_lengths` cuts every
text over its limit (after the 2.1.1 transliteration), at a word boundary when one is near, never
inside a character, and the mapping notes what it had to leave out with `left_out`. Each change becomes
a `PublicationWarning` naming the OCPI field, the version, the limit and what was sent; the ledger
keeps them with the document, and the management API shows them on the published location.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A limits tree: field name -> the maximum length of its text, the tree of an object, or a list holding
# the tree of each item.
Limits = Mapping[str, Any]

# The limits of OCPI's shared classes (string(n) of DisplayText, BusinessDetails, EnergyMix), the same
# in 2.1.1 and 2.2.1.
DISPLAY_TEXT: Limits = {"text": 512}
BUSINESS_DETAILS: Limits = {"name": 100}
ENERGY_MIX: Limits = {"supplier_name": 64, "energy_product_name": 64}

# Cut at the last space when it keeps at least this share of the limit; otherwise cut mid-word.
_WORD_BOUNDARY_SHARE = 2 / 3
_TRAILING = " ,;:/-–—"


@dataclass(frozen=True, slots=True)
class PublicationWarning:
    field: str
    version: str
    message: str
    limit: int | None = None
    sent: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "ocpiVersion": self.version, "limit": self.limit, "sent": self.sent,
                "message": self.message}


@dataclass
class Fitting:
    """One document being fitted into `version`, and the warnings it gave."""

    version: str
    warnings: list[PublicationWarning] = field(default_factory=list)

    def left_out(self, path: str, message: str) -> None:
        self.warnings.append(PublicationWarning(path, self.version, f"OCPI {self.version}: {message}"))

    def fit_lengths(self, document: dict[str, Any], limits: Limits, path: str = "") -> dict[str, Any]:
        """`document` with every text of `limits` at most its length; each cut noted."""
        fitted = dict(document)
        for name, limit in limits.items():
            value = fitted.get(name)
            if value is None:
                continue
            where = f"{path}.{name}" if path else name
            if isinstance(limit, int):
                fitted[name] = self._text(where, value, limit)
            elif isinstance(limit, list):
                fitted[name] = [self.fit_lengths(item, limit[0], f"{where}[{_key(item, index)}]")
                                for index, item in enumerate(value)]
            else:
                fitted[name] = self.fit_lengths(value, limit, where)
        return fitted

    def _text(self, path: str, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        sent = shortened(value, limit)
        self.warnings.append(PublicationWarning(
            path, self.version,
            f"OCPI {self.version} allows at most {limit} characters in {path}; {len(value)} were given "
            f"(as this version spells them), so the text was shortened",
            limit, sent,
        ))
        return sent


def shortened(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut at the last space when one is near the end, else at the
    limit, but never between a letter and its combining marks; trailing separators dropped."""
    if len(text) <= limit:
        return text
    boundary = text.rfind(" ", 0, limit + 1)
    if boundary >= limit * _WORD_BOUNDARY_SHARE:
        cut = text[:boundary]
    else:
        end = limit
        while end > 0 and unicodedata.combining(text[end]):
            end -= 1
        cut = text[:end]
    return cut.rstrip(_TRAILING) or cut


def _key(item: Any, index: int) -> str:
    """How a list item is named in a warning: by its OCPI id where it has one, else by position."""
    if isinstance(item, Mapping):
        for name in ("uid", "id"):
            if isinstance(item.get(name), str):
                return item[name]
    return str(index)
