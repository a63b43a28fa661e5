"""The markers the generator writes: in popularity order, each with the spellings it uses.

Popularity is Zipf-like (a few markers in many studies, most in very few): the most studied
markers come first, then the rest of the project's synonym table spread among the extra
markers, with a few table markers placed far down the list so that they stay rare.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.vocabulary import EXTRA_MARKERS
from search.markers import AMBIGUOUS, GREEK, fold, read_synonyms

# The most studied markers, in order; the rest of the table is spread among the other markers,
# except these few, which are placed far down the list so that they stay rare.
HEAD_MARKERS = (
    "IL-6",
    "TNF-α",
    "CRP",
    "IL-10",
    "IL-1β",
    "IFN-γ",
    "cortisol",
    "NK cell cytotoxicity",
    "IL-8",
    "lactate",
    "TGF-β",
    "IL-4",
    "IL-2",
    "CD56",
    "VO2peak",
    "IL-17A",
    "MCP-1",
    "ferritin",
    "IgG",
    "vitamin D",
    "IL-13",
    "IL-5",
    "IL-12p70",
    "CD4",
    "CD8",
)
RARE_TABLE_MARKERS = ("IL-12p40", "CSF-1", "TGF-α", "IL-1Ra", "GRO-α", "fractalkine")
RARE_RANKS = (110, 150, 190, 230, 260, 280)


@dataclass(frozen=True)
class Marker:
    """A marker the generator can use: its canonical name and the spellings it writes."""

    name: str
    spellings: tuple[str, ...]  # the canonical name first
    prose_spellings: tuple[str, ...]  # spellings that free text recognises unambiguously


def _variants(name: str) -> list[str]:
    out = [name]
    if "-" in name:
        out.append(name.replace("-", ""))
    spelled = "".join(GREEK.get(ch, ch) for ch in name)
    if spelled != name:
        out.append(spelled)
    return out


def marker_catalogue() -> tuple[Marker, ...]:
    """Return the markers in popularity order (most common first) with their spellings."""
    table = {group.canonical: group for group in read_synonyms()}
    markers: dict[str, Marker] = {}
    for name in [*table, *EXTRA_MARKERS]:
        spellings = (name, *table[name].synonyms) if name in table else tuple(_variants(name))
        # free text never maps ambiguous bare forms (CSF, SCF) or long descriptions to a marker
        prose = tuple(s for s in spellings if fold(s) not in AMBIGUOUS and len(s.split()) < 3)
        markers[name] = Marker(name, spellings, prose or (name,))
    rare = [markers[n] for n in RARE_TABLE_MARKERS]
    head = [markers[n] for n in HEAD_MARKERS]
    middle_table = [m for n, m in markers.items() if n in table and m not in head + rare]
    extras = [m for n, m in markers.items() if n not in table and m not in head]
    middle: list[Marker] = []
    # one table marker after every three others keeps table markers across the popularity range
    for i, marker in enumerate(extras):
        middle.append(marker)
        if i % 3 == 2 and middle_table:
            middle.append(middle_table.pop(0))
    middle.extend(middle_table)
    ordered = head + middle
    for rank, marker in zip(RARE_RANKS, rare, strict=True):
        ordered.insert(min(rank, len(ordered)), marker)
    return tuple(ordered)


MARKERS = marker_catalogue()
