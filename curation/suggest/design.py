"""The study design a paper's PubMed publication types or its wording name."""

from __future__ import annotations

from curation.papers import Paper
from curation.suggest.evidence import Rule, Suggestion, first_match, quote

# Designs whose papers report other studies' patients, and designs that test a treatment.
REVIEWS = ("review", "systematic-review", "meta-analysis")
TRIALS = ("rct", "non-randomised-trial")

# PubMed publication types that name a design outright, strongest first.
_DESIGN_TYPES = (
    ("Meta-Analysis", "meta-analysis"),
    ("Systematic Review", "systematic-review"),
    ("Randomized Controlled Trial", "rct"),
    ("Case Reports", "case-report"),
)
_CLINICAL_TRIAL_TYPES = frozenset(
    (
        "Clinical Trial",
        "Controlled Clinical Trial",
        "Clinical Trial, Phase I",
        "Clinical Trial, Phase II",
    )
)

# Phrases that name this paper's design, strongest first. Plural "trials" and "studies" are
# what reviews talk about, so the trial phrases want a singular.
_DESIGN_WORDS: tuple[tuple[str, Rule], ...] = (
    (
        "meta-analysis",
        Rule(
            r"(?<!previous )(?<!prior )(?<!earlier )(?<!future )\bmeta-?analy[sz]",
            "meta-analy",
            "metaanaly",
        ),
    ),
    (
        "systematic-review",
        Rule(
            r"\bsystematic(?:ally)?\s+(?:\w+\s+)?review|\bPRISMA\b|\bsystematic(?:ally)? search",
            "systematic",
            "prisma",
        ),
    ),
    (
        "rct",
        Rule(
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
        Rule(
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
        Rule(
            r"\bopen-label\b|\bsingle-arm\b|\buncontrolled (?:trial|study)\b|\bnon-?randomi[sz]ed",
            "open-label",
            "single-arm",
            "uncontrolled",
            "randomi",
        ),
    ),
    ("case-control", Rule(r"\bcase[- ]control", "case")),
    ("cross-sectional", Rule(r"\bcross-?sectional\b", "cross")),
    (
        "cohort",
        Rule(
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
        Rule(
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
_CONTROL_GROUP = Rule(
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
_SURVEY = Rule(
    r"\bsurvey\b|\bquestionnaire study\b|\bprevalence\b|\bonline questionnaire\b",
    "survey",
    "questionnaire",
    "prevalence",
)
_UNNAMED_DESIGNS = (("case-control", _CONTROL_GROUP), ("cross-sectional", _SURVEY))


def _worded(rules: tuple[tuple[str, Rule], ...], texts: list[str]) -> Suggestion | None:
    """Return the first design whose rule a text matches, quoting that text."""
    for design, rule in rules:
        found = first_match(rule, texts)
        if found is not None:
            return Suggestion(design, (quote(found),))
    return None


def suggest_design(paper: Paper, texts: list[str]) -> Suggestion | None:
    """Return the design the publication types or wording name, with where it was read."""
    types = set(paper.publication_types)
    for kind, design in _DESIGN_TYPES:
        if kind in types:
            return Suggestion(design, (f"publication type: {kind}",))
    named = _worded(_DESIGN_WORDS, texts)
    if named is not None:
        return named
    if "Review" in types:
        return Suggestion("review", ("publication type: Review",))
    unnamed = _worded(_UNNAMED_DESIGNS, texts)
    if unnamed is not None:
        return unnamed
    if types & _CLINICAL_TRIAL_TYPES:
        return Suggestion("non-randomised-trial", ("publication type: Clinical Trial",))
    return None
