"""CSV with a header row (Zotero, Mendeley, EndNote exports) -> papers, read with the stdlib.

Columns are found by name, whatever their order; the names each manager uses are listed here.
"""

from __future__ import annotations

import csv
import io
import re

from curation.papers import (
    Paper,
    UnreadableFile,
    author_from_text,
    bounded,
    clean_doi,
    clean_pmcid,
    clean_pmid,
    clean_text,
    clean_title,
    year_of,
)

# Fact -> header names (folded: lower case, no spaces or punctuation) that hold it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "articletitle", "primarytitle"),
    "authors": ("author", "authors", "authorlist", "creators"),
    "year": ("publicationyear", "year", "pubyear", "date", "publicationdate"),
    "journal": (
        "publicationtitle",
        "journal",
        "journaltitle",
        "source",
        "secondarytitle",
        "journalbook",
    ),
    "doi": ("doi",),
    "pmid": ("pmid", "pubmedid", "accessionnumber"),
    "pmcid": ("pmcid", "pmc"),
    "abstract": ("abstractnote", "abstract"),
    "keywords": ("manualtags", "keywords", "tags", "authorkeywords"),
    "type": ("itemtype", "referencetype", "type", "documenttype"),
    "extra": ("extra", "notes", "note"),
    "url": ("url",),
}
MAX_FIELD = 1_000_000  # bytes in one CSV cell


def _fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_csv(head: str) -> bool:
    """Return whether the first line looks like a CSV header naming a title column."""
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    try:
        cells = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return False
    return len(cells) >= 2 and any(_fold(c) in COLUMNS["title"] for c in cells)


def _split_authors(text: str) -> list[str]:
    # Zotero and Mendeley separate authors with ";", EndNote with new lines or "//".
    return [a for a in re.split(r"\s*(?:;|//|\n)\s*", text) if a.strip()]


def read_csv(text: str, source: str) -> list[Paper]:
    """Return the papers of a CSV export with a header row; raises UnreadableFile when broken."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise UnreadableFile("CSV without a header row")
    columns: dict[str, str] = {}
    for name in reader.fieldnames:
        for fact, names in COLUMNS.items():
            if _fold(name or "") in names and fact not in columns:
                columns[fact] = name
    if "title" not in columns:
        raise UnreadableFile("CSV without a Title column")
    papers = []
    try:
        for number, row in enumerate(reader, 1):

            def cell(fact: str, row: dict[str, str] = row) -> str:
                return (row.get(columns[fact]) or "") if fact in columns else ""

            extra = cell("extra")
            pmid = clean_pmid(cell("pmid"))
            if not pmid:
                match = re.search(r"PMID:?\s*(\d{1,10})", extra, re.IGNORECASE)
                pmid = match.group(1) if match else ""
            papers.append(
                Paper(
                    title=clean_title(cell("title")),
                    authors=bounded([author_from_text(a) for a in _split_authors(cell("authors"))]),
                    year=year_of(cell("year")),
                    journal=clean_text(cell("journal")),
                    doi=clean_doi(cell("doi")) or clean_doi(cell("url")),
                    pmid=pmid,
                    pmcid=clean_pmcid(cell("pmcid") or extra),
                    abstract=clean_text(cell("abstract")),
                    keywords=bounded(
                        re.split(r"\s*;\s*", cell("keywords")) if cell("keywords") else []
                    ),
                    publication_types=bounded(
                        ["Preprint"] if _fold(cell("type")) == "preprint" else []
                    ),
                    source=f"{source} row {number + 1}",
                )
            )
    except csv.Error as exc:
        raise UnreadableFile(f"broken CSV: {exc}") from exc
    return papers
