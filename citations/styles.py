"""Citations in the styles readers ask for (APA, Vancouver, AMA, Harvard), from CSL styles.

citeproc-py renders the CSL files shipped in `citations/csl/` (see its README for their
licence) with the en-US locale bundled in citeproc-py, so nothing is fetched at run time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

CSL_DIR = Path(__file__).resolve().parent / "csl"
_NUMBER = re.compile(r"^\s*\d+\.\s*")  # numeric styles number the one entry "1."


@dataclass(frozen=True)
class CitationStyle:
    id: str
    label: str
    filename: str


STYLES = (
    CitationStyle("apa", "APA (7th edition)", "apa.csl"),
    CitationStyle("vancouver", "Vancouver (NLM)", "nlm-citation-sequence.csl"),
    CitationStyle("ama", "AMA (11th edition)", "american-medical-association.csl"),
    CitationStyle("harvard", "Harvard (Cite Them Right)", "harvard-cite-them-right.csl"),
)
STYLES_BY_ID = {s.id: s for s in STYLES}


@dataclass(frozen=True)
class StyledCitation:
    style: CitationStyle
    text: str


def _person(author: str) -> dict[str, str]:
    family, sep, given = author.partition(",")
    if not sep:
        return {"literal": author.strip()}
    return {"family": family.strip(), "given": given.strip()}


def csl_item(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return a study as a CSL-JSON item (only what the record knows)."""
    item: dict[str, Any] = {
        "id": record["slug"],
        "type": "article-journal" if record.get("journal") else "article",
        "title": record["title"],
        "author": [_person(a) for a in record.get("authors", ())],
        "issued": {"date-parts": [[int(record["year"])]]},
    }
    if record.get("journal"):
        item["container-title"] = record["journal"]
    if record.get("doi"):
        item["DOI"] = record["doi"]
    if record.get("pmid"):
        item["PMID"] = record["pmid"]
    return item


@cache
def _style(filename: str) -> tuple[CitationStylesStyle, threading.Lock]:
    # Parsing a style takes tens of milliseconds; citeproc-py does not promise that rendering
    # leaves a style untouched, so each one is used by one thread at a time.
    return CitationStylesStyle(str(CSL_DIR / filename), locale="en-US", validate=False), (
        threading.Lock()
    )


def render(record: Mapping[str, Any], style: CitationStyle) -> str:
    """Return the study's reference in one style, as plain text on one line."""
    csl_style, lock = _style(style.filename)
    with lock:
        bibliography = CitationStylesBibliography(
            csl_style, CiteProcJSON([csl_item(record)]), formatter.plain
        )
        bibliography.register(Citation([CitationItem(record["slug"])]))
        text = str(bibliography.bibliography()[0])
    return _NUMBER.sub("", " ".join(text.split()), count=1)


def styled_citations(record: Mapping[str, Any]) -> tuple[StyledCitation, ...]:
    """Return the study's reference in every style, in the order of STYLES."""
    return tuple(StyledCitation(s, render(record, s)) for s in STYLES)
