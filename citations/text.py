"""How a study is named in citations: author lists, links, keys and the one-line citations."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

CITATION_AUTHORS = 6  # Vancouver style: list six authors, then "et al."
BYLINE_AUTHORS = 3  # a study page's header: three authors as written, then "et al."
DEFAULT_KEY_PREFIX = "mecfsatlas"  # the site's short name (ATLAS_SITE_SHORT)
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.-]+")


def family_name(author: str) -> str:
    """Return the family name of an author written "Family, Given" (or the name as written)."""
    return author.split(",")[0].strip()


def short_authors(authors: Sequence[str]) -> str:
    """Return "Family", "Family and Family" or "Family et al." for a list of authors."""
    families = [family_name(a) for a in authors]
    if not families:
        return ""
    if len(families) == 1:
        return families[0]
    if len(families) == 2:
        return f"{families[0]} and {families[1]}"
    return f"{families[0]} et al."


def byline_authors(authors: Sequence[str]) -> str:
    """Return the first three authors as written ("Family, Given"), then "et al." if more."""
    shown = "; ".join(a.strip() for a in authors[:BYLINE_AUTHORS])
    return f"{shown}; et al." if len(authors) > BYLINE_AUTHORS else shown


def initials_name(author: str) -> str:
    """Return "Family GI" for "Family, Given Initial" (Vancouver style)."""
    family, sep, given = author.partition(",")
    if not sep:
        return author.strip()
    letters = "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part)
    return f"{family.strip()} {letters}".strip()


def sentence(text: str) -> str:
    """Return text ending in exactly one full stop, unless it already ends in . ? or !"""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def doi_url(doi: str) -> str:
    """Return the doi.org link of a DOI."""
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]")


def pubmed_url(pmid: str) -> str:
    """Return the PubMed page of a PubMed id."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid)}/"


def primary_citation(record: Mapping[str, Any]) -> str:
    """Return the citation of a study as one line of text, with no doubled full stops."""
    authors = [initials_name(a) for a in record.get("authors", ())]
    if len(authors) > CITATION_AUTHORS:
        authors = [*authors[:CITATION_AUTHORS], "et al"]
    parts = [sentence(", ".join(authors)), sentence(record["title"])]
    if record.get("journal"):
        parts.append(sentence(record["journal"]))
    parts.append(sentence(str(record["year"])))
    if record.get("doi"):
        parts.append(f"doi:{record['doi']}")
    if record.get("pmid"):
        parts.append(f"PMID: {record['pmid']}.")
    return " ".join(parts)


def citation_key(record: Mapping[str, Any], prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return the key a study's BibTeX and RIS entries carry: "<prefix>-<slug>"."""
    return _KEY_UNSAFE.sub("-", f"{prefix}-{record['slug']}")


def link_url(record: Mapping[str, Any]) -> str | None:
    """Return the study's page on the publishing site, else its DOI link, else None."""
    if record.get("url"):
        return str(record["url"])
    return doi_url(record["doi"]) if record.get("doi") else None


def snapshot_citation(record: Mapping[str, Any], site_name: str, page_url: str) -> str | None:
    """Return how to cite the atlas's reading of a study on the snapshot's date, or None.

    For example "ME/CFS Atlas. Generator v1 / Scanner v1.4 / policy v0.1. Accessed
    2026-05-29. https://...": the record's own `url` when it has one, else `page_url`.
    """
    snapshot = record.get("snapshot")
    if not isinstance(snapshot, Mapping) or not snapshot:
        return None
    versions = [
        f"{label} {snapshot[name]}"
        for name, label in (
            ("generator", "Generator"),
            ("scanner", "Scanner"),
            ("policy", "policy"),
        )
        if snapshot.get(name)
    ]
    versions += [
        f"{name} {value}"
        for name, value in snapshot.items()
        if name not in ("generator", "scanner", "policy", "accessed")
    ]
    parts = [sentence(site_name)]
    if versions:
        parts.append(sentence(" / ".join(versions)))
    if snapshot.get("accessed"):
        parts.append(f"Accessed {snapshot['accessed']}.")
    parts.append(str(record.get("url") or page_url))
    return " ".join(parts)
