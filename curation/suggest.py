"""Suggested ME/CFS facts for a paper, each with the text it came from.

Nothing here is published: a curator accepts, edits or drops each suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curation.papers import Paper


@dataclass(frozen=True)
class Suggestion:
    """A suggested value for one record field and the passages that support it."""

    value: Any
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the suggestion as {"value", "evidence"}."""
        return {"value": self.value, "evidence": list(self.evidence)}


def suggest(paper: Paper) -> dict[str, Suggestion]:
    """Return the suggested facts for a paper by field name."""
    out: dict[str, Suggestion] = {}
    if "Retracted Publication" in paper.publication_types:
        out["retracted"] = Suggestion(True, ("publication type: Retracted Publication",))
    return out
