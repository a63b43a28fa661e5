"""The case definitions a paper says its patients were selected by.

Only a sentence that says patients were chosen by a definition counts ("met the Canadian
Consensus Criteria", "92 patients (Holmes criteria)"); a definition named as history or as a
topic does not. Each use records whether every patient had to meet it, which the PEM rule
(curation/suggest/pem.py) weighs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from curation.papers import Paper
from curation.suggest.evidence import Rule, Suggestion, quote
from search.vocabularies import PEM_REQUIRING

# Names of each definition. Acronyms that mean other things too (ICC is also the intraclass
# correlation coefficient, CCC and NICE are common letters) count only next to a word
# saying they are criteria, or when the full name appears in the same paper.
CRITERIA_NAMES: dict[str, Rule] = {
    "Fukuda": Rule(
        r"\bFukuda\b|\bCDC[- ]?1994\b|\b1994 (?:CDC|Centers for Disease Control)|"
        r"\bInternational (?:CFS|Chronic Fatigue Syndrome) Study Group\b",
        "fukuda",
        "cdc",
        "1994",
        "study group",
    ),
    "CCC": Rule(
        r"\bCanadian (?:Consensus |clinical |case |ME/CFS |ME |)(?:criteria|definition|"
        r"consensus)\b|\bCanadian\b(?=\W+(?:\w+\W+){0,4}?(?:criteria|definitions?)\b)|"
        r"\bCarruthers\W+(?:et al\.?\W+)?\(?2003|\b2003 Canadian\b|"
        r"\bCCC\b(?=\W+(?:\w+\W+){0,2}?(?:criteria|definition))|(?<=\()CCC(?=\))|"
        r"(?:met|meeting|fulfill?(?:ed|ing)?|satisf\w+)\s+(?:the\s+)?CCC\b",
        "canadian",
        "carruthers",
        "ccc",
    ),
    "ICC": Rule(
        r"\bInternational Consensus Criteria\b|\bME-ICC\b|\bCarruthers\W+(?:et al\.?\W+)?\(?2011|"
        r"\bICC\b(?=\W+(?:\w+\W+){0,2}?(?:criteria|definition|for ME))|"
        r"(?:met|meeting|fulfill?(?:ed|ing)?|satisf\w+)\s+(?:the\s+)?ICC\b",
        "international",
        "icc",
        "carruthers",
    ),
    "IOM": Rule(
        r"\bInstitute of Medicine\b|\bIOM\b|\bNational Academy of Medicine\b|"
        r"\bSEID (?:criteria|definition)\b|\bsystemic exertion intolerance disease \(SEID\) "
        r"(?:criteria|definition)",
        "institute",
        "iom",
        "academy",
        "seid",
    ),
    "Oxford": Rule(
        r"\bOxford(?:-defined|\W+(?:\w+\W+){0,2}?(?:criteria|definition))|"
        r"\bSharpe\W+(?:et al\.?\W+)?\(?1991",
        "oxford",
        "sharpe",
    ),
    "Holmes": Rule(
        r"\bHolmes\W+(?:et al\.?\W+)?(?:\(?1988\)?\W+)?(?:criteria|definition|case definition)|"
        r"\bCDC[- ]?1988\b|\b1988 (?:CDC|Centers for Disease Control)",
        "holmes",
        "cdc",
        "1988",
    ),
    "Reeves": Rule(
        r"\bReeves\W+(?:et al\.?\W+)?(?:\(?2005\)?\W+)?(?:empirical\W+)?(?:criteria|"
        r"definition|case definition)|\bempirical (?:case )?definition|\bCDC[- ]?2005\b",
        "reeves",
        "empirical",
        "cdc",
    ),
    "NICE-2021": Rule(r"\bNICE\W+(?:\w+\W+){0,2}?(?:2021|NG206)\b|\b2021 NICE\b", "nice"),
    "NICE-2007": Rule(r"\bNICE\W+(?:\w+\W+){0,2}?(?:2007|CG53)\b|\b2007 NICE\b", "nice"),
}
# Upper case only: "nice" is a word.
_BARE_NICE = Rule(
    r"\bNICE\W+(?:criteria|guidelines?|guidance|definition)\b", "nice", ignore_case=False
)
_BARE_CDC = Rule(
    r"\b(?:CDC|Centers for Disease Control(?: and Prevention)?(?: \(CDC\))?)\W+"
    r"(?:\w+\W+)?(?:criteria|case definition|definition)\b",
    "cdc",
    "centers for disease",
)
# Capitals only.
_BARE_ACRONYM = {
    "CCC": Rule(r"\bCCC\b", "ccc", ignore_case=False),
    "ICC": Rule(r"\bICC\b", "icc", ignore_case=False),
}
_INTRACLASS = Rule(r"intra-?class", "intra")
# A sentence that says patients were selected by a definition: a verb of meeting or choosing,
# or the definition in brackets after the patients ("92 patients (Holmes criteria)").
_SELECTION = Rule(
    r"\b(?:met|meet|meets|meeting|fulfil\w*|fulfill\w*|satisf\w+|according to|diagnosed|"
    r"defined by|defined using|defined according|classified|recruited|selected|enrolled|"
    r"included|eligible|inclusion|identified|confirmed|using|based on|per the|by the)\b|-defined\b|"
    r"\([^()]*\b(?:criteria|definition)\)|\b(?:criteria|definition)\)"
)
# Background: definitions named as history or as a topic, not as how patients were chosen.
_BACKGROUND = Rule(
    r"\b(?:have been|has been|were|was) (?:proposed|developed|published|introduced|revised)\b|"
    r"\b(?:various|several|different|multiple|competing|many) (?:case )?(?:definitions|criteria)\b|"
    r"\bhistory\b|\bevolution of\b|\bhow (?:the )?(?:definitions|criteria)\b|"
    r"\b(?:published|proposed|introduced|developed|issued|released|recommended|renamed|"
    r"replaced|emphasi[sz]e\w*|require|requires)\b|\b(?:criteria|definitions) (?:differ|vary)\b"
)
# Only part of the patients met it; or, where a sentence names several definitions, groups
# meeting one are compared with groups meeting another.
_SUBGROUP = Rule(
    r"\bsub-?groups?\b|\bsubsets?\b|(?<!each )(?<!all )(?<!both )\bof (?:whom|these|them)\b|"
    r"\b(?:also|additionally|further)\s+(?:\w+\s+)?(?:met|meeting|satisf\w+|fulfil\w*)\b|"
    r"\bproportion\b|\bpercent\b|%|\b\d+ of (?:the )?\d+|\b(?:small|large|minority|"
    r"majority|fraction|portion|part|half|third|quarter) of\b|\b(?:a )?small number\b|"
    r"\b(?:some|few|many|most|several)\s+(?:of\s+)?(?:the\s+|these\s+|them\b|\w+\s+)?"
    r"(?:patients|participants|subjects|cases|individuals|people|women|men|them|whom|these)\b"
)
# Groups meeting one definition set against groups meeting another (not against controls).
_COMPARISON = Rule(
    r"\bthose (?:who|meeting|fulfil\w*|satisf\w*|with|diagnosed)\b|\bwhereas\b|"
    r"\bthan (?:those|patients|cases)\b|\b(?:versus|vs\.?)\s+(?:the\s+)?(?:\w+\s+){0,2}?"
    r"(?:criteria|definition|CCC|ICC|IOM|Fukuda|Oxford|Holmes|Reeves|Canadian|International)\b"
)
_EITHER = Rule(r"\bor\b|\band/or\b|\beither\b")


@dataclass(frozen=True)
class CriterionUse:
    """A definition named in a selection sentence, and whether every patient had to meet it."""

    criterion: str
    sentence: str
    is_all_patients: bool
    is_choice_of_pem_definitions: bool = False  # "met the CCC or the ICC": all require PEM


def names_a_definition(sentence: str) -> bool:
    """Return whether a sentence names any definition by its full rule (no bare acronym)."""
    return any(rule.search(sentence) for rule in CRITERIA_NAMES.values())


def _named_in(sentence: str, no_intraclass: bool, year: int | None) -> list[str]:
    """Return the definitions a sentence names, in vocabulary order."""
    found = [
        criterion
        for criterion, pattern in CRITERIA_NAMES.items()
        if (criterion != "ICC" or no_intraclass or "International Consensus" in sentence)
        and pattern.search(sentence)
    ]
    # A bare "NICE guidelines" or "CDC criteria" means the version current in the paper's
    # year; in the years just after a new one (NICE 2022, CDC 1994-95) it could be either.
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
    evidence = tuple(dict.fromkeys(quote(u.sentence) for u in uses))
    return Suggestion(names, evidence)
