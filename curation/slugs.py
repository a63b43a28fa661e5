"""Slugs in the atlas's form, `surname-year-two-title-words`, kept unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from curation.papers import Paper

# Words a slug skips: they say nothing about the study.
# fmt: off
STOP_WORDS = frozenset((
    "a", "an", "the", "of", "in", "on", "for", "and", "or", "to", "with", "by", "at", "from",
    "into", "is", "are", "as", "its", "it", "be", "was", "were", "not", "no", "than", "via",
    "vs", "versus", "among", "between", "during", "after", "before", "about", "does", "do", "can",
))
# fmt: on
MAX_SLUG = 120


def _ascii_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("'", "").replace("’", "")
    return re.findall(r"[a-z0-9]+", text)


def _family(author: str) -> str:
    family = author.partition(",")[0] if "," in author else author
    return "-".join(_ascii_words(family)) or "anon"


def slug_base(paper: Paper) -> list[str]:
    """Return the slug parts for a paper: surname, year, then the title's words to choose from."""
    family = _family(paper.authors[0]) if paper.authors else "anon"
    year = str(paper.year) if paper.year else "nd"
    words = [
        w
        for w in _ascii_words(paper.title)
        if len(w) >= 3 and not w.isdigit() and w not in STOP_WORDS
    ]
    return [family[:60], year, *words]


def propose_slug(paper: Paper, is_taken: Callable[[str], bool]) -> str:
    """Return a slug for the paper that is_taken says is free: two title words, more if needed."""
    family, year, *words = slug_base(paper)
    words = words or ["study"]
    for count in range(2, min(len(words), 4) + 1):
        slug = "-".join([family, year, *words[:count]])[:MAX_SLUG].strip("-")
        if not is_taken(slug):
            return slug
    base = "-".join([family, year, *words[:2]])[: MAX_SLUG - 4].strip("-")
    number = 2
    while is_taken(f"{base}-{number}"):
        number += 1
    return f"{base}-{number}"
