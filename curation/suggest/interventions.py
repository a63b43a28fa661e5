"""The treatments a trial tested, from its MeSH headings and its wording."""

from __future__ import annotations

import re

from curation.papers import Paper
from curation.suggest.design import TRIALS
from curation.suggest.evidence import Rule, Suggestion, quote

_LEAD = r"(?:to|at|random|either|the|a|an|with|of|receive|received|receiving|be|or|and|in|on)"
# The treatment's name, captured as group `t`: up to four words, none of them a lead-in.
_TREATMENT = rf"(?!{_LEAD}\b)(?P<t>[A-Za-z][\w().-]*(?: (?!{_LEAD}\b)[a-z][\w-]*){{0,3}}?)"
_INTERVENTIONS = (
    Rule(
        rf"\b(?:effects?|efficacy|safety|benefits?) of {_TREATMENT} "
        rf"(?:in|on|for|versus|vs|compared|among|as)\b",
        "effect",
        "efficacy",
        "safety",
        "benefit",
    ),
    Rule(
        rf"\b(?:receive|received|receiving)\s+(?:either\s+)?{_TREATMENT}\s+(?:or|versus|vs\.?)\s+"
        rf"(?:a\s+)?placebo",
        "placebo",
    ),
    Rule(
        rf"\b{_TREATMENT}\s+(?:or|versus|vs\.?|compared with)\s+(?:a\s+)?(?:matching\s+)?placebo\b",
        "placebo",
    ),
    Rule(rf"\brandomi[sz]ed to (?:receive )?{_TREATMENT}\s+(?:or|and|versus|vs)\b", "randomi"),
    Rule(
        rf"\b(?:treated|treatment) with {_TREATMENT}\b(?=\s*(?:,|\.|for|at|or|and|\(|in))", "with"
    ),
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
    if design not in TRIALS:
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
                    evidence.setdefault(quote(sentence), None)
    return Suggestion(list(found), tuple(evidence)) if found else None
