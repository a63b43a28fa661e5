"""Lint of the reader-facing prose (summary, significance, limitations) and its reading level.

The prose is for patients and families: it must speak of the study, not of the data we hold
about it, and each field must say something whole. These checks are warnings for any source
(a draft may have no prose yet) and failures for the bundled corpus (see tests/test_prose.py).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from search.records import Problem

PROSE_FIELDS = ("summary", "significance", "limitations")

# Fewest sentences a summary holds, and fewest words any prose field holds.
MIN_SUMMARY_SENTENCES = 2
MIN_WORDS = 8

# Phrases that speak of our data instead of the study ("the record does not say whether …").
_ABOUT_THE_DATA = re.compile(
    r"\b(?:the|this|our) (?:record|records|notes|entry)\b"
    r"|\bdata (?:given|provided|available here)\b"
    r"|\batlas(?:'s)? reading\b"
    r"|\bnot (?:recorded|listed|given here|stated here)\b"
    r"|\b(?:abstract|paper) (?:was|is) not (?:found|available|read)\b",
    re.IGNORECASE,
)
# A sentence ends at . ! or ? followed by a space and a capital, a digit or an opening mark.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9(\"'“‘])")


def sentence_count(text: str) -> int:
    """Return how many sentences a text holds (a trailing fragment counts as one)."""
    text = text.strip()
    if not text:
        return 0
    return len(_SENTENCE_END.findall(text)) + 1


def prose_warnings(record: dict[str, Any], file: str, line: int | None) -> list[Problem]:
    """Return a warning for each prose field that is missing, too short or about the data."""
    slug = record.get("slug")
    out: list[Problem] = []

    def warn(name: str, message: str) -> None:
        out.append(Problem(file, line, slug, name, message, True))

    for name in PROSE_FIELDS:
        text = (record.get(name) or "").strip()
        if not text:
            warn(name, "is missing: readers see no account of the study")
            continue
        if len(text.split()) < MIN_WORDS:
            warn(name, f"is a fragment ({len(text.split())} words); write at least a sentence")
        elif name == "summary" and sentence_count(text) < MIN_SUMMARY_SENTENCES:
            warn(name, "is one sentence; say who was studied, what was done and what was found")
        match = _ABOUT_THE_DATA.search(text)
        if match:
            warn(name, f"speaks of the data ({match.group(0)!r}), not of the study")
    return out


@dataclass(frozen=True)
class ReadingLevel:
    """Flesch–Kincaid grades of the summaries: how many were scored, their median and maximum."""

    scored: int
    median: float | None
    highest: float | None
    hardest_slug: str | None

    def __str__(self) -> str:
        if not self.scored:
            return "Reading level: no summaries to score."
        return (
            f"Reading level of {self.scored} summaries (Flesch-Kincaid grade): median "
            f"{self.median:.1f}, hardest {self.highest:.1f} ({self.hardest_slug})."
        )


def reading_level(records: Iterable[dict[str, Any]]) -> ReadingLevel:
    """Return the reading level of the records' summaries (textstat's Flesch–Kincaid grade)."""
    import textstat  # imported here: only `atlas index check` and the tests score prose

    grades = [
        (float(textstat.flesch_kincaid_grade(r["summary"])), r["slug"])
        for r in records
        if (r.get("summary") or "").strip()
    ]
    if not grades:
        return ReadingLevel(0, None, None, None)
    highest, slug = max(grades)
    return ReadingLevel(len(grades), statistics.median(g for g, _ in grades), highest, slug)
