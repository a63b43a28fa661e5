"""Suggested ME/CFS facts for a paper, each with the passage it came from.

Nothing here is published: a curator accepts, edits or drops each suggestion. The rules read
phrasing, not particular papers, and prefer saying nothing to saying something wrong: a
wrong PEM badge misleads patients, so `pem` is suggested only by the atlas's rule
(curation/suggest/pem.py) and criteria only where a sentence says patients were selected by
them (curation/suggest/criteria.py).

A module per suggested fact (design, criteria, pem, markers, participants, sex,
interventions), each a table of `Rule`s and the finder that reads them; evidence.py holds
what they share: `Suggestion`, `Rule`, `sentences` and quoting.
"""

from __future__ import annotations

from curation.papers import Paper
from curation.suggest.criteria import CriterionUse, criteria_uses, suggest_criteria
from curation.suggest.design import REVIEWS, suggest_design
from curation.suggest.evidence import MAX_EVIDENCE, Rule, Suggestion, sentences
from curation.suggest.interventions import suggest_interventions
from curation.suggest.markers import suggest_markers
from curation.suggest.participants import suggest_participants
from curation.suggest.pem import suggest_pem
from curation.suggest.sex import suggest_sex

__all__ = [
    "MAX_EVIDENCE",
    "CriterionUse",
    "Rule",
    "Suggestion",
    "criteria_uses",
    "sentences",
    "suggest",
    "suggest_criteria",
    "suggest_design",
    "suggest_interventions",
    "suggest_markers",
    "suggest_participants",
    "suggest_pem",
    "suggest_sex",
]


def suggest(paper: Paper) -> dict[str, Suggestion]:
    """Return the suggested facts for a paper by record field name."""
    texts = sentences(paper)
    out: dict[str, Suggestion] = {}
    design = suggest_design(paper, texts)
    if design is not None:
        out["design"] = design
    design_value = design.value if design else None
    # A review's criteria and PEM are its studies', not its own patients'.
    is_review = design_value in REVIEWS
    uses = [] if is_review else criteria_uses(paper, texts)
    criteria = suggest_criteria(uses)
    if criteria is not None:
        out["criteria"] = criteria
    out["pem"] = Suggestion("unknown", ()) if is_review else suggest_pem(texts, uses)
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
