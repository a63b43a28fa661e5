"""The study page type: the page and its twins, BibTeX, RIS and JSON (the API's document).

Every format reads the one value `web.index.requested_study()` and differs only in its last
line, the writer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response, current_app, jsonify, render_template

from citations import (
    byline_authors,
    doi_url,
    primary_citation,
    pubmed_url,
    snapshot_citation,
)
from citations.styles import styled_citations
from search import Atlas
from search.records import StudyRecordSchema
from search.vocabularies import PEM_REQUIRING
from web.api import study_document
from web.etags import conditional
from web.index import Study, requested_study
from web.pages import (
    bp,
    filter_url,
    pem_label,
    value_label,
)
from web.pages.downloads import BIBTEX, RIS, study_file
from web.pages.labels import (
    CITATION_NOTE,
    CONFIDENCE_EXPLANATION,
    DESIGN_EXPLANATIONS,
    DIRECTION_LABELS,
    EVIDENCE_LEVEL_EXPLANATION,
    PEER_REVIEW_EXPLANATIONS,
    PEM_BADGE_NOTE,
    PEM_EXPLANATIONS,
    SNAPSHOT_NOTE,
)
from web.pages.views import (
    CriterionLink,
    FindingRow,
    Link,
    StudyView,
)
from web.urls import study_url

# ---- the study page -----------------------------------------------------------------------------

KNOWN_FIELDS = frozenset(StudyRecordSchema().fields)


def _links(name: str, values: Sequence[str] | None) -> tuple[Link, ...]:
    return tuple(Link(v, filter_url(name, v)) for v in values or ())


def finding_rows(record: Mapping[str, Any], atlas: Atlas) -> tuple[FindingRow, ...]:
    """Return one row per finding, then one per listed marker without a finding."""
    rows = []
    reported = set()
    for finding in record.get("findings") or ():
        reported.add(atlas.marker_key(finding["marker"]))
        direction = finding["direction"]
        rows.append(
            FindingRow(
                finding["marker"],
                filter_url("marker", finding["marker"]),
                direction,
                DIRECTION_LABELS.get(direction, direction),
                finding.get("sample"),
            )
        )
    for marker in record.get("markers") or ():
        key = atlas.marker_key(marker)
        if key not in reported:
            reported.add(key)
            rows.append(
                FindingRow(
                    marker, filter_url("marker", marker), None, "Measured; no direction given", None
                )
            )
    return tuple(rows)


def participants_line(record: Mapping[str, Any]) -> str | None:
    """Return "50 patients, 48 controls" (or whichever of the two the record gives)."""
    people = record.get("participants") or {}
    parts = [f"{people[k]} {k}" for k in ("patients", "controls") if people.get(k) is not None]
    return ", ".join(parts) or None


IN_SHORT_CHARS = 160  # a second sentence is added while the first is shorter than this
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


def in_short(summary: str) -> str | None:
    """Return the first sentence of a summary, and the second when the first is short."""
    sentences = _SENTENCE_END.split(" ".join(summary.split()))
    if not sentences or not sentences[0]:
        return None
    text = sentences[0]
    if len(text) < IN_SHORT_CHARS and len(sentences) > 1:
        text += " " + sentences[1]
    return text


def other_fields(record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return the record's top-level fields the record format does not define, as text."""
    out = []
    for name, value in record.items():
        if name in KNOWN_FIELDS:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.append((name, text))
    return tuple(out)


def study_view(study: Study) -> StudyView:
    """Return everything the study page shows, worked out from one study."""
    record = study.record
    pem = record.get("pem", "unknown")
    snapshot = snapshot_citation(
        record, current_app.config["SITE_NAME"], study_url(study.slug, external=True)
    )
    return StudyView(
        record=record,
        authors=byline_authors(record["authors"]),
        doi_url=doi_url(record["doi"]) if record.get("doi") else None,
        pubmed_url=pubmed_url(record["pmid"]) if record.get("pmid") else None,
        pem=pem,
        pem_label=pem_label(pem),
        pem_explanation=PEM_EXPLANATIONS.get(pem, PEM_EXPLANATIONS["unknown"]),
        pem_note=PEM_BADGE_NOTE,
        design_note=DESIGN_EXPLANATIONS.get(record.get("design") or ""),
        evidence_note=EVIDENCE_LEVEL_EXPLANATION,
        confidence_note=CONFIDENCE_EXPLANATION,
        peer_review_note=(
            PEER_REVIEW_EXPLANATIONS[bool(record["peer_reviewed"])]
            if record.get("peer_reviewed") is not None
            else None
        ),
        criteria=tuple(
            CriterionLink(c, filter_url("criteria", c), c in PEM_REQUIRING)
            for c in record.get("criteria") or ()
        ),
        design=(
            Link(value_label("design", record["design"]), filter_url("design", record["design"]))
            if record.get("design")
            else None
        ),
        participants=participants_line(record),
        sex=record.get("sex"),
        findings=finding_rows(record, study.atlas),
        interventions=_links("intervention", record.get("interventions")),
        topics=_links("topic", record.get("topics")),
        in_short=in_short(record.get("summary") or ""),
        citation=primary_citation(record),
        styles=styled_citations(record),
        citation_note=CITATION_NOTE + (" " + SNAPSHOT_NOTE if snapshot else ""),
        bibtex=BIBTEX.write([record]),  # the same writer as the .bib file
        snapshot=snapshot,
        other_fields=other_fields(record),
        related=tuple(study.related()),
        is_retracted=bool(record.get("retracted")),
    )


# The correction form on a study page carries a signed token that expires after two hours
# (web/corrections/token.py), so a browser's copy of the page is renewed every quarter of an hour.
STUDY_PAGE_RENEWAL = 15 * 60


# ---- the formats of a study ---------------------------------------------------------------------


@bp.get("/studies/<slug:slug>")
@conditional(renew_every=STUDY_PAGE_RENEWAL)
def study(slug: str) -> str:
    view = study_view(requested_study(slug))
    # `record` is for the corrections partial (_correction_form.html), which another module owns.
    return render_template("study.html", view=view, record=view.record)


@bp.get("/studies/<slug:slug>.bib")
@conditional
def study_bib(slug: str) -> Response:
    return study_file(requested_study(slug), BIBTEX)


@bp.get("/studies/<slug:slug>.ris")
@conditional
def study_ris(slug: str) -> Response:
    return study_file(requested_study(slug), RIS)


@bp.get("/studies/<slug:slug>.json")
@conditional
def study_json(slug: str) -> Response:
    return jsonify(study_document(requested_study(slug)))
