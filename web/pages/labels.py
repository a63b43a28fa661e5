"""The words pages show people: labels and plain explanations of the record's vocabularies."""

from __future__ import annotations

from search.schema import FACETS
from search.vocabularies import CRITERIA

# ---- words shown to people ------------------------------------------------------------------

PEM_LABELS = {
    "required": "PEM required",
    "not-required": "PEM not required",
    "unknown": "PEM unknown",
}
PEM_EXPLANATIONS = {
    "required": (
        "Post-exertional malaise (PEM) was a required inclusion criterion: every participant "
        "had to have it, usually because the study used diagnostic criteria that require it."
    ),
    "not-required": (
        "PEM was not required for inclusion, so some participants may not have had it. This "
        "says how patients were selected, not whether the study looked at PEM."
    ),
    "unknown": (
        "The study does not say whether PEM was required for inclusion, so its participants "
        "may or may not all have had it."
    ),
}
PEM_NOT_REQUIRING = tuple(cid for cid, (_, requires) in CRITERIA.items() if not requires)
PEM_BADGE_NOTE = (
    "“PEM required” means the study made post-exertional malaise an explicit inclusion "
    "criterion; it does not tell whether the study measured PEM. Studies that selected "
    f"patients by definitions that do not require PEM ({', '.join(PEM_NOT_REQUIRING[:2])}…) "
    "are tagged “PEM not required”."
)
CITATION_NOTE = (
    "The citation below cites the paper itself: use it in your own writing and research."
)
SNAPSHOT_NOTE = (
    "The atlas snapshot reference further down is only for referring to the atlas's reading "
    "of the paper on the date it shows."
)
# Short explanations shown in place beside each evidence label.
DESIGN_EXPLANATIONS = {
    "case-control": "Compares people who have ME/CFS with people who do not, at one time. It "
    "shows differences, not what causes them.",
    "cohort": "Follows a group of people over time to see what happens to them.",
    "cross-sectional": "Looks at a group of people once, at one point in time.",
    "rct": "Participants were put into treatment groups by chance, the fairest way to compare "
    "treatments.",
    "non-randomised-trial": "Tests a treatment without putting participants into groups by "
    "chance, so the groups may differ in other ways.",
    "systematic-review": "Finds and weighs all studies on one question by a set method.",
    "meta-analysis": "Combines the numbers of several studies into one overall result.",
    "review": "Sums up other studies, without a set method for choosing them.",
    "case-report": "Describes one patient or a few.",
    "qualitative": "Asks people about their experience, in their own words.",
    "other": "A design that is none of the usual kinds.",
}
EVIDENCE_LEVEL_EXPLANATION = (
    "A grade from E0 to E3 that the publishing atlas gave the study's evidence when it read "
    "the paper. It is the publisher's grade, not a verdict on whether the findings are true."
)
CONFIDENCE_EXPLANATION = (
    "How sure the publishing atlas is of its reading of the paper: low, moderate or high."
)
PEER_REVIEW_EXPLANATIONS = {
    True: "Other researchers checked the paper before it was published.",
    False: "No other researchers had checked the paper when it was read (a preprint, for example).",
}
RETRACTED_EXPLANATION = (
    "The journal or the authors withdrew this study. It stays listed so that citations to it "
    "can be checked; do not rely on its findings."
)
FACET_TITLES = {
    "pem": "PEM as inclusion criterion",
    "criteria": "Diagnostic criteria",
    "design": "Study design",
    "marker": "Markers",
    "year": "Year",
    "sex": "Participants' sex",
    "topic": "Topics",
    "intervention": "Interventions",
    "evidence_level": "Evidence level",
    "confidence": "Confidence",
    "peer_reviewed": "Peer review",
}
CHIP_NAMES = {
    "criteria": "Criteria",
    "design": "Design",
    "marker": "Marker",
    "year": "Year",
    "sex": "Sex",
    "topic": "Topic",
    "intervention": "Intervention",
    "evidence_level": "Evidence",
    "confidence": "Confidence",
}
DESIGN_LABELS = {
    "case-control": "Case-control",
    "cohort": "Cohort",
    "cross-sectional": "Cross-sectional",
    "rct": "Randomised controlled trial",
    "non-randomised-trial": "Non-randomised trial",
    "systematic-review": "Systematic review",
    "meta-analysis": "Meta-analysis",
    "review": "Review",
    "case-report": "Case report",
    "qualitative": "Qualitative",
    "other": "Other design",
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "pem": PEM_LABELS,
    "design": DESIGN_LABELS,
    "peer_reviewed": {"true": "Peer reviewed", "false": "Not peer reviewed"},
}
DIRECTION_LABELS = {
    "increased": "Increased",
    "decreased": "Decreased",
    "no-difference": "No difference",
    "mixed": "Mixed",
}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest", "title": "Title"}
SIDEBAR_FACETS = tuple(name for name in FACETS if name != "year")  # years: the histogram
# Values listed per facet in the sidebar (selected ones always are); the API gives more. Keeps
# a page of 20 results well under 60 KB of HTML.
SIDEBAR_VALUES = 12
HOME_FACETS = ("pem", "criteria", "design", "marker")
HOME_FACET_VALUES = 12
RECENT_STUDIES = 5
PAGE_WINDOW = 2  # page links shown either side of the current page

# The reading settings panel (base.html, static/reading.js): each setting, its legend and its
# choices; the first choice is the default. The values must match reading.js's CHOICES.
READING_SETTINGS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("theme", "Colours", (("system", "Follow my device"), ("light", "Light"), ("dark", "Dark"))),
    ("text", "Text size", (("standard", "Standard"), ("large", "Large"), ("larger", "Larger"))),
    ("spacing", "Line spacing", (("standard", "Standard"), ("wide", "Wide"))),
    (
        "short",
        "Short view: summaries first, other sections fold",
        (("phones", "On phones"), ("always", "Always"), ("never", "Never")),
    ),
)
