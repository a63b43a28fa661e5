"""Spelling suggestions from the index's own vocabulary (`cytokin` -> `cytokine`)."""

from __future__ import annotations

from collections.abc import Mapping

# Words this long may be found with two letters left out.
LONG = 10


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Return the Damerau-Levenshtein distance (adjacent swaps count one)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class Speller:
    """Finds the most common vocabulary word within two edits of a word (symmetric deletes)."""

    def __init__(self, vocabulary: Mapping[str, int]) -> None:
        self.vocabulary = vocabulary
        self.by_delete: dict[str, list[str]] = {}
        # long words by their first three letters: a typo that leaves out two letters
        # (`immunoglobin`) is two deletes from the word, which the deletes above do not hold
        self.by_start: dict[str, list[str]] = {}
        for word in vocabulary:
            for variant in _deletes(word) | {word}:
                self.by_delete.setdefault(variant, []).append(word)
            if len(word) >= LONG:
                self.by_start.setdefault(word[:3], []).append(word)

    def correct(self, word: str) -> str | None:
        """Return a better-known spelling of a word, or None when it is known or has none."""
        if word in self.vocabulary or len(word) < 4 or not word.isalpha():
            return None
        candidates: set[str] = set()
        for variant in _deletes(word) | {word}:
            candidates.update(self.by_delete.get(variant, ()))
        limit = 1 if len(word) <= 4 else 2
        scored = [(edit_distance(word, c), -self.vocabulary[c], c) for c in candidates if c != word]
        scored = [s for s in scored if s[0] <= limit]
        if not scored and len(word) >= LONG - 2:
            longer = [c for c in self.by_start.get(word[:3], ()) if len(c) == len(word) + 2]
            scored = [(edit_distance(word, c), -self.vocabulary[c], c) for c in longer]
            scored = [s for s in scored if s[0] <= limit]
        if not scored:
            return None
        return min(scored)[2]
