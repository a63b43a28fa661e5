"""RIS (Zotero, Mendeley, EndNote, PubMed's citation export) -> papers, read with rispy."""

from __future__ import annotations

import re
from typing import Any

import rispy

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

_START = re.compile(r"^\s*TY  - ", re.MULTILINE)
_PMID_NOTE = re.compile(r"PMID:?\s*(\d{1,10})", re.IGNORECASE)


def is_ris(head: str) -> bool:
    """Return whether text starts (after blank lines) with an RIS `TY  - ` line."""
    return bool(re.match(r"\s*TY  - ", head))


def _first(entry: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value:
            return str(value)
    return ""


def _all(entry: dict[str, Any], *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = entry.get(key) or []
        out.extend([value] if isinstance(value, str) else value)
    return out


def _pmid(entry: dict[str, Any]) -> str:
    accession = clean_pmid(_first(entry, "accession_number"))
    if accession:
        return accession
    for note in _all(entry, "notes", "note", "unknown_tag", "custom1", "custom2"):
        match = _PMID_NOTE.search(str(note))
        if match:
            return match.group(1)
    return ""


def read_ris(text: str, source: str) -> list[Paper]:
    """Return the papers of an RIS file; raises UnreadableFile when rispy cannot read it."""
    starts = len(_START.findall(text))
    if not re.search(r"^ER  -", text.rstrip().rsplit("\n", 1)[-1]):
        text = text.rstrip() + "\nER  - \n"  # a last record without its ER line
    try:
        entries = rispy.loads(text, skip_unknown_tags=False)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise UnreadableFile(f"broken RIS: {exc}") from exc
    if len(entries) != starts:
        raise UnreadableFile(
            f"broken RIS: {starts} records begin with TY but {len(entries)} end with ER"
        )
    papers = []
    for number, entry in enumerate(entries, 1):
        doi = clean_doi(_first(entry, "doi")) or next(
            (clean_doi(u) for u in _all(entry, "urls") if "doi.org/" in u), ""
        )
        notes = " ".join(str(n) for n in _all(entry, "notes", "note", "custom2", "unknown_tag"))
        papers.append(
            Paper(
                title=clean_title(_first(entry, "title", "primary_title", "translated_title")),
                authors=bounded(
                    [author_from_text(a) for a in _all(entry, "authors", "first_authors")]
                ),
                year=year_of(_first(entry, "year", "publication_year", "date")),
                journal=clean_text(
                    _first(
                        entry,
                        "journal_name",
                        "secondary_title",
                        "alternate_title3",
                        "alternate_title1",
                    )
                ),
                doi=doi,
                pmid=_pmid(entry),
                pmcid=clean_pmcid(notes),
                abstract=clean_text(_first(entry, "abstract", "notes_abstract")),
                keywords=bounded(_all(entry, "keywords")),
                publication_types=bounded(
                    ["Preprint"] if _first(entry, "type_of_reference") in ("PREPRINT",) else []
                ),
                source=f"{source} #{number}",
            )
        )
    return papers
