"""OCPI 2.1.1 strings are ASCII only: transliterate what we publish to 2.1.1 partners (ä → a, ß → ss, – → -).

Each character becomes its ASCII equivalent, where one exists: letters lose their accents (Unicode
compatibility decomposition, which also spells out … as ... and a non-breaking space as a space);
typographic punctuation becomes the ASCII mark it stands for. Only what has no ASCII equivalent (Chinese
script, combining marks on their own, invisible format characters) is left out.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

# Letters that Unicode decomposition does not reduce to a base letter plus marks, and punctuation and
# symbols whose decomposition is not ASCII.
_EQUIVALENTS = {
    "ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Œ": "OE",
    "œ": "oe", "Þ": "Th", "þ": "th", "€": "EUR",
    "«": '"', "»": '"', "‹": "'", "›": "'", "‚": "'", "„": '"', "′": "'", "″": '"', "•": "*", "·": ".",
    "×": "x", "÷": "/", "⁄": "/", "−": "-", "©": "(C)", "®": "(R)", "¡": "!", "¿": "?",
}


@functools.lru_cache(maxsize=4096)
def _ascii_char(char: str) -> str:
    if char in _EQUIVALENTS:
        return _EQUIVALENTS[char]
    decomposed = "".join(_EQUIVALENTS.get(part, part) for part in unicodedata.normalize("NFKD", char))
    if decomposed.isascii():
        return decomposed
    if ascii_part := decomposed.encode("ascii", "ignore").decode("ascii"):
        return ascii_part  # a letter and its accents
    # Whole classes of typographic marks: every dash is a hyphen-minus, every space a space, every
    # quotation mark (opening or closing) a straight one.
    category = unicodedata.category(char)
    if category == "Pd":
        return "-"
    if category == "Zs":
        return " "
    if category in ("Pi", "Pf"):
        return '"' if "DOUBLE" in unicodedata.name(char, "") else "'"
    return ""


def ascii_text(text: str) -> str:
    if text.isascii():
        return text
    return "".join(_ascii_char(char) for char in text)


def ascii_document(value: Any) -> Any:
    """The same JSON value with every string transliterated to ASCII."""
    if isinstance(value, str):
        return ascii_text(value)
    if isinstance(value, dict):
        return {key: ascii_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [ascii_document(item) for item in value]
    return value
