"""The word lists of the query language: words a query may drop, words inside surnames,
and prefixes written joined or apart. Data only; the modules that read them say how."""

from __future__ import annotations

from search.numbers import TENS, UNITS

# Words of a question that need not match ("what is the kynurenine pathway"): dropped when
# the query has other words. Not "me": ME is the illness.
QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "where",
        "when",
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "should",
        "would",
        "will",
        "there",
        "any",
        "about",
        "tell",
        "show",
        "shows",
        "i",
        "my",
        "our",
        "there's",
        "what's",
    ]
)
# Words that only strengthen or soften another ("heart too small", "very tired"), or say
# that something is wrong with it ("immune system problems"), dropped from every query that
# has other words, like the question words (a thesaurus concept keeps them: "sleep problems").
VAGUE_WORDS = frozenset(
    [
        "too",
        "very",
        "really",
        "quite",
        "so",
        "just",
        "also",
        "much",
        "problem",
        "problems",
        "issue",
        "issues",
    ]
)
# Contractions typed without their apostrophe, for the thesaurus ("cant sleep").
CONTRACTIONS = {
    "cant": "can't",
    "dont": "don't",
    "doesnt": "doesn't",
    "wont": "won't",
    "isnt": "isn't",
    "couldnt": "couldn't",
}
# Words a question adds around what it asks ("is there any research on ..."), dropped only
# from queries that read as questions (a question word first, or a question mark).
QUESTION_FILLERS = frozenset(
    [
        "study",
        "studies",
        "research",
        "researched",
        "paper",
        "papers",
        "article",
        "articles",
        "trial",
        "trials",
        "evidence",
        "find",
        "found",
        "show",
        "showed",
        "shown",
        "happen",
        "happens",
        "happening",
        "know",
        "known",
        "mean",
        "means",
        "anything",
        "something",
        "really",
        "actually",
        "people",
        "patients",
        "person",
        "someone",
        "anyone",
        "have",
        "has",
        "had",
        "get",
        "getting",
        "got",
        "make",
        "makes",
        "affect",
        "affects",
        "affected",
        "link",
        "linked",
        "related",
        "relationship",
        "between",
        "role",
        "involved",
        "help",
        "helps",
        "matter",
        "matters",
        "helpful",
        "work",
        "works",
        "useful",
        "good",
    ]
)
# The words of "et al." and between surnames, as typed ("et al.,", "&", "and", "y").
ET_AL = frozenset({"et", "al", "al.", "al.,", "al,", "et.", "&", "and", "y"})
# Lower-case words inside surnames ("van der Meer", "de Vega", "Manuel y Keenoy").
PARTICLES = frozenset(
    [
        "van",
        "der",
        "den",
        "de",
        "du",
        "da",
        "di",
        "del",
        "della",
        "dos",
        "das",
        "von",
        "vom",
        "zu",
        "le",
        "la",
        "los",
        "y",
        "ten",
        "ter",
        "op",
        "st",
        "al",
        "el",
        "bin",
    ]
)
# Particles that join two parts of one surname ("Manuel y Keenoy"), where the others
# ("van", "de") begin a surname.
JOINING = frozenset({"y"})
# Prefixes written joined, hyphenated or spaced ("postviral", "post-viral", "post viral").
PREFIXES = (
    "post",
    "pre",
    "non",
    "anti",
    "long",
    "self",
    "cross",
    "low",
    "high",
    "multi",
    "over",
    "under",
    "inter",
    "intra",
    "sub",
    "super",
    "hyper",
    "hypo",
    "neuro",
    "immuno",
    "cardio",
    "auto",
    "bio",
    "co",
    "counter",
    "mid",
    "semi",
    "well",
    "whole",
    "micro",
    "macro",
    "peri",
    "para",
    "poly",
    "pseudo",
    "ultra",
    "extra",
    "trans",
    "bottom",
    "top",
)

# One to twenty as words, read as their digits inside a marker name or an id (`il six` is
# `IL 6`, `hhv six` is `HHV 6`); only there, so `one` stays a word elsewhere.
NUMBER_WORDS = {word: str(n) for n, word in enumerate((*UNITS[1:], TENS[0]), start=1)}

# Words joining two things that share a head word (`noise and light sensitivity`).
COORDINATORS = frozenset({"and", "&"})
