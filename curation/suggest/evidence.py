"""What every finder shares: a `Suggestion` and its evidence, the sentences a paper is read
as, the `Rule` that reads them, and how a passage is quoted."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from curation.papers import Paper

MAX_EVIDENCE = 300  # characters of a passage quoted as evidence


@dataclass(frozen=True)
class Suggestion:
    """A suggested value for one record field and the passages that support it."""

    value: Any
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the suggestion as {"value", "evidence"}."""
        return {"value": self.value, "evidence": list(self.evidence)}


# A sentence ends at . ! ? ; before a capital, digit or bracket, but not after "et al." or
# "e.g.", which are followed by years and names.
_SENTENCE_END = re.compile(
    r"(?<=[.!?;])(?<!\bal\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bca\.)"
    r"\s+(?=[(\"'A-Z0-9])|\n+"
)


def sentences(paper: Paper) -> list[str]:
    """Return the title and the abstract's sentences (section labels kept on their first)."""
    out = [paper.title] if paper.title else []
    for part in _SENTENCE_END.split(paper.abstract or ""):
        part = part.strip()
        if part:
            out.append(part)
    return out


class Rule:
    """A regex (case-blind unless told) tried only on texts holding one of its keywords.

    Keywords are lower case. Most sentences name no design, criterion or PEM; a substring
    test turns them away far faster than the regex, which keeps 10,000 abstracts well within
    a minute. A rule without keywords tries its regex on every text.
    """

    def __init__(self, pattern: str, *keys: str, ignore_case: bool = True) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        self.keys = keys

    def search(self, text: str) -> re.Match[str] | None:
        """Return the pattern's first match in text, or None (at once when no keyword is in it)."""
        if self.keys:
            low = text.lower()
            if not any(k in low for k in self.keys):
                return None
        return self.pattern.search(text)


def quote(sentence: str) -> str:
    """Return a sentence as evidence: whole, or cut to MAX_EVIDENCE characters with an ellipsis."""
    return sentence if len(sentence) <= MAX_EVIDENCE else sentence[: MAX_EVIDENCE - 1] + "…"


def first_match(rule: Rule, texts: Iterable[str]) -> str | None:
    """Return the first text the rule matches, or None."""
    return next((t for t in texts if rule.search(t)), None)
