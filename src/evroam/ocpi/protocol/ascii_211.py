"""OCPI 2.1.1 strings are ASCII only: transliterate what we publish to 2.1.1 partners (ä → a, ß → ss)."""

from __future__ import annotations

import unicodedata
from typing import Any

# Letters that Unicode decomposition does not reduce to a base letter plus marks.
_SPECIAL = str.maketrans({"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d",
                          "Ł": "L", "ł": "l", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th", "€": "EUR"})


def ascii_text(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def ascii_document(value: Any) -> Any:
    """The same JSON value with every string transliterated to ASCII."""
    if isinstance(value, str):
        return ascii_text(value)
    if isinstance(value, dict):
        return {key: ascii_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [ascii_document(item) for item in value]
    return value
