"""The concept thesaurus: abbreviations and plain words, and what else they search for.

search/data/concepts.tsv holds one concept a line (docs/query-language.md describes it):

    kind <TAB> names (| separated) <TAB> what they also search for (| separated) <TAB> source

`abbr` rows are equivalences: each name, and each expansion, searches all the others
(`CPET` finds "cardiopulmonary exercise test", and back). `lay` rows are one way: the words
people use search the clinical terms as well (`brain fog` finds "cognitive impairment"), not
the other way round. Names are compared by their indexed forms (folded, British spellings
folded, stemmed, stop words left out), so `Trouble concentrating` matches `trouble
concentrating`. A match through an expansion ranks below a match of the words as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from search.analysis import prose_terms

CONCEPTS_FILE = Path(__file__).parent / "data" / "concepts.tsv"
KINDS = ("abbr", "lay")
MAX_WORDS = 6
# Abbreviations that are also English words (or stem like one: HADS -> "had"): they expand
# only when typed in capitals, so "get better" is not graded exercise therapy.
CAPS_ONLY = frozenset(
    [
        "ME",
        "GET",
        "OH",
        "IM",
        "PET",
        "BOLD",
        "MS",
        "EDS",
        "HADS",
        "NICE",
        "OR",
        "POTS",
        "HR",
        "BP",
        "GP",
        "LP",
        "FM",
        "VT",
        "REM",
        "ANS",
        "MRS",
        "ROS",
        "IG",
        "KP",
        "OSA",
        "AT",
        "CAR",
        "DST",
        "FIT",
    ]
)


@dataclass(frozen=True)
class Concept:
    """One row of the thesaurus."""

    kind: str
    names: tuple[str, ...]
    expansions: tuple[str, ...]
    source: str


def read_concepts(path: Path = CONCEPTS_FILE) -> list[Concept]:
    """Return the concepts of a thesaurus file (TSV, `#` comments)."""
    concepts = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) != 4 or cells[0] not in KINDS:
            raise ValueError(f"{path.name} line {number}: expected kind, names, expansions, source")
        names, expansions = (
            tuple(s.strip() for s in c.split("|") if s.strip()) for c in cells[1:3]
        )
        concepts.append(Concept(cells[0], names, expansions, cells[3].strip()))
    return concepts


@dataclass(frozen=True)
class Thesaurus:
    """Maps a run of indexed words to the texts it also searches for."""

    expansions: dict[tuple[str, ...], tuple[str, ...]]
    caps_only: frozenset[tuple[str, ...]] = frozenset()  # keys that must be typed in capitals

    @classmethod
    def from_concepts(cls, concepts: Sequence[Concept]) -> Thesaurus:
        found: dict[tuple[str, ...], list[str]] = {}
        caps: set[tuple[str, ...]] = set()
        plain: set[tuple[str, ...]] = set()
        for concept in concepts:
            if concept.kind == "abbr":
                group = (*concept.names, *concept.expansions)
                pairs = [(name, [o for o in group if o != name]) for name in group]
            else:
                pairs = [(name, list(concept.expansions)) for name in concept.names]
            for name, others in pairs:
                key = tuple(prose_terms(name))
                if not key or len(key) > MAX_WORDS:
                    continue
                (caps if name in CAPS_ONLY else plain).add(key)
                slot = found.setdefault(key, [])
                for other in others:
                    if tuple(prose_terms(other)) != key and other not in slot:
                        slot.append(other)
        return cls({k: tuple(v) for k, v in found.items() if v}, frozenset(caps - plain))

    def longest(
        self, words: Sequence[tuple[str, ...]], start: int, typed: Sequence[str] = ()
    ) -> tuple[int, tuple[str, ...]]:
        """Return (end, expansions) of the longest concept in words[start:end], or (start, ()).

        `words` are a run's typed words, each as its indexed forms (empty for a stop word,
        which is skipped inside a concept, never at its start); `typed`, the words as typed
        (a concept that must be typed in capitals is matched only when it was).
        """
        best: tuple[int, tuple[str, ...]] = (start, ())
        if not words[start]:
            return best
        key: tuple[str, ...] = ()
        for end in range(start, min(len(words), start + MAX_WORDS + 2)):
            key += words[end]
            if len(key) > MAX_WORDS:
                break
            found = self.expansions.get(key) if words[end] else None
            in_capitals = bool(typed) and all(w.isupper() for w in typed[start : end + 1])
            if found and key in self.caps_only and not in_capitals:
                found = None
            if found:
                best = (end + 1, found)
        return best


@lru_cache(maxsize=1)
def thesaurus() -> Thesaurus:
    """Return the project's thesaurus (search/data/concepts.tsv), read once."""
    return Thesaurus.from_concepts(read_concepts())
