"""MEDLINE text (`.nbib`, `.txt`, as PubMed's "Save" and citation managers write it) -> papers.

Biopython's `Bio.Medline` reads the tagged lines and their continuation lines; this module
only maps tags to citation facts.
"""

from __future__ import annotations

import io
import re
from typing import Any

from Bio import Medline

from curation.papers import (
    Paper,
    author_from_text,
    bounded,
    clean_doi,
    clean_pmcid,
    clean_pmid,
    clean_text,
    clean_title,
    year_of,
)

_TAGGED_DOI = re.compile(r"(\S+)\s*\[doi\]")
_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3}\s*- ", re.MULTILINE)


def is_medline(head: str) -> bool:
    """Return whether text looks like MEDLINE: tagged lines starting with a PMID- or TI- line."""
    return (
        bool(re.search(r"^(PMID|TI  )- ", head, re.MULTILINE)) and len(_TAG_LINE.findall(head)) >= 2
    )


def _list(record: dict[str, Any], tag: str) -> list[str]:
    value = record.get(tag, [])
    return [value] if isinstance(value, str) else list(value)


def _doi(record: dict[str, Any]) -> str:
    # LID and AID lines end in a type tag: "10.1186/x [doi]", "S0123 [pii]". Bio.Medline
    # joins repeated LID lines into one string, so the tag is looked for anywhere.
    for value in _list(record, "LID") + _list(record, "AID"):
        for match in _TAGGED_DOI.finditer(value):
            doi = clean_doi(match.group(1))
            if doi:
                return doi
    return ""


def _mesh(record: dict[str, Any]) -> tuple[str, ...]:
    return bounded([h.replace("*", "") for h in _list(record, "MH")])


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    full = _list(record, "FAU") or _list(record, "AU")
    groups = _list(record, "CN")  # group (corporate) authors
    return bounded([author_from_text(a) for a in full] + groups)


def _abstract(text: str) -> str:
    # Structured abstracts come as one paragraph with "LABEL: " openings; put each on a line.
    return re.sub(r"\s(?=[A-Z][A-Z ,&/]{2,40}: )", "\n", clean_text(text))


def read_medline(text: str, source: str) -> list[Paper]:
    """Return the papers of a MEDLINE text file."""
    papers = []
    for number, record in enumerate(Medline.parse(io.StringIO(text)), 1):  # type: ignore[no-untyped-call]  # Biopython has no hints
        title = clean_title(record.get("TI") or record.get("TT") or "")
        if not title and not record.get("PMID"):
            continue
        papers.append(
            Paper(
                title=title,
                authors=_authors(record),
                year=year_of(record.get("DP")) or year_of(record.get("DEP")),
                journal=clean_text(record.get("JT") or record.get("TA") or ""),
                doi=_doi(record),
                pmid=clean_pmid(record.get("PMID")),
                pmcid=clean_pmcid(record.get("PMC")),
                abstract=_abstract(record.get("AB", "")),
                mesh=_mesh(record),
                publication_types=bounded(_list(record, "PT")),
                keywords=bounded(_list(record, "OT")),
                source=f"{source} #{number}",
            )
        )
    return papers
