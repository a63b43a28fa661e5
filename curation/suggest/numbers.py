"""Counts as abstracts write them: "48", "1,024", "forty-two", "two hundred and six"."""

from __future__ import annotations

import re

from search.numbers import TENS as _TENS
from search.numbers import UNITS as _UNITS

_NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
# One to ninety-nine in words.
NUMBER_WORD = (
    r"(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(_UNITS[1:10])
    + r"))?|"
    + "|".join(_UNITS[1:])
)
# A count in digits or words, captured as group `n` for `number()` to read.
NUMBER = (
    rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|"
    rf"(?:{NUMBER_WORD})(?: hundred(?:(?: and)? (?:{NUMBER_WORD}))?)?)"
)
# Whether a text holds a count at all: a digit or a number word.
HAS_NUMBER = re.compile(r"\d|\b(?:" + "|".join(_UNITS[1:] + _TENS) + r")\b", re.IGNORECASE)


def number(text: str) -> int | None:
    """Return the value of a count NUMBER matched, or None when a word in it is no number."""
    text = text.lower().replace(",", "")
    if text.isdigit():
        return int(text)
    total = 0
    for part in re.split(r"[- ]+", text.replace(" and ", " ")):
        if part == "hundred":
            total = max(total, 1) * 100
        elif part in _NUMBER_WORDS:
            total += _NUMBER_WORDS[part]
        else:
            return None
    return total
