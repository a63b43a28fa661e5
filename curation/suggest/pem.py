"""Whether a paper's patients had to have post-exertional malaise, by the atlas's PEM rule.

`required` when the text makes PEM an explicit inclusion requirement or every patient had
to meet a definition that requires PEM (CCC, ICC, IOM, NICE 2021); `not-required` when the
text says PEM was not required or selection used only definitions that do not require it;
otherwise `unknown`. A mention or a measurement of PEM is never enough.
"""

from __future__ import annotations

from curation.suggest.criteria import CriterionUse, names_a_definition
from curation.suggest.evidence import Rule, Suggestion, quote
from search.vocabularies import PEM_REQUIRING

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
    Rule(rf"{_REQUIRE}\W+(?:\w+\W+){{0,6}}?{_PEM}", *_PEM_KEYS),
    Rule(
        rf"{_PEM}\W+(?:\w+\W+){{0,6}}?(?:was|were|is|being|as)\W+(?:\w+\W+){{0,2}}?"
        rf"(?:required|mandatory|obligatory|compulsory|essential|necessary|prerequisite|"
        rf"(?:an? )?(?:inclusion|entry|eligibility) (?:criterion|criteria|requirement))",
        *_PEM_KEYS,
    ),
    Rule(
        rf"\bonly (?:\w+\W+){{0,3}}?(?:with|who (?:had|reported|experienced)|reporting|"
        rf"experiencing)\W+(?:\w+\W+){{0,3}}?{_PEM}",
        *_PEM_KEYS,
    ),
    # "Inclusion criteria were a diagnosis of ME/CFS and the presence of PEM": a list of
    # inclusion criteria that names PEM, within one clause.
    Rule(rf"\binclusion criteri\w*\b[^.;:]*?\b{_PEM}", *_PEM_KEYS),
    Rule(
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
_PEM_NOT_REQUIRED = Rule(
    rf"{_PEM}\W+(?:\w+\W+){{0,4}}?{_NOT_NEEDED}|"
    rf"(?:regardless|irrespective|independent) of\W+(?:\w+\W+){{0,3}}?{_PEM}|"
    rf"(?:did not|does not|without) requir\w*\W+(?:\w+\W+){{0,4}}?{_PEM}|"
    rf"\bnot requir\w*\W+(?:\w+\W+){{0,4}}?{_PEM}",
    *_PEM_KEYS,
)
_NOT_A_REQUIREMENT = Rule(
    r"\b(?:induc\w*|provok\w*|trigger\w*|elicit\w*|assess\w*|measur\w*|evaluat\w*|quantif\w*|"
    r"captur\w*|understand\w*|explor\w*|investigat\w*|stud(?:y|ied|ies|ying)|clarif\w*|"
    r"determin\w*|characteri[sz]\w*|examin\w*|research|future|treat\w*|manag\w*|avoid\w*|"
    r"prevent\w*|reduc\w*|document\w*|record\w*|complete\w*|fill\w*)\b"
)
_DEFINITION_ASKS = Rule(r"\brequir(?:e|es|ing)\b|\bmandatory\b|\bessential\b")
_NEGATED = Rule(r"\bnot\b|\bwithout\b|\bregardless\b|\birrespective\b|\bno\b|\bneither\b")


def _stated(texts: list[str]) -> Suggestion | None:
    """Return what the first sentence saying PEM was or was not required says, or None."""
    for sentence in texts:
        if _PEM_NOT_REQUIRED.search(sentence):
            return Suggestion("not-required", (quote(sentence),))
        if _NEGATED.search(sentence):
            continue
        for pattern in _PEM_REQUIRED:
            match = pattern.search(sentence)
            # "Exercise was required to induce PEM", "research is needed to understand PEM":
            # a requirement of something else that PEM is only the object of. "The CCC
            # require PEM" says what a definition asks, which `_by_criteria` weighs.
            if match is None or _NOT_A_REQUIREMENT.search(match.group()):
                continue
            if _DEFINITION_ASKS.search(match.group()) and names_a_definition(sentence):
                continue
            return Suggestion("required", (quote(sentence),))
    return None


def _by_criteria(uses: list[CriterionUse]) -> Suggestion:
    """Return what the definitions patients were selected by say about PEM."""
    for use in uses:
        if use.criterion in PEM_REQUIRING and use.is_all_patients:
            return Suggestion(
                "required",
                (f"every patient met {use.criterion}, which requires PEM: {quote(use.sentence)}",),
            )
        if use.is_choice_of_pem_definitions:
            return Suggestion(
                "required",
                (
                    "every patient met one of several definitions that all require PEM: "
                    f"{quote(use.sentence)}",
                ),
            )
    if all(u.criterion not in PEM_REQUIRING for u in uses) and all(u.is_all_patients for u in uses):
        names = ", ".join(dict.fromkeys(u.criterion for u in uses))
        return Suggestion(
            "not-required",
            (
                f"patients were selected by {names}, which do not require PEM",
                *tuple(dict.fromkeys(quote(u.sentence) for u in uses)),
            ),
        )
    return Suggestion("unknown", ())


def suggest_pem(texts: list[str], uses: list[CriterionUse]) -> Suggestion:
    """Return `required`, `not-required` or `unknown` by the atlas's rule, with the reason."""
    stated = _stated(texts)
    if stated is not None:
        return stated
    if not uses:
        return Suggestion("unknown", ())
    return _by_criteria(uses)
