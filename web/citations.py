"""How a study is cited: short author lists, the primary citation, BibTeX and RIS.

All functions take a record as the index stores it (a validated dict, DOI without prefix)
and return plain text; pages escape it like any other text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

CITATION_AUTHORS = 6  # Vancouver style: list six authors, then "et al."
BYLINE_AUTHORS = 3  # a study page's header: three authors as written, then "et al."
DEFAULT_KEY_PREFIX = "mecfsatlas"  # the site's short name (ATLAS_SITE_SHORT)
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_~^])")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


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
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]")


def pubmed_url(pmid: str) -> str:
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


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def citation_key(record: Mapping[str, Any], prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return the key a study's BibTeX and RIS entries carry: "<prefix>-<slug>"."""
    return f"{prefix}-{record['slug']}"


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


def bibtex(record: Mapping[str, Any], key_prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return a BibTeX entry for a study, keyed "<key_prefix>-<slug>"."""
    kind = "article" if record.get("journal") else "misc"
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(_bibtex_escape(a) for a in record.get("authors", ()))),
        # Double braces keep the title's capitals (IL-6, ME/CFS) as written.
        ("title", "{" + _bibtex_escape(record["title"]) + "}"),
    ]
    if record.get("journal"):
        fields.append(("journal", _bibtex_escape(record["journal"])))
    fields.append(("year", str(record["year"])))
    if record.get("doi"):
        fields.append(("doi", _bibtex_escape(record["doi"])))
    url = link_url(record)
    if url:
        fields.append(("url", _bibtex_escape(url)))
    notes = []
    if record.get("pmid"):
        notes.append(f"PubMed: {record['pmid']}")
    if record.get("retracted"):
        notes.append("Retracted")
    if notes:
        fields.append(("note", _bibtex_escape(". ".join(notes))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{citation_key(record, key_prefix)},\n{body}\n}}\n"


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(str(value).split())}"


def ris(record: Mapping[str, Any], key_prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return a RIS entry for a study (lines end in CRLF, as the format asks)."""
    lines = [_ris_line("TY", "JOUR" if record.get("journal") else "GEN")]
    lines.append(_ris_line("ID", citation_key(record, key_prefix)))
    lines += [_ris_line("AU", a) for a in record.get("authors", ())]
    lines.append(_ris_line("TI", record["title"]))
    if record.get("journal"):
        lines.append(_ris_line("JO", record["journal"]))
    lines.append(_ris_line("PY", str(record["year"])))
    if record.get("doi"):
        lines.append(_ris_line("DO", record["doi"]))
    if link_url(record):
        lines.append(_ris_line("UR", str(link_url(record))))
    if record.get("pmid"):
        lines.append(_ris_line("AN", f"PMID:{record['pmid']}"))
    if record.get("summary"):
        lines.append(_ris_line("AB", record["summary"]))
    lines += [_ris_line("KW", k) for k in _keywords(record)]
    if record.get("retracted"):
        lines.append(_ris_line("N1", "Retracted"))
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def _keywords(record: Mapping[str, Any]) -> Iterable[str]:
    seen: set[str] = set()
    for name in ("markers", "topics", "interventions"):
        for value in record.get(name) or ():
            if value.casefold() not in seen:
                seen.add(value.casefold())
                yield value
