"""The record a draft becomes: a paper's citation facts, then the suggested facts, then the
curator's changes. Pure functions; the store validates and writes the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from curation.papers import Paper
from search.records import RECORD_SCHEMA

if TYPE_CHECKING:  # curation.drafts.draft imports this module for Draft.citation_record
    from curation.drafts.draft import Draft

# Suggested fields copied into a record on accepting (when the value is not "unknown").
SUGGESTED_FIELDS = (
    "design",
    "criteria",
    "pem",
    "markers",
    "participants",
    "sex",
    "interventions",
    "retracted",
)
RECORD_FIELDS = tuple(RECORD_SCHEMA.fields)

# PubMed publication types that say nothing a reader of the study page needs.
_GENERIC_TYPES = (
    "Journal Article",
    "Research Support",
    "Retracted Publication",
    "English Abstract",
    "Comparative Study",
)


def _publication_type(paper: Paper) -> str:
    """Return the publication type a record shows: Preprint, or PubMed's most telling one."""
    if paper.is_preprint:
        return "Preprint"
    telling = [t for t in paper.publication_types if not t.startswith(_GENERIC_TYPES)]
    if telling:
        return telling[0]
    return "Journal Article" if paper.publication_types else ""


def citation_record(slug: str, paper: Paper) -> dict[str, Any]:
    """Return a paper's citation facts as a record: slug, title, authors, year, ids, journal."""
    record: dict[str, Any] = {"slug": slug, "title": paper.title, "authors": list(paper.authors)}
    if paper.year is not None:
        record["year"] = paper.year
    for name in ("journal", "doi", "pmid", "pmcid"):
        if getattr(paper, name):
            record[name] = getattr(paper, name)
    kind = _publication_type(paper)
    if kind:
        record["publication_type"] = kind
    if paper.is_preprint:
        record["peer_reviewed"] = False
    return record


def _set(record: dict[str, Any], name: str, value: Any) -> None:
    """Set a field ("year") or a sub-field ("participants.patients"); None removes it.

    A field left with no sub-fields is removed too.
    """
    top, _, sub = name.partition(".")
    if sub:
        inner = dict(record.get(top) or {})
        if value is None:
            inner.pop(sub, None)
        else:
            inner[sub] = value
        if inner:
            record[top] = inner
        else:
            record.pop(top, None)
    elif value is None:
        record.pop(top, None)
    else:
        record[top] = value


def record_for(draft: Draft, sets: Mapping[str, Any]) -> dict[str, Any]:
    """Return the record accepting would write: citation facts, suggestions, then `sets`."""
    record = draft.citation_record()
    for name in SUGGESTED_FIELDS:
        suggestion = draft.suggested.get(name)
        if suggestion is None or suggestion.value in (None, "unknown", [], {}):
            continue
        record[name] = suggestion.value
    for name, value in sets.items():
        _set(record, name, value)
    return record
