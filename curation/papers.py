"""A paper as an import source describes it: the citation facts and the texts facts are read from.

Every reader (PubMed XML, MEDLINE, RIS, BibTeX, CSV) returns `Paper` values built with the
normalisers here, so authors, DOIs, titles and years look the same whatever the source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_TEXT = 100_000  # characters kept of any one text field (an abstract is ~2,000)
MAX_LIST = 2_000  # entries kept of any one list (authors, MeSH, keywords)

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d|2100)\b")
_GROUP = re.compile(
    r"\b(group|consortium|network|collaborat\w*|committee|investigators|society|team|"
    r"association|council|initiative|working party|study)\b",
    re.IGNORECASE,
)
_INITIALS = re.compile(r"^[A-Z]{1,4}$")
# Where preprints are posted: DOI prefixes and names of servers.
_PREPRINT_DOIS = (
    "10.1101/",
    "10.21203/rs.",
    "10.20944/preprints",
    "10.31219/osf",
    "10.2196/preprints",
)
_PREPRINT_NAMES = re.compile(r"rxiv|preprint|research square|ssrn|osf", re.IGNORECASE)


class UnreadableFile(ValueError):
    """A file that is not in any format the importers read, or is broken; the message says why."""


@dataclass(frozen=True)
class Paper:
    """One paper from an import source: citation facts plus the texts suggestions read."""

    title: str
    authors: tuple[str, ...]
    year: int | None
    journal: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    abstract: str = ""
    mesh: tuple[str, ...] = ()
    publication_types: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    source: str = ""  # where it was read: "file.xml #3" or "pubmed 12345678"

    @property
    def is_preprint(self) -> bool:
        """Return whether the paper is a preprint rather than a journal article."""
        if any(self.doi.lower().startswith(p) for p in _PREPRINT_DOIS):
            return True
        if any(t.casefold() == "preprint" for t in self.publication_types):
            return True
        return bool(self.journal) and bool(_PREPRINT_NAMES.search(self.journal))


def clean_text(text: str | None, limit: int = MAX_TEXT) -> str:
    """Return text without inline markup, with runs of white space made one space."""
    if not text:
        return ""
    text = _TAG.sub("", text)
    return " ".join(text.split())[:limit]


def clean_title(text: str | None) -> str:
    """Return a title without markup, PubMed's closing full stop or translation brackets."""
    title = clean_text(text, 2_000)
    if title.startswith("[") and title.endswith("]."):
        title = title[1:-2]
    elif title.startswith("[") and title.endswith("]"):
        title = title[1:-1]
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return title.strip()


def clean_doi(text: str | None) -> str:
    """Return the bare DOI in text (a doi.org URL, `doi:` prefix or `[doi]` tag dropped)."""
    if not text:
        return ""
    match = _DOI_IN_TEXT.search(text.strip())
    if not match:
        return ""
    return match.group().rstrip(".,;)]")


def clean_pmid(text: str | None) -> str:
    """Return a PubMed id's digits, or "" when text is not one."""
    digits = (text or "").strip()
    digits = re.sub(r"^(?:PMID:?\s*)", "", digits, flags=re.IGNORECASE)
    return digits if re.fullmatch(r"\d{1,10}", digits) else ""


def clean_pmcid(text: str | None) -> str:
    """Return a PubMed Central id as PMC followed by digits, or ""."""
    match = re.search(r"PMC\s*(\d{1,10})", text or "", re.IGNORECASE)
    return f"PMC{match.group(1)}" if match else ""


def year_of(text: str | None) -> int | None:
    """Return the first plausible publication year in a date such as "1998 Dec-1999 Jan"."""
    match = _YEAR.search(text or "")
    return int(match.group()) if match else None


def _given(given: str) -> str:
    """Return given names with initials spaced and without full stops: "J.W.M." -> "J W M"."""
    given = " ".join(given.replace(".", ". ").split())
    parts: list[str] = []
    for word in given.split():
        word = word.rstrip(".")
        if _INITIALS.match(word) and len(word) > 1 and word.isupper():
            parts.extend(word)  # "JWM" as initials
        elif word:
            parts.append(word)
    return " ".join(parts)


def person(family: str, given: str = "", initials: str = "") -> str:
    """Return an author as the record format writes them: "Family, Given Initials"."""
    family = clean_text(family, 300)
    given = _given(clean_text(given, 300)) or _given(clean_text(initials, 30))
    return f"{family}, {given}" if given else family


def author_from_text(name: str) -> str:
    """Return "Family, Given" from "Family, Given", "Family GI" (MEDLINE AU) or "Given Family"."""
    name = clean_text(name, 300).strip(" ;")
    if not name or _GROUP.search(name):
        return name  # group authors are kept as written
    if "," in name:
        family, _, given = name.partition(",")
        return person(family, given)
    words = name.split()
    if len(words) >= 2 and _INITIALS.match(words[-1]):
        return person(" ".join(words[:-1]), initials=words[-1])
    if len(words) >= 2 and all(w[:1].isupper() for w in words):
        return person(words[-1], " ".join(words[:-1]))
    return name  # a group author or a single name, kept as written


def fold_title(title: str) -> str:
    """Return the comparison form of a title: no case, accents, punctuation or markup."""
    text = unicodedata.normalize("NFKD", clean_title(title).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def bounded(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the non-empty values, cleaned and de-duplicated in order, at most MAX_LIST."""
    seen: dict[str, None] = {}
    for value in values:
        text = clean_text(value, 1_000)
        if text and text not in seen:
            seen[text] = None
        if len(seen) >= MAX_LIST:
            break
    return tuple(seen)
