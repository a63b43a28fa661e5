"""Citations in a run of words: surnames before a year (`Keller 2024`, `Jason et al.,
2015`, `Fluge/Mella 2019`, `jason2015`) or before "et al.", matched among the authors."""

from __future__ import annotations

import re

from whoosh import query as wq

from search.analysis import STOP_WORDS, fold_word, name_terms
from search.query.clauses import WEIGHTS, Context, all_of, field_terms
from search.query.fields import YEAR_TOKEN, year_query
from search.query.tree import Lexicon
from search.query.wordlists import ET_AL, JOINING, PARTICLES

# Initials after a surname ("Jason LA 2015", "Jason, L.A., 2015", "Fluge Ø 2019"), and
# before one: dotted or a single letter ("L. Jason", "L.A. Jason", "O Fluge").
_INITIALS = re.compile(r"^(?:[^\W\d_]\.?){1,3},?$")
_INITIALS_BEFORE = re.compile(r"^(?:(?:[^\W\d_]\.){1,3}|[^\W\d_])$")
# A surname and a year typed as one word ("jason2015"), a particle joined to its surname
# ("VanCampen", "DeVega").
_NAME_YEAR = re.compile(r"^([^\W\d_][^\W\d_'’-]+)((?:18|19|20)\d\d)$")
_CAMEL_NAME = re.compile(r"^([A-Z][a-z]+)([A-Z][a-z]+)$")


def split_citations(
    words: list[str], ctx: Context
) -> list[tuple[str, tuple[wq.Query | None, str] | list[str]]]:
    """Split a run of words into citations and the words between.

    A citation is surnames before a year (`Keller 2024`, `Jason et al., 2015`) or before
    "et al." (`Jason et al.`, then no year condition).
    """
    out: list[tuple[str, tuple[wq.Query | None, str] | list[str]]] = []
    lexicon = ctx.lexicon
    if not lexicon.is_empty:
        words = [part for w in words for part in _split_name_word(w, lexicon)]
    rest: list[str] = []
    i = 0
    while i < len(words):
        m = YEAR_TOKEN.match(words[i]) if not lexicon.is_empty else None
        et_al = (
            m is None
            and not lexicon.is_empty
            and words[i].casefold().rstrip(",") in ("al", "al.")
            and bool(rest)
            and rest[-1].casefold() == "et"
        )
        if m is None and not et_al:
            rest.append(words[i])
            i += 1
            continue
        surnames, k = _surnames_before(rest, lexicon)
        if not surnames:
            rest.append(words[i])
            i += 1
            continue
        year = m.group(1) if m else None
        if et_al and i + 1 < len(words):
            following = YEAR_TOKEN.match(words[i + 1])
            if following:
                year = following.group(1)
                i += 1
        if rest[:k]:
            out.append(("words", rest[:k]))
        rest = []
        out.append(("cite", _citation_query(surnames, year, ctx)))
        i += 1
    if rest:
        out.append(("words", rest))
    return out


def _surnames_before(rest: list[str], lexicon: Lexicon) -> tuple[list[list[str]], int]:
    """Return the surnames that end `rest` (each a list of its words) and where they start.

    Read back from the year: "et al." and initials, then surnames joined by "and" / "&", side
    by side, or in a reference list's "Surname INITIALS," form.
    """
    j = len(rest)
    while j > 0 and (
        rest[j - 1].casefold().rstrip(",") in ET_AL - {"and", "&", "y"}
        or (_are_initials(rest[j - 1], _INITIALS) and j > 1)
    ):
        j -= 1
    surnames: list[list[str]] = []
    current: list[str] = []
    k = j
    while k > 0:
        word = rest[k - 1].rstrip(",")
        if current and _are_initials(word, _INITIALS_BEFORE):
            k -= 1  # initials before a surname: "L. Jason 2015", "O. Fluge"
            continue
        if current and rest[k - 1].endswith(",") and _are_initials(word, _INITIALS):
            # a reference list: "Jason LA, Evans M 2015"; the initials end a name
            surnames.insert(0, current)
            current = []
            k -= 1
            continue
        name = _surname_word(word, lexicon)
        if name is not None and "/" in name and not current:
            # "Fluge/Mella 2019": two authors
            name, *others = [p for p in name.split("/") if p]
            surnames[:0] = [[p] for p in others]
        elif name is not None and "/" in name:
            break
        if (
            name is not None
            and word.casefold() not in PARTICLES
            and current
            and current[0].casefold() not in JOINING
        ):
            # two surnames side by side, with no "and" ("Fluge Mella 2019", "Fluge,
            # Mella", "Knoop van der Meer"): two authors; "y" joins the parts of one
            surnames.insert(0, current)
            current = [name]
        elif name is not None or (word.casefold() in PARTICLES and current):
            current.insert(0, name or word)
        elif word.casefold() in ("and", "&") and current:
            surnames.insert(0, current)
            current = []
        else:
            break
        k -= 1
    if current:
        surnames.insert(0, current)
    return surnames, k


def _split_name_word(word: str, lexicon: Lexicon) -> list[str]:
    """Return a word typed without its spaces as its parts, when it is a known surname run
    together with a year (`jason2015`), its particle (`VanCampen`) or its other part
    (`EatonFitch`); else the word."""
    m = _NAME_YEAR.match(word)
    if m and _surname_word(m.group(1), lexicon) is not None:
        return [m.group(1), m.group(2)]
    m = _CAMEL_NAME.match(word)
    if (
        m
        and _surname_word(word, lexicon) is None
        and (m.group(1).casefold() in PARTICLES or _surname_word(m.group(1), lexicon))
        and _surname_word(m.group(2), lexicon) is not None
    ):
        return [m.group(1), m.group(2)]
    return [word]


def _are_initials(token: str, pattern: re.Pattern[str]) -> bool:
    """Return whether a token is a name's initials: capitals (any script), as the pattern says."""
    return bool(pattern.match(token)) and token.rstrip(",").replace(".", "").isupper()


def _surname_word(word: str, lexicon: Lexicon) -> str | None:
    """Return a word as it is written among the index's authors, or None when it is not there.

    `OConnor` is there as `O'Connor` (authors' names split at the apostrophe).
    """
    folded = name_terms(word)
    if not folded or fold_word(word) in STOP_WORDS:
        return None
    if all(lexicon.has_author(t) for t in folded):
        return word
    if (
        len(folded) == 1
        and len(folded[0]) > 3
        and folded[0][0] in "odl"
        and lexicon.has_author(folded[0][0])
        and lexicon.has_author(folded[0][1:])
    ):
        return f"{word[0]}'{word[1:]}"
    return None


def _citation_query(
    surnames: list[list[str]], year: str | None, ctx: Context
) -> tuple[wq.Query | None, str]:
    parts: list[wq.Query | None] = []
    shown = []
    for surname in surnames:
        name = " ".join(surname)
        terms = name_terms(name)
        if ctx.positive:
            ctx.parsed.name_terms.update(terms)
        parts.append(field_terms("authors", terms, WEIGHTS["authors"]))
        shown.append(f'author:"{name}"' if len(surname) > 1 else f"author:{name}")
    if year is not None:
        in_year = year_query(year, ctx.years)
        ctx.optional.add(id(in_year))
        parts.append(in_year)
        shown.append(f"year:{year}")
    return all_of(parts), " ".join(shown)
