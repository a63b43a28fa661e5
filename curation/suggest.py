"""Suggested ME/CFS facts for a paper, each with the passage it came from.

Nothing here is published: a curator accepts, edits or drops each suggestion. The rules read
phrasing, not particular papers, and prefer saying nothing to saying something wrong: a
wrong PEM badge misleads patients, so `pem` is suggested only by the atlas's rule (below) and
criteria only where a sentence says patients were selected by them.

The atlas's PEM rule: `required` when every patient had to meet a definition that requires
PEM (CCC, ICC, IOM, NICE 2021) or the text makes PEM an explicit inclusion requirement;
`not-required` when selection used only definitions that do not require it; otherwise
`unknown`. A mention or a measurement of PEM is never enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from curation.papers import Paper
from search.markers import MarkerDictionary, find_mentions
from search.vocabularies import PEM_REQUIRING

MAX_EVIDENCE = 300  # characters of a passage quoted as evidence


@dataclass(frozen=True)
class Suggestion:
    """A suggested value for one record field and the passages that support it."""

    value: Any
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the suggestion as {"value", "evidence"}."""
        return {"value": self.value, "evidence": list(self.evidence)}


# --- sentences ------------------------------------------------------------------------------

# A sentence ends at . ! ? ; before a capital, digit or bracket, but not after "et al." or
# "e.g.", which are followed by years and names.
_SENTENCE_END = re.compile(
    r"(?<=[.!?;])(?<!\bal\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bca\.)"
    r"\s+(?=[(\"'A-Z0-9])|\n+"
)


def sentences(paper: Paper) -> list[str]:
    """Return the title and the abstract's sentences (section labels kept on their first)."""
    out = [paper.title] if paper.title else []
    for part in _SENTENCE_END.split(paper.abstract or ""):
        part = part.strip()
        if part:
            out.append(part)
    return out


def _quote(sentence: str) -> str:
    return sentence if len(sentence) <= MAX_EVIDENCE else sentence[: MAX_EVIDENCE - 1] + "…"


def _first(pattern: Rule, texts: list[str]) -> str | None:
    return next((t for t in texts if pattern.search(t)), None)


# --- design ---------------------------------------------------------------------------------

# PubMed publication types that name a design outright, strongest first.
_DESIGN_TYPES = (
    ("Meta-Analysis", "meta-analysis"),
    ("Systematic Review", "systematic-review"),
    ("Randomized Controlled Trial", "rct"),
    ("Case Reports", "case-report"),
)


class Rule:
    """A case-blind regex tried only on texts holding one of its keywords (lower case).

    Most sentences name no design, criterion or PEM; a substring test turns them away far
    faster than the regex, which keeps 10,000 abstracts well within a minute.
    """

    def __init__(self, pattern: str, keys: tuple[str, ...] = ()) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.keys = keys

    def search(self, text: str) -> re.Match[str] | None:
        """Return the pattern's first match in text, or None (at once when no keyword is in it)."""
        if self.keys:
            low = text.lower()
            if not any(k in low for k in self.keys):
                return None
        return self.pattern.search(text)


def _p(pattern: str, *keys: str) -> Rule:
    return Rule(pattern, keys)


# Phrases that name this paper's design, strongest first. Plural "trials" and "studies" are
# what reviews talk about, so the trial phrases want a singular.
_DESIGN_WORDS: tuple[tuple[str, Rule], ...] = (
    (
        "meta-analysis",
        _p(
            r"(?<!previous )(?<!prior )(?<!earlier )(?<!future )\bmeta-?analy[sz]",
            "meta-analy",
            "metaanaly",
        ),
    ),
    (
        "systematic-review",
        _p(
            r"\bsystematic(?:ally)?\s+(?:\w+\s+)?review|\bPRISMA\b|\bsystematic(?:ally)? search",
            "systematic",
            "prisma",
        ),
    ),
    (
        "rct",
        _p(
            r"\brandomi[sz]ed\W+(?:\w+\W+){0,6}?(?:trial|study|crossover|cross-over)\b(?!s)"
            r"|\b(?:were|was|being)\s+(?:\w+\s+)?(?:randomi[sz]ed|randomly\s+(?:assigned|allocated))"
            r"|\brandomly\s+(?:assigned|allocated)\b|\bRCT\b|\bassigned at random\b"
            r"|\bin (?:a )?random(?:i[sz]ed)? order\b"
            r"|\b(?:placebo-controlled|double-blind(?:ed)?)\W+(?:\w+\W+){0,3}?(?:trial|study)\b(?!s)",
            "random",
            "rct",
            "placebo",
            "blind",
        ),
    ),
    (
        "case-report",
        _p(
            r"\bcase report\b|\bwe (?:report|describe|present) (?:a|the|an) (?:\w+\W+){0,3}?"
            r"(?:case|patient|woman|man|girl|boy)\b|\ba \d{1,2}-year-old (?:woman|man|girl|boy|"
            r"female|male|patient)",
            "case report",
            "we report",
            "we describe",
            "we present",
            "year-old",
        ),
    ),
    (
        "non-randomised-trial",
        _p(
            r"\bopen-label\b|\bsingle-arm\b|\buncontrolled (?:trial|study)\b|\bnon-?randomi[sz]ed",
            "open-label",
            "single-arm",
            "uncontrolled",
            "randomi",
        ),
    ),
    ("case-control", _p(r"\bcase[- ]control", "case")),
    ("cross-sectional", _p(r"\bcross-?sectional\b", "cross")),
    (
        "cohort",
        _p(
            r"\bcohort study\b|\bprospective (?:\w+ )?(?:study|cohort|design|follow-up)\b|"
            r"\bprospectively (?:followed|enrolled|recruited|recorded|studied)\b|"
            r"\b(?:recorded|collected|assessed|measured|followed) prospectively\b|"
            r"\blongitudinal(?:ly)?\b|"
            r"\bretrospective cohort\b|\bfollowed (?:up )?for\b|\bfollow-up (?:of|study|period)\b|"
            r"\bfollowed up\b|\bat follow-up\b|"
            r"\bregistry\b",
            "cohort",
            "prospective",
            "longitudinal",
            "follow",
            "registry",
            "retrospective",
        ),
    ),
    (
        "review",
        _p(
            r"\b(?:this|our|we|narrative|literature|scoping|critical|brief|the present) "
            r"(?:\w+ )?review\b|\bwe review\b|\breview of (?:the )?(?:literature|evidence|"
            r"research|studies|current)|\boverview of\b|^review\b|\bwe (?:summari[sz]e|discuss)|"
            r"\b(?:paper|article|chapter|primer) (?:reviews|summari[sz]es|discusses)\b",
            "review",
            "overview",
            "summari",
            "discuss",
        ),
    ),
)
# No design named: a comparison with a healthy or other control group is a case-control
# study, a survey is cross-sectional.
_CONTROL_GROUP = _p(
    r"\b(?:healthy|matched|sedentary|non-fatigued|control)\s+(?:\w+\s+){0,2}?"
    r"(?:controls?|subjects|volunteers|individuals|participants|people|persons|comparison|women|"
    r"men|adults|children|twins)\b"
    r"|\bcompared (?:with|to) (?:\w+\W+){0,4}?controls\b|\bcontrol group\b|\bhealthy controls?\b"
    r"|\b(?:\d+|[a-z]+(?:-[a-z]+)?) (?:\w+ )?(?:controls|control subjects|HCs?)\b"
    r"|\b(?:and|than|with|versus|vs\.?) (?:\w+ ){0,2}?controls\b",
    "hc",
    "control",
    "healthy",
    "matched",
    "sedentary",
    "fatigued",
)
_SURVEY = _p(
    r"\bsurvey\b|\bquestionnaire study\b|\bprevalence\b|\bonline questionnaire\b",
    "survey",
    "questionnaire",
    "prevalence",
)


def suggest_design(paper: Paper, texts: list[str]) -> Suggestion | None:
    """Return the design the publication types or wording name, with where it was read."""
    types = set(paper.publication_types)
    for kind, design in _DESIGN_TYPES:
        if kind in types:
            return Suggestion(design, (f"publication type: {kind}",))
    for design, pattern in _DESIGN_WORDS:
        found = _first(pattern, texts)
        if found is not None:
            return Suggestion(design, (_quote(found),))
    if "Review" in types:
        return Suggestion("review", ("publication type: Review",))
    for design, pattern in (("case-control", _CONTROL_GROUP), ("cross-sectional", _SURVEY)):
        found = _first(pattern, texts)
        if found is not None:
            return Suggestion(design, (_quote(found),))
    if types & {
        "Clinical Trial",
        "Controlled Clinical Trial",
        "Clinical Trial, Phase I",
        "Clinical Trial, Phase II",
    }:
        return Suggestion("non-randomised-trial", ("publication type: Clinical Trial",))
    return None


# --- criteria -------------------------------------------------------------------------------

# Names of each definition. Acronyms that mean other things too (ICC is also the intraclass
# correlation coefficient, CCC and NICE are common letters) count only next to a word
# saying they are criteria, or when the full name appears in the same paper.
_CRITERIA_NAMES: dict[str, Rule] = {
    "Fukuda": _p(
        r"\bFukuda\b|\bCDC[- ]?1994\b|\b1994 (?:CDC|Centers for Disease Control)|"
        r"\bInternational (?:CFS|Chronic Fatigue Syndrome) Study Group\b",
        "fukuda",
        "cdc",
        "1994",
        "study group",
    ),
    "CCC": _p(
        r"\bCanadian (?:Consensus |clinical |case |ME/CFS |ME |)(?:criteria|definition|"
        r"consensus)\b|\bCanadian\b(?=\W+(?:\w+\W+){0,4}?(?:criteria|definitions?)\b)|"
        r"\bCarruthers\W+(?:et al\.?\W+)?\(?2003|\b2003 Canadian\b|"
        r"\bCCC\b(?=\W+(?:\w+\W+){0,2}?(?:criteria|definition))|(?<=\()CCC(?=\))|"
        r"(?:met|meeting|fulfill?(?:ed|ing)?|satisf\w+)\s+(?:the\s+)?CCC\b",
        "canadian",
        "carruthers",
        "ccc",
    ),
    "ICC": _p(
        r"\bInternational Consensus Criteria\b|\bME-ICC\b|\bCarruthers\W+(?:et al\.?\W+)?\(?2011|"
        r"\bICC\b(?=\W+(?:\w+\W+){0,2}?(?:criteria|definition|for ME))|"
        r"(?:met|meeting|fulfill?(?:ed|ing)?|satisf\w+)\s+(?:the\s+)?ICC\b",
        "international",
        "icc",
        "carruthers",
    ),
    "IOM": _p(
        r"\bInstitute of Medicine\b|\bIOM\b|\bNational Academy of Medicine\b|"
        r"\bSEID (?:criteria|definition)\b|\bsystemic exertion intolerance disease \(SEID\) "
        r"(?:criteria|definition)",
        "institute",
        "iom",
        "academy",
        "seid",
    ),
    "Oxford": _p(
        r"\bOxford(?:-defined|\W+(?:\w+\W+){0,2}?(?:criteria|definition))|"
        r"\bSharpe\W+(?:et al\.?\W+)?\(?1991",
        "oxford",
        "sharpe",
    ),
    "Holmes": _p(
        r"\bHolmes\W+(?:et al\.?\W+)?(?:\(?1988\)?\W+)?(?:criteria|definition|case definition)|"
        r"\bCDC[- ]?1988\b|\b1988 (?:CDC|Centers for Disease Control)",
        "holmes",
        "cdc",
        "1988",
    ),
    "Reeves": _p(
        r"\bReeves\W+(?:et al\.?\W+)?(?:\(?2005\)?\W+)?(?:empirical\W+)?(?:criteria|"
        r"definition|case definition)|\bempirical (?:case )?definition|\bCDC[- ]?2005\b",
        "reeves",
        "empirical",
        "cdc",
    ),
    "NICE-2021": _p(r"\bNICE\W+(?:\w+\W+){0,2}?(?:2021|NG206)\b|\b2021 NICE\b", "nice"),
    "NICE-2007": _p(r"\bNICE\W+(?:\w+\W+){0,2}?(?:2007|CG53)\b|\b2007 NICE\b", "nice"),
}
_BARE_NICE = Rule(r"\bNICE\W+(?:criteria|guidelines?|guidance|definition)\b", ("nice",))
_BARE_NICE.pattern = re.compile(_BARE_NICE.pattern.pattern)  # upper case only: "nice" is a word
_BARE_CDC = _p(
    r"\b(?:CDC|Centers for Disease Control(?: and Prevention)?(?: \(CDC\))?)\W+"
    r"(?:\w+\W+)?(?:criteria|case definition|definition)\b",
    "cdc",
    "centers for disease",
)
_BARE_ACRONYM = {
    "CCC": Rule(r"\bCCC\b", ("ccc",)),
    "ICC": Rule(r"\bICC\b", ("icc",)),
}
for _rule in _BARE_ACRONYM.values():
    _rule.pattern = re.compile(_rule.pattern.pattern)  # capitals only
_INTRACLASS = _p(r"intra-?class", "intra")
# A sentence that says patients were selected by a definition.
# A sentence that says patients were selected by a definition: a verb of meeting or choosing,
# or the definition in brackets after the patients ("92 patients (Holmes criteria)").
_SELECTION = _p(
    r"\b(?:met|meet|meets|meeting|fulfil\w*|fulfill\w*|satisf\w+|according to|diagnosed|"
    r"defined by|defined using|defined according|classified|recruited|selected|enrolled|"
    r"included|eligible|inclusion|identified|confirmed|using|based on|per the|by the)\b|-defined\b|"
    r"\([^()]*\b(?:criteria|definition)\)|\b(?:criteria|definition)\)"
)
# Background: definitions named as history or as a topic, not as how patients were chosen.
_BACKGROUND = _p(
    r"\b(?:have been|has been|were|was) (?:proposed|developed|published|introduced|revised)\b|"
    r"\b(?:various|several|different|multiple|competing|many) (?:case )?(?:definitions|criteria)\b|"
    r"\bhistory\b|\bevolution of\b|\bhow (?:the )?(?:definitions|criteria)\b|"
    r"\b(?:published|proposed|introduced|developed|issued|released|recommended|renamed|"
    r"replaced|emphasi[sz]e\w*|require|requires)\b|\b(?:criteria|definitions) (?:differ|vary)\b"
)
# Only part of the patients met it; or, where a sentence names several definitions, groups
# meeting one are compared with groups meeting another.
_SUBGROUP = _p(
    r"\bsub-?groups?\b|\bsubsets?\b|(?<!each )(?<!all )(?<!both )\bof (?:whom|these|them)\b|"
    r"\b(?:also|additionally|further)\s+(?:\w+\s+)?(?:met|meeting|satisf\w+|fulfil\w*)\b|"
    r"\bproportion\b|\bpercent\b|%|\b\d+ of (?:the )?\d+|\b(?:small|large|minority|"
    r"majority|fraction|portion|part|half|third|quarter) of\b|\b(?:a )?small number\b|"
    r"\b(?:some|few|many|most|several)\s+(?:of\s+)?(?:the\s+|these\s+|them\b|\w+\s+)?"
    r"(?:patients|participants|subjects|cases|individuals|people|women|men|them|whom|these)\b"
)
# Groups meeting one definition set against groups meeting another (not against controls).
_COMPARISON = _p(
    r"\bthose (?:who|meeting|fulfil\w*|satisf\w*|with|diagnosed)\b|\bwhereas\b|"
    r"\bthan (?:those|patients|cases)\b|\b(?:versus|vs\.?)\s+(?:the\s+)?(?:\w+\s+){0,2}?"
    r"(?:criteria|definition|CCC|ICC|IOM|Fukuda|Oxford|Holmes|Reeves|Canadian|International)\b"
)
_EITHER = _p(r"\bor\b|\band/or\b|\beither\b")
_REVIEWS = ("review", "systematic-review", "meta-analysis")


@dataclass(frozen=True)
class CriterionUse:
    """A definition named in a selection sentence, and whether every patient had to meet it."""

    criterion: str
    sentence: str
    is_all_patients: bool
    is_choice_of_pem_definitions: bool = False  # "met the CCC or the ICC": all require PEM


def _named_in(sentence: str, no_intraclass: bool, year: int | None) -> list[str]:
    """Return the definitions a sentence names, in vocabulary order."""
    found = [
        criterion
        for criterion, pattern in _CRITERIA_NAMES.items()
        if (criterion != "ICC" or no_intraclass or "International Consensus" in sentence)
        and pattern.search(sentence)
    ]
    if _BARE_NICE.search(sentence) and not {"NICE-2021", "NICE-2007"} & set(found) and year:
        if 2008 <= year <= 2021:
            found.append("NICE-2007")
        elif year >= 2023:
            found.append("NICE-2021")
    if _BARE_CDC.search(sentence) and year and not {"Fukuda", "Holmes"} & set(found):
        if year >= 1996:
            found.append("Fukuda")
        elif year <= 1993:
            found.append("Holmes")
    # A bare acronym beside another definition's name is a definition too: "CCC and/or ICC".
    if found:
        if "CCC" not in found and _BARE_ACRONYM["CCC"].search(sentence):
            found.append("CCC")
        if "ICC" not in found and no_intraclass and _BARE_ACRONYM["ICC"].search(sentence):
            found.append("ICC")
    return found


def _named(texts: list[str], year: int | None) -> Iterator[tuple[str, str, frozenset[str]]]:
    """Yield (criterion, sentence, all criteria the sentence names) for each one named."""
    no_intraclass = not _INTRACLASS.search(" ".join(texts))
    for sentence in texts:
        here = _named_in(sentence, no_intraclass, year)
        for criterion in here:
            yield criterion, sentence, frozenset(here)


def criteria_uses(paper: Paper, texts: list[str]) -> list[CriterionUse]:
    """Return each definition a sentence says patients were selected by, in order."""
    uses: list[CriterionUse] = []
    seen: set[tuple[str, str]] = set()
    for criterion, sentence, named_here in _named(texts, paper.year):
        if (criterion, sentence) in seen:
            continue
        seen.add((criterion, sentence))
        if not _SELECTION.search(sentence) or _BACKGROUND.search(sentence):
            continue
        several = len(named_here) > 1
        subgroup, compared = _SUBGROUP.search(sentence), _COMPARISON.search(sentence)
        either = several and _EITHER.search(sentence)
        is_all = not subgroup and not (several and (either or compared))
        is_pem_choice = bool(
            either and not subgroup and not compared and named_here <= PEM_REQUIRING
        )
        uses.append(CriterionUse(criterion, sentence, is_all, is_pem_choice))
    return uses


def suggest_criteria(uses: list[CriterionUse]) -> Suggestion | None:
    """Return the definitions used to select patients, with the sentences naming them."""
    if not uses:
        return None
    names = list(dict.fromkeys(u.criterion for u in uses))
    evidence = tuple(dict.fromkeys(_quote(u.sentence) for u in uses))
    return Suggestion(names, evidence)


# --- PEM ------------------------------------------------------------------------------------

_PEM = (
    r"(?:PEM|PESE|post-?\s?exertional (?:malaise|symptom exacerbation|fatigue|exhaustion)|"
    r"postexertional (?:malaise|symptom exacerbation)|post-exertion malaise)"
)
_PEM_KEYS = ("pem", "pese", "exertion")
_REQUIRE = (
    r"(?:requir\w*|must (?:have|report|experience|show)|had to (?:have|report|experience|show)|"
    r"mandatory|obligatory|compulsory|essential|necessary|inclusion criteri\w+|"
    r"required for inclusion|prerequisite|condition for (?:inclusion|entry))"
)
_PEM_REQUIRED = (
    _p(rf"{_REQUIRE}\W+(?:\w+\W+){{0,6}}?{_PEM}", *_PEM_KEYS),
    _p(
        rf"{_PEM}\W+(?:\w+\W+){{0,6}}?(?:was|were|is|being|as)\W+(?:\w+\W+){{0,2}}?"
        rf"(?:required|mandatory|obligatory|compulsory|essential|necessary|prerequisite|"
        rf"(?:an? )?(?:inclusion|entry|eligibility) (?:criterion|criteria|requirement))",
        *_PEM_KEYS,
    ),
    _p(
        rf"\bonly (?:\w+\W+){{0,3}}?(?:with|who (?:had|reported|experienced)|reporting|"
        rf"experiencing)\W+(?:\w+\W+){{0,3}}?{_PEM}",
        *_PEM_KEYS,
    ),
    # "Inclusion criteria were a diagnosis of ME/CFS and the presence of PEM": a list of
    # inclusion criteria that names PEM, within one clause.
    _p(rf"\binclusion criteri\w*\b[^.;:]*?\b{_PEM}", *_PEM_KEYS),
    _p(
        rf"{_PEM}\W+(?:\w+\W+){{0,3}}?(?:required|mandatory|obligatory) (?:for|as|at) "
        rf"(?:inclusion|entry|eligibility|enrol\w*|recruitment)",
        *_PEM_KEYS,
    ),
)
_NOT_NEEDED = (
    r"(?:not|n't|never)\s+(?:\w+\s+){0,2}?(?:required|requir\w+|mandatory|necessary|needed|"
    r"obligatory|have to|had to|need to|an? (?:inclusion|entry|eligibility) "
    r"(?:criterion|requirement)|used to select|a condition)"
)
_PEM_NOT_REQUIRED = _p(
    rf"{_PEM}\W+(?:\w+\W+){{0,4}}?{_NOT_NEEDED}|"
    rf"(?:regardless|irrespective|independent) of\W+(?:\w+\W+){{0,3}}?{_PEM}|"
    rf"(?:did not|does not|without) requir\w*\W+(?:\w+\W+){{0,4}}?{_PEM}|"
    rf"\bnot requir\w*\W+(?:\w+\W+){{0,4}}?{_PEM}",
    *_PEM_KEYS,
)
_NOT_A_REQUIREMENT = _p(
    r"\b(?:induc\w*|provok\w*|trigger\w*|elicit\w*|assess\w*|measur\w*|evaluat\w*|quantif\w*|"
    r"captur\w*|understand\w*|explor\w*|investigat\w*|stud(?:y|ied|ies|ying)|clarif\w*|"
    r"determin\w*|characteri[sz]\w*|examin\w*|research|future|treat\w*|manag\w*|avoid\w*|"
    r"prevent\w*|reduc\w*|document\w*|record\w*|complete\w*|fill\w*)\b"
)
_DEFINITION_ASKS = _p(r"\brequir(?:e|es|ing)\b|\bmandatory\b|\bessential\b")
_NEGATED = _p(r"\bnot\b|\bwithout\b|\bregardless\b|\birrespective\b|\bno\b|\bneither\b")


def _names_a_definition(sentence: str) -> bool:
    return any(rule.search(sentence) for rule in _CRITERIA_NAMES.values())


def suggest_pem(texts: list[str], uses: list[CriterionUse]) -> Suggestion:
    """Return `required`, `not-required` or `unknown` by the atlas's rule, with the reason."""
    for sentence in texts:
        if _PEM_NOT_REQUIRED.search(sentence):
            return Suggestion("not-required", (_quote(sentence),))
        if _NEGATED.search(sentence):
            continue
        for pattern in _PEM_REQUIRED:
            match = pattern.search(sentence)
            # "Exercise was required to induce PEM", "research is needed to understand PEM":
            # a requirement of something else that PEM is only the object of. "The CCC
            # require PEM" says what a definition asks, which the criteria rule below weighs.
            if match is None or _NOT_A_REQUIREMENT.search(match.group()):
                continue
            if _DEFINITION_ASKS.search(match.group()) and _names_a_definition(sentence):
                continue
            return Suggestion("required", (_quote(sentence),))
    if not uses:
        return Suggestion("unknown", ())
    for use in uses:
        if use.criterion in PEM_REQUIRING and use.is_all_patients:
            return Suggestion(
                "required",
                (f"every patient met {use.criterion}, which requires PEM: {_quote(use.sentence)}",),
            )
        if use.is_choice_of_pem_definitions:
            return Suggestion(
                "required",
                (
                    "every patient met one of several definitions that all require PEM: "
                    f"{_quote(use.sentence)}",
                ),
            )
    if all(u.criterion not in PEM_REQUIRING for u in uses) and all(u.is_all_patients for u in uses):
        names = ", ".join(dict.fromkeys(u.criterion for u in uses))
        return Suggestion(
            "not-required",
            (
                f"patients were selected by {names}, which do not require PEM",
                *tuple(dict.fromkeys(_quote(u.sentence) for u in uses)),
            ),
        )
    return Suggestion("unknown", ())


# --- markers --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _markers() -> MarkerDictionary:
    return MarkerDictionary.from_table()


def suggest_markers(texts: list[str]) -> Suggestion | None:
    """Return the synonym table's markers named in the texts, canonical names, in order."""
    markers = _markers()
    names: dict[str, None] = {}
    evidence: dict[str, None] = {}
    for sentence in texts:
        for mention in find_mentions(sentence, markers):
            name = markers.display.get(mention.key)
            if name is None:  # looks like a marker id but the table does not know it
                continue
            names.setdefault(name, None)
            evidence.setdefault(_quote(sentence), None)
    if not names:
        return None
    return Suggestion(list(names), tuple(evidence))


# --- participants and sex -------------------------------------------------------------------

# fmt: off
_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
_NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_NUMBER_WORD = (
    r"(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(_UNITS[1:10])
    + r"))?|"
    + "|".join(_UNITS[1:])
)
_NUMBER = (
    rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|"
    rf"(?:{_NUMBER_WORD})(?: hundred(?:(?: and)? (?:{_NUMBER_WORD}))?)?)"
)
# Words that may stand between a number and the people it counts ("50 adult female
# patients"), but not verbs or prepositions, which end the phrase ("two drugs help adults").
_BREAK = (
    r"(?:help|helps|were|was|had|have|has|took|gave|are|is|did|do|does|and|or|with|of|in|to|"
    r"from|for|at|on|by|than|after|before|weeks|months|years|days|hours|times|mg|g|kg|ml)"
)
_ADJ = rf"(?:(?!{_BREAK}\b)[\w-]+\s+)"
_ILLNESS = r"(?:ME/CFS|CFS/ME|CFS|ME|SEID|chronic fatigue syndrome|myalgic encephalomyelitis\S*)"
_PEOPLE = (
    r"(?:patients|cases|participants|subjects|individuals|people|persons|women|men|adults|"
    r"adolescents|children|volunteers|sufferers|females|males)"
)
_HEALTHY = r"(?:healthy|matched|control|controls|sedentary|non-fatigued|comparison)"
_PATIENTS = (
    _p(rf"\b{_NUMBER}\s+{_ADJ}{{0,2}}?{_ILLNESS}\s+(?:patients|cases|subjects|sufferers)\b"),
    _p(
        rf"\b{_NUMBER}\s+{_ADJ}{{0,3}}?(?:women and men|men and women|[a-z]+s|people|men|women|"
        rf"children)\s+(?:\w+\s+){{0,1}}?"
        rf"(?:with|diagnosed with|meeting|who met|fulfilling|satisfying|suffering from|"
        rf"affected by)\s+(?:[\w-]+\s+){{0,3}}?(?:{_ILLNESS}|criteria|definition)"
    ),
    _p(rf"\b{_NUMBER}\s+(?:with|had)\s+{_ILLNESS}"),
    _p(rf"\b{_NUMBER}\s+(?:\w+\s+)?{_ILLNESS}\b(?=\s*(?:,|and|\)|;|vs|versus))"),
    _p(rf"\b(?:patients|cases|{_ILLNESS})\W+(?:\w+\W+){{0,3}}?[(;,]?\s*[nN]\s*=\s*(?P<n>\d+)"),
    _p(rf"\b{_NUMBER}\s+(?!{_HEALTHY}){_ADJ}{{0,2}}?patients\b"),
    _p(
        rf"\b(?:enrolled|recruited|included|studied|identified|followed|involved|comprised|"
        rf"total of|in all)\s+{_NUMBER}\s+(?!{_HEALTHY}){_ADJ}{{0,2}}?{_PEOPLE}\b"
    ),
)
_CONTROLS = (
    _p(
        rf"\b{_NUMBER}\s+(?:age-?\s+and\s+sex-?\s*matched\s+|(?!{_BREAK}\b|\d)[\w-]+\s+){{0,3}}?"
        rf"(?:healthy|matched|sedentary|non-fatigued|well)\s+"
        rf"(?:\w+\s+){{0,2}}?(?:controls?|volunteers|individuals|subjects|participants|people|"
        rf"persons|adults|women|men|comparison subjects|HCs?)\b"
    ),
    _p(
        rf"\b{_NUMBER}\s+(?:[\w-]+\s+){{0,2}}?(?:controls|control subjects|control participants|"
        rf"HCs?)\b"
    ),
    _p(r"\b(?:controls|healthy \w+|HCs?)\W+(?:\w+\W+){0,2}?[(;,]?\s*[nN]\s*=\s*(?P<n>\d+)"),
)
_SAME_NUMBER = _p(
    r"\b(?:an )?(?:equal|identical|the same) number of (?:\w+\s+){0,2}?"
    r"(?:controls|volunteers|subjects)\b",
    "number",
)
_HAS_NUMBER = re.compile(r"\d|\b(?:" + "|".join(_UNITS[1:] + _TENS) + r")\b", re.IGNORECASE)
_ONE_PATIENT = _p(r"\ban? \d{1,3}-year-old\b")
_NOT_THE_SAMPLE = _p(
    r"\bscreened\b|\bexcluded\b|\bdropped out\b|\bwithdrew\b|\blost to\b",
    "screened",
    "excluded",
    "dropped",
    "withdrew",
    "lost to",
)


def _number(text: str) -> int | None:
    text = text.lower().replace(",", "")
    if text.isdigit():
        return int(text)
    total = 0
    for part in re.split(r"[- ]+", text.replace(" and ", " ")):
        if part == "hundred":
            total = max(total, 1) * 100
        elif part in _NUMBER_WORDS:
            total += _NUMBER_WORDS[part]
        else:
            return None
    return total


def _count(patterns: tuple[Rule, ...], texts: list[str]) -> tuple[int, str] | None:
    counted = [t for t in texts if _HAS_NUMBER.search(t) and not _NOT_THE_SAMPLE.search(t)]
    for pattern in patterns:
        for sentence in counted:
            match = pattern.search(sentence)
            if match:
                number = _number(match.group("n"))
                if number is not None and 0 < number < 1_000_000:
                    return number, sentence
    return None


def suggest_participants(texts: list[str], design: str | None) -> Suggestion | None:
    """Return {"patients", "controls"} counted from phrases like "50 patients and 48 controls"."""
    if design in _REVIEWS:
        return None
    body = texts[1:] or texts  # the abstract; a title's numbers are rarely the sample
    if design == "case-report":
        found = _first(_ONE_PATIENT, texts)
        if found is not None:
            return Suggestion({"patients": 1}, (_quote(found),))
    value: dict[str, int] = {}
    evidence: dict[str, None] = {}
    patients = _count(_PATIENTS, body)
    if patients:
        value["patients"] = patients[0]
        evidence[_quote(patients[1])] = None
    controls = _count(_CONTROLS, body)
    same = _first(_SAME_NUMBER, body)
    if controls is None and patients and same is not None:
        controls = (patients[0], same)
    if controls:
        value["controls"] = controls[0]
        evidence[_quote(controls[1])] = None
    return Suggestion(value, tuple(evidence)) if value else None


_FEMALE = _p(
    r"\ball (?:\w+\s+){0,2}?(?:were )?(?:female|women|girls)\b|\b(?:female|women)[- ]only\b"
    r"|\bonly (?:female|women)\b|\b\d+ women with\b",
    "female",
    "women",
    "girl",
)
_MALE = _p(
    r"\ball (?:\w+\s+){0,2}?(?:were )?(?:male|men|boys)\b|\b(?:male|men)[- ]only\b",
    "male",
    " men",
    "boy",
)
_COUNT = rf"(?:\d+|{_NUMBER_WORD})"
_MIXED = _p(
    rf"\b{_COUNT} (?:men|males)\b.{{0,40}}\b{_COUNT} (?:women|females)\b|\b{_COUNT} "
    rf"(?:women|females)\b.{{0,40}}\b{_COUNT} (?:men|males)\b|\bboth sexes\b|\bmen and women\b|"
    r"\bwomen and men\b|"
    r"\bmale and female\b|\bfemale and male\b|\b\d+(?:\.\d+)?% (?:female|women|male|men)\b",
    "men",
    "male",
    "sexes",
)


_WOMEN_COUNTED = _p(rf"\b{_NUMBER}\s+(?:[\w-]+\s+)?(?:female|women)\b", "female", "women")
_ANY_MEN = re.compile(r"\b(?:men|man|male|males|boys?)\b", re.IGNORECASE)


def suggest_sex(texts: list[str]) -> Suggestion | None:
    """Return the participants' sex when the text states it."""
    body = texts[1:]
    for value, pattern in (("mixed", _MIXED), ("female", _FEMALE), ("male", _MALE)):
        found = _first(pattern, body)
        if found is not None:
            return Suggestion(value, (_quote(found),))
    # "50 female patients and 48 healthy women", and no man in the whole text.
    found = _first(_WOMEN_COUNTED, body)
    if found is not None and not any(_ANY_MEN.search(t) for t in body):
        return Suggestion("female", (_quote(found),))
    return None


# --- interventions --------------------------------------------------------------------------

_TRIALS = ("rct", "non-randomised-trial")
_LEAD = r"(?:to|at|random|either|the|a|an|with|of|receive|received|receiving|be|or|and|in|on)"
_TREATMENT = rf"(?!{_LEAD}\b)(?P<t>[A-Za-z][\w().-]*(?: (?!{_LEAD}\b)[a-z][\w-]*){{0,3}}?)"
_INTERVENTIONS = (
    _p(
        rf"\b(?:effects?|efficacy|safety|benefits?) of {_TREATMENT} "
        rf"(?:in|on|for|versus|vs|compared|among|as)\b",
        "effect",
        "efficacy",
        "safety",
        "benefit",
    ),
    _p(
        rf"\b(?:receive|received|receiving)\s+(?:either\s+)?{_TREATMENT}\s+(?:or|versus|vs\.?)\s+"
        rf"(?:a\s+)?placebo",
        "placebo",
    ),
    _p(
        rf"\b{_TREATMENT}\s+(?:or|versus|vs\.?|compared with)\s+(?:a\s+)?(?:matching\s+)?placebo\b",
        "placebo",
    ),
    _p(rf"\brandomi[sz]ed to (?:receive )?{_TREATMENT}\s+(?:or|and|versus|vs)\b", "randomi"),
    _p(rf"\b(?:treated|treatment) with {_TREATMENT}\b(?=\s*(?:,|\.|for|at|or|and|\(|in))", "with"),
)
# fmt: off
_NOT_TREATMENTS = frozenset((
    "a", "an", "the", "either", "placebo", "treatment", "therapy", "intervention", "this",
    "these", "drug", "patients", "it", "them", "randomised", "randomized", "double-blind",
))
# fmt: on
_THERAPEUTIC = ("/therapeutic use", "/administration & dosage")


def suggest_interventions(paper: Paper, texts: list[str], design: str | None) -> Suggestion | None:
    """Return the treatments a trial tested, from MeSH headings and wording."""
    if design not in _TRIALS:
        return None
    found: dict[str, None] = {}
    evidence: dict[str, None] = {}
    for heading in paper.mesh:
        if any(q in heading for q in _THERAPEUTIC):
            found.setdefault(heading.split("/")[0].lower(), None)
            evidence.setdefault(f"MeSH: {heading}", None)
    for pattern in _INTERVENTIONS:
        for sentence in texts:
            match = pattern.search(sentence)
            if not match:
                continue
            for name in re.split(r"\s+(?:plus|and|with)\s+", match.group("t").strip().lower()):
                name = re.sub(r"^(?:oral|intravenous|daily|low-dose|high-dose)\s+", "", name)
                if name and name.split()[0] not in _NOT_TREATMENTS and len(name) > 2:
                    found.setdefault(name, None)
                    evidence.setdefault(_quote(sentence), None)
    return Suggestion(list(found), tuple(evidence)) if found else None


# --- all ------------------------------------------------------------------------------------


def suggest(paper: Paper) -> dict[str, Suggestion]:
    """Return the suggested facts for a paper by record field name."""
    texts = sentences(paper)
    out: dict[str, Suggestion] = {}
    design = suggest_design(paper, texts)
    if design is not None:
        out["design"] = design
    design_value = design.value if design else None
    uses = [] if design_value in _REVIEWS else criteria_uses(paper, texts)
    criteria = suggest_criteria(uses)
    if criteria is not None:
        out["criteria"] = criteria
    out["pem"] = Suggestion("unknown", ()) if design_value in _REVIEWS else suggest_pem(texts, uses)
    for name, suggestion in (
        ("markers", suggest_markers(texts + list(paper.keywords))),
        ("participants", suggest_participants(texts, design_value)),
        ("sex", suggest_sex(texts)),
        ("interventions", suggest_interventions(paper, texts, design_value)),
    ):
        if suggestion is not None:
            out[name] = suggestion
    retracted = (
        "Retracted Publication" in paper.publication_types
        or paper.title.upper().startswith("RETRACTED")
    )
    if retracted:
        out["retracted"] = Suggestion(True, ("publication type: Retracted Publication",))
    return out
