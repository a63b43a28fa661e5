"""Telling whether a paper is already in the atlas or drafted, or is a preprint of one that is.

A paper with the same DOI, PMID, or normalised title and year as a known one is the same
paper. A preprint and a journal article with close titles and the same first author are
possibly one paper: both are kept and the draft is flagged so a curator decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from curation.papers import Paper, fold_title
from curation.slugs import slug_base

SIMILAR_TITLES = 0.6  # share of title words in common for a preprint and its journal version
YEARS_APART = 2  # a journal version appears at most this many years after its preprint


@dataclass(frozen=True)
class Duplicate:
    """A known paper that a new one is, or may be, the same as."""

    where: str  # "atlas" or "draft"
    reason: str  # "doi", "pmid", "title" (same paper) or "preprint" (possibly one paper)
    slug: str
    title: str
    draft_id: int | None = None

    @property
    def is_same_paper(self) -> bool:
        """Return whether this is certainly the same paper (not a preprint-journal pair)."""
        return self.reason != "preprint"

    def to_json(self) -> dict[str, Any]:
        """Return the duplicate as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class KnownPaper:
    """The identity of a paper in the atlas or among drafts."""

    where: str
    slug: str
    title: str
    year: int | None
    doi: str
    pmid: str
    first_author: str
    is_preprint: bool
    draft_id: int | None = None


def _words(title: str) -> frozenset[str]:
    return frozenset(w for w in fold_title(title).split() if len(w) > 2)


def known_from_record(record: Mapping[str, Any]) -> KnownPaper:
    """Return the identity of an atlas record."""
    paper = paper_from_record(record)
    return KnownPaper(
        "atlas",
        str(record.get("slug", "")),
        paper.title,
        paper.year,
        paper.doi.lower(),
        paper.pmid,
        slug_base(paper)[0],
        paper.is_preprint or record.get("peer_reviewed") is False,
    )


def paper_from_record(record: Mapping[str, Any]) -> Paper:
    """Return the citation facts of an atlas record as a paper."""
    kind = str(record.get("publication_type") or "")
    return Paper(
        title=str(record.get("title", "")),
        authors=tuple(record.get("authors") or ()),
        year=record.get("year") if isinstance(record.get("year"), int) else None,
        journal=str(record.get("journal") or ""),
        doi=str(record.get("doi") or ""),
        pmid=str(record.get("pmid") or ""),
        publication_types=(kind,) if kind else (),
    )


def known_from_paper(paper: Paper, slug: str, draft_id: int | None) -> KnownPaper:
    """Return the identity of a drafted paper."""
    return KnownPaper(
        "draft",
        slug,
        paper.title,
        paper.year,
        paper.doi.lower(),
        paper.pmid,
        slug_base(paper)[0],
        paper.is_preprint,
        draft_id,
    )


class KnownPapers:
    """Every paper in the atlas and among drafts, looked up by DOI, PMID, title and author."""

    def __init__(self, papers: Iterable[KnownPaper] = ()) -> None:
        self._by_doi: dict[str, KnownPaper] = {}
        self._by_pmid: dict[str, KnownPaper] = {}
        self._by_title: dict[tuple[str, int | None], KnownPaper] = {}
        self._by_author: dict[str, list[KnownPaper]] = {}
        self.slugs: set[str] = set()
        for known in papers:
            self.add(known)

    def add(self, known: KnownPaper) -> None:
        """Remember a paper (the first one seen keeps each DOI, PMID and title)."""
        if known.doi:
            self._by_doi.setdefault(known.doi, known)
        if known.pmid:
            self._by_pmid.setdefault(known.pmid, known)
        title = fold_title(known.title)
        if title:
            self._by_title.setdefault((title, known.year), known)
        self._by_author.setdefault(known.first_author, []).append(known)
        self.slugs.add(known.slug)

    def _duplicate(self, known: KnownPaper, reason: str) -> Duplicate:
        return Duplicate(known.where, reason, known.slug, known.title, known.draft_id)

    def same_paper(self, paper: Paper) -> Duplicate | None:
        """Return the known paper that is this paper (same DOI, PMID or title and year), if any."""
        if paper.doi and paper.doi.lower() in self._by_doi:
            return self._duplicate(self._by_doi[paper.doi.lower()], "doi")
        if paper.pmid and paper.pmid in self._by_pmid:
            return self._duplicate(self._by_pmid[paper.pmid], "pmid")
        title = fold_title(paper.title)
        known = self._by_title.get((title, paper.year)) if title else None
        if known is not None and known.is_preprint == paper.is_preprint:
            return self._duplicate(known, "title")
        return None

    def possible_versions(self, paper: Paper) -> list[Duplicate]:
        """Return known papers that may be the preprint or journal version of this one."""
        words = _words(paper.title)
        if not words:
            return []
        out = []
        for known in self._by_author.get(slug_base(paper)[0], []):
            if known.is_preprint == paper.is_preprint:
                continue
            if paper.year and known.year and abs(paper.year - known.year) > YEARS_APART:
                continue
            theirs = _words(known.title)
            if theirs and len(words & theirs) / len(words | theirs) >= SIMILAR_TITLES:
                out.append(self._duplicate(known, "preprint"))
        return out
