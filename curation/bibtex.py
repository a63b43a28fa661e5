"""BibTeX (Zotero, Mendeley, JabRef exports) -> papers, read with bibtexparser 2."""

from __future__ import annotations

import logging
import re

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware

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

_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_SKIPPED = ("comment", "preamble", "string")
# bibtexparser logs each broken block; we report them as an error instead of on stderr.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False


def is_bibtex(head: str) -> bool:
    """Return whether text holds a BibTeX entry such as `@article{`."""
    return bool(_ENTRY.search(head))


def _unbrace(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def read_bibtex(text: str, source: str) -> list[Paper]:
    """Return the papers of a BibTeX file; raises UnreadableFile when no entry can be read."""
    library = parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    entries = [e for e in library.entries if e.entry_type.lower() not in _SKIPPED]
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = getattr(block, "start_line", None)
        where = f" at line {line + 1}" if isinstance(line, int) else ""
        raise UnreadableFile(f"broken BibTeX entry{where} ({len(library.failed_blocks)} in all)")
    papers = []
    for number, entry in enumerate(entries, 1):
        fields = {f.key.lower(): _unbrace(str(f.value)) for f in entry.fields}
        authors = re.split(r"\s+and\s+", fields.get("author", "")) if fields.get("author") else []
        papers.append(
            Paper(
                title=clean_title(fields.get("title", "")),
                authors=bounded([author_from_text(a) for a in authors]),
                year=year_of(fields.get("year") or fields.get("date")),
                journal=clean_text(fields.get("journal") or fields.get("journaltitle") or ""),
                doi=clean_doi(fields.get("doi") or fields.get("url") or ""),
                pmid=clean_pmid(fields.get("pmid", "")),
                pmcid=clean_pmcid(fields.get("pmcid", "")),
                abstract=clean_text(fields.get("abstract", "")),
                keywords=bounded(
                    re.split(r"[;,]\s*", fields.get("keywords", ""))
                    if fields.get("keywords")
                    else []
                ),
                publication_types=bounded(
                    ["Preprint"] if entry.entry_type.lower() in ("unpublished", "preprint") else []
                ),
                source=f"{source} #{number} ({entry.key})",
            )
        )
    return papers
