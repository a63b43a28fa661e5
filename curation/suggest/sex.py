"""The participants' sex, where a paper states it: all women, all men, or both."""

from __future__ import annotations

import re

from curation.suggest.evidence import Rule, Suggestion, first_match, quote
from curation.suggest.numbers import NUMBER, NUMBER_WORD

_FEMALE = Rule(
    r"\ball (?:\w+\s+){0,2}?(?:were )?(?:female|women|girls)\b|\b(?:female|women)[- ]only\b"
    r"|\bonly (?:female|women)\b|\b\d+ women with\b",
    "female",
    "women",
    "girl",
)
_MALE = Rule(
    r"\ball (?:\w+\s+){0,2}?(?:were )?(?:male|men|boys)\b|\b(?:male|men)[- ]only\b",
    "male",
    " men",
    "boy",
)
_COUNT = rf"(?:\d+|{NUMBER_WORD})"
_MIXED = Rule(
    rf"\b{_COUNT} (?:men|males)\b.{{0,40}}\b{_COUNT} (?:women|females)\b|\b{_COUNT} "
    rf"(?:women|females)\b.{{0,40}}\b{_COUNT} (?:men|males)\b|\bboth sexes\b|\bmen and women\b|"
    r"\bwomen and men\b|"
    r"\bmale and female\b|\bfemale and male\b|\b\d+(?:\.\d+)?% (?:female|women|male|men)\b",
    "men",
    "male",
    "sexes",
)
# Tried in this order: a sentence naming both sexes outweighs one saying "all women".
_STATED = (("mixed", _MIXED), ("female", _FEMALE), ("male", _MALE))
_WOMEN_COUNTED = Rule(rf"\b{NUMBER}\s+(?:[\w-]+\s+)?(?:female|women)\b", "female", "women")
_ANY_MEN = re.compile(r"\b(?:men|man|male|males|boys?)\b", re.IGNORECASE)


def suggest_sex(texts: list[str]) -> Suggestion | None:
    """Return the participants' sex when the text states it."""
    body = texts[1:]
    for value, pattern in _STATED:
        found = first_match(pattern, body)
        if found is not None:
            return Suggestion(value, (quote(found),))
    # "50 female patients and 48 healthy women", and no man in the whole text.
    found = first_match(_WOMEN_COUNTED, body)
    if found is not None and not any(_ANY_MEN.search(t) for t in body):
        return Suggestion("female", (quote(found),))
    return None
