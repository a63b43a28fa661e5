"""Biomarker names: folding, the synonym table, and finding marker mentions in text.

A marker name is compared by its *key*: the name folded (case, accents, Greek letters
spelled out, and - / . , spaces dropped), then mapped through the synonym table to the key
of its canonical name. `IL-12p40`, `IL12p40`, `IL-12 p40` and `IL12B` all have key `il12p40`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).parent / "data" / "marker-synonyms.tsv"

GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}

# Bare forms that usually mean something else in ME/CFS prose (CSF = cerebrospinal fluid),
# so free text never maps them to a marker; `marker:SCF` and the marker filter still do.
AMBIGUOUS = frozenset({"csf", "p40", "mig", "scf", "trap"})

# Free-text tokens that look like marker ids even when the table does not know them:
# letters then digits, e.g. CD56, CXCL10, TLR4, P2X4, IL-17A.
_MARKER_LIKE = re.compile(r"^[a-z]{1,10}\d+[a-z0-9+]*$")
_DROP = re.compile(r"[\s\-‐-―−/.,_'’()]+")
# Tokens for marker detection keep internal - / . so "IL-12/23p40" stays one token.
DETECT_TOKEN = re.compile(r"\w+(?:[-‐-―/.]\w+)*\+?")
_MAX_NGRAM = 6


@lru_cache(maxsize=200_000)
def fold(name: str) -> str:
    """Return the comparison form of a name: no case, accents, separators; Greek spelled out."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(GREEK.get(ch, ch) for ch in text)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return _DROP.sub("", text)


@dataclass(frozen=True)
class MarkerGroup:
    """One row of the synonym table."""

    canonical: str
    synonyms: tuple[str, ...]
    keep_apart: tuple[str, ...]


def read_synonyms(path: Path = SYNONYMS_FILE) -> list[MarkerGroup]:
    """Return the marker groups of a synonym table file (TSV, `#` comments)."""
    groups = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = [*raw.split("\t"), "", ""]
        groups.append(
            MarkerGroup(
                canonical=cells[0].strip(),
                synonyms=tuple(s.strip() for s in cells[1].split("|") if s.strip()),
                keep_apart=tuple(s.strip() for s in cells[2].split("|") if s.strip()),
            )
        )
    return groups


@dataclass
class MarkerDictionary:
    """Maps any known spelling of a marker to its key, and each key to a display name."""

    forms: dict[str, str] = field(default_factory=dict)  # folded form -> key
    display: dict[str, str] = field(default_factory=dict)  # key -> display name
    prefixes: set[str] = field(default_factory=set)  # proper prefixes of folded forms
    # indexed word -> keys of the markers whose names have it; built on first need
    _by_word: dict[str, frozenset[str]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_table(cls, groups: Iterable[MarkerGroup] | None = None) -> MarkerDictionary:
        """Return a dictionary holding the synonym table (the project's by default)."""
        md = cls()
        for group in read_synonyms() if groups is None else groups:
            key = fold(group.canonical)
            md.display[key] = group.canonical
            for form in (group.canonical, *group.synonyms):
                md._add_form(fold(form), key)
        return md

    def _add_form(self, folded: str, key: str) -> None:
        if not folded:
            return
        self._by_word = None
        self.forms.setdefault(folded, key)
        for i in range(1, len(folded)):
            self.prefixes.add(folded[:i])

    def add_corpus_marker(self, name: str) -> str:
        """Register a marker as written in a record; return its key."""
        folded = fold(name)
        key = self.forms.get(folded)
        if key is None:
            key = folded or name.casefold()
            self._add_form(folded, key)
            self.display.setdefault(key, " ".join(name.split()))
        return key

    def keys_named_with(self, term: str, term_of: Callable[[str], str | None]) -> frozenset[str]:
        """Return the keys of the markers whose display names have a word whose indexed form
        (by `term_of`, the prose analyser's) is `term`: `phytohaemagglutinin` is a word of
        "lymphocyte transformation with phytohaemagglutinin"."""
        by_word = self._by_word
        if by_word is None:
            found: dict[str, set[str]] = {}
            for key, name in self.display.items():
                for word in re.findall(r"\w+", name):
                    indexed = term_of(word)
                    if indexed is not None:
                        found.setdefault(indexed, set()).add(key)
            by_word = self._by_word = {w: frozenset(keys) for w, keys in found.items()}
        return by_word.get(term, frozenset())

    def key_of(self, name: str) -> str:
        """Return the key of a marker named explicitly (a marker list entry or filter)."""
        folded = fold(name)
        return self.forms.get(folded, folded)

    def lookup_free_text(self, folded: str) -> str | None:
        """Return the key for a folded free-text form, or None if it is not a marker."""
        if folded in AMBIGUOUS:
            return None
        key = self.forms.get(folded)
        if key is not None:
            return key
        if _MARKER_LIKE.match(folded):
            return folded
        return None

    def merged(
        self, corpus_forms: dict[str, str], corpus_display: dict[str, str]
    ) -> MarkerDictionary:
        """Return a copy extended with forms and names learnt from a corpus."""
        md = MarkerDictionary(dict(self.forms), dict(self.display), set(self.prefixes))
        for folded, key in corpus_forms.items():
            md._add_form(folded, key)
        for key, name in corpus_display.items():
            md.display.setdefault(key, name)
        return md


@dataclass(frozen=True)
class Mention:
    """A marker found in text: its key and the character span it covers."""

    key: str
    start: int
    end: int


def _spans(folded: list[str], markers: MarkerDictionary) -> Iterator[tuple[int, int, str]]:
    """Yield (first token, last token, key) for each marker named in a run of folded tokens.

    Indexing and highlighting run this over every record, so most words are rejected with two
    set lookups before anything else is tried; the longest known spelling wins.
    """
    forms, prefixes = markers.forms, markers.prefixes
    i, n = 0, len(folded)
    while i < n:
        word = folded[i]
        if word not in prefixes and word not in forms:
            if not word.isalpha() and word not in AMBIGUOUS and _MARKER_LIKE.match(word):
                yield i, i, word
            i += 1
            continue
        acc, best, j = "", None, i
        while j < n and j - i < _MAX_NGRAM:
            acc += folded[j]
            if acc in forms and acc not in AMBIGUOUS:
                best = (j, forms[acc])
            if acc not in prefixes:
                break
            j += 1
        if best is None:
            key = markers.lookup_free_text(word)
            if key is not None:
                yield i, i, key
            i += 1
            continue
        yield i, best[0], best[1]
        i = best[0] + 1


def mention_spans(text: str, markers: MarkerDictionary) -> list[tuple[int, int, str]]:
    """Return (start, end, key) of each marker mention in free text, in order."""
    matches = list(DETECT_TOKEN.finditer(text))
    folded = [fold(m.group()) for m in matches]
    return [
        (matches[first].start(), matches[last].end(), key)
        for first, last, key in _spans(folded, markers)
    ]


def find_mentions(text: str, markers: MarkerDictionary) -> Iterator[Mention]:
    """Yield marker mentions in free text with their spans (`IL-12 p40` is one mention)."""
    for start, end, key in mention_spans(text, markers):
        yield Mention(key, start, end)


def mention_keys(text: str, markers: MarkerDictionary) -> set[str]:
    """Return the keys of the markers mentioned in a text (what find_mentions finds)."""
    folded = [fold(w) for w in DETECT_TOKEN.findall(text)]
    return {key for _, _, key in _spans(folded, markers)}
