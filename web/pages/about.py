"""/retractions and /about: how the atlas works, its labels explained."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from search.vocabularies import CRITERIA, DIRECTIONS, PEM_REQUIRING
from web.etags import conditional
from web.index import get_atlas
from web.pages import (
    bp,
    filter_url,
)
from web.pages.labels import (
    CONFIDENCE_EXPLANATION,
    DESIGN_EXPLANATIONS,
    DESIGN_LABELS,
    DIRECTION_LABELS,
    EVIDENCE_LEVEL_EXPLANATION,
    PEER_REVIEW_EXPLANATIONS,
    PEM_EXPLANATIONS,
    PEM_LABELS,
    RETRACTED_EXPLANATION,
)

# ---- retractions --------------------------------------------------------------------------------


@bp.get("/retractions")
@conditional
def retractions() -> str:
    return render_template("retractions.html", hits=get_atlas().retracted())


# ---- about --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRow:
    id: str
    names: str
    requires_pem: bool
    url: str


@bp.get("/about")
@conditional(uses_index=False)
def about() -> str:
    criteria = tuple(
        CriterionRow(cid, ", ".join(aliases), requires, filter_url("criteria", cid))
        for cid, (aliases, requires) in CRITERIA.items()
    )
    return render_template(
        "about.html",
        criteria=criteria,
        pem_requiring=sorted(PEM_REQUIRING),
        pem_labels=PEM_LABELS,
        pem_explanations=PEM_EXPLANATIONS,
        directions=[(d, DIRECTION_LABELS[d]) for d in DIRECTIONS],
        designs=[(DESIGN_LABELS[d], text) for d, text in DESIGN_EXPLANATIONS.items()],
        other_labels=[
            ("Evidence level (E0–E3)", EVIDENCE_LEVEL_EXPLANATION),
            ("Confidence", CONFIDENCE_EXPLANATION),
            ("Peer reviewed", PEER_REVIEW_EXPLANATIONS[True]),
            ("Not peer reviewed", PEER_REVIEW_EXPLANATIONS[False]),
            ("Retracted", RETRACTED_EXPLANATION),
        ],
    )
