"""The 2.1.1 transliteration: always ASCII, and nothing that has an ASCII equivalent silently dropped."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from evroam.ocpi.protocol.ascii_211 import ascii_document, ascii_text

# Typographic punctuation an operator's text picks up from word processors, and what a reader expects.
TYPOGRAPHIC = {
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2212": "-",  # minus sign
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",  # single quotation marks
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',  # double quotation marks
    "\u00ab": '"', "\u00bb": '"',  # guillemets
    "\u2039": "'", "\u203a": "'",  # single guillemets
    "\u2032": "'", "\u2033": '"',  # primes
    "\u2026": "...",  # ellipsis
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2002": " ",  # non-breaking, narrow, thin, en spaces
    "\u2022": "*",  # bullet
    "\u00b7": ".",  # middle dot (Catalan l·l is written l.l in ASCII)
    "\u00bd": "1/2",
    "\u2122": "TM",
    "\u00a9": "(C)",
    "\u00d7": "x",
}


@pytest.mark.parametrize(("char", "expected"), sorted(TYPOGRAPHIC.items()))
def test_typographic_punctuation_becomes_its_ascii_equivalent(char, expected):
    assert ascii_text(f"a{char}b") == f"a{expected}b"


def test_the_reported_name_keeps_its_dash_and_quotes():
    assert ascii_text("Parking \u2013 Level 2 \u201cBlue\u201d") == 'Parking - Level 2 "Blue"'
    document = {"name": ["Caf\u00e9 \u00abChez L\u00e9a\u00bb\u2026"], "max_power": 22}
    assert ascii_document(document) == {"name": ['Cafe "Chez Lea"...'], "max_power": 22}


def test_letters_lose_only_their_accents():
    text = "Stra\u00dfe \u0141\u00f3d\u017a \u00c6r\u00f8 Ji\u0159\u00ed e\u0301"
    assert ascii_text(text) == "Strasse Lodz AEro Jiri e"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_output_is_always_ascii(text):
    assert ascii_text(text).isascii()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(TYPOGRAPHIC) + list("ab -'\".")), max_size=30))
def test_no_typographic_character_vanishes(chars):
    text = "".join(chars)
    assert ascii_text(text) == "".join(TYPOGRAPHIC.get(char, char) for char in chars)


@settings(max_examples=300, deadline=None)
@given(st.characters(categories=["Pd", "Pi", "Pf", "Zs"]))
def test_every_dash_quotation_mark_and_space_has_an_equivalent(char):
    """Whole Unicode classes with an obvious ASCII equivalent: dashes (Pd), opening and closing
    quotation marks (Pi, Pf) and spaces (Zs), beyond the ones listed above."""
    out = ascii_text(char)
    assert out and out.isascii(), (char, unicodedata.name(char, "?"))


@settings(max_examples=200, deadline=None)
@given(st.characters(categories=["Lu", "Ll"], min_codepoint=0xC0, max_codepoint=0x24F))
def test_a_latin_letter_with_an_ascii_base_keeps_it(char):
    base = unicodedata.normalize("NFKD", char)
    assume(base[0].isascii())
    assert ascii_text(char).startswith(base[0]), char
