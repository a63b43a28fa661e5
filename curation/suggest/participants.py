"""How many patients and controls a paper studied: "50 patients and 48 healthy controls"."""

from __future__ import annotations

from curation.suggest.design import REVIEWS
from curation.suggest.evidence import Rule, Suggestion, first_match, quote
from curation.suggest.numbers import HAS_NUMBER, NUMBER, number

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
# Phrases that count the patients, most telling first.
_PATIENTS = (
    Rule(rf"\b{NUMBER}\s+{_ADJ}{{0,2}}?{_ILLNESS}\s+(?:patients|cases|subjects|sufferers)\b"),
    Rule(
        rf"\b{NUMBER}\s+{_ADJ}{{0,3}}?(?:women and men|men and women|[a-z]+s|people|men|women|"
        rf"children)\s+(?:\w+\s+){{0,1}}?"
        rf"(?:with|diagnosed with|meeting|who met|fulfilling|satisfying|suffering from|"
        rf"affected by)\s+(?:[\w-]+\s+){{0,3}}?(?:{_ILLNESS}|criteria|definition)"
    ),
    Rule(rf"\b{NUMBER}\s+(?:with|had)\s+{_ILLNESS}"),
    Rule(rf"\b{NUMBER}\s+(?:\w+\s+)?{_ILLNESS}\b(?=\s*(?:,|and|\)|;|vs|versus))"),
    Rule(rf"\b(?:patients|cases|{_ILLNESS})\W+(?:\w+\W+){{0,3}}?[(;,]?\s*[nN]\s*=\s*(?P<n>\d+)"),
    Rule(rf"\b{NUMBER}\s+(?!{_HEALTHY}){_ADJ}{{0,2}}?patients\b"),
    Rule(
        rf"\b(?:enrolled|recruited|included|studied|identified|followed|involved|comprised|"
        rf"total of|in all)\s+{NUMBER}\s+(?!{_HEALTHY}){_ADJ}{{0,2}}?{_PEOPLE}\b"
    ),
)
# Phrases that count the controls, most telling first.
_CONTROLS = (
    Rule(
        rf"\b{NUMBER}\s+(?:age-?\s+and\s+sex-?\s*matched\s+|(?!{_BREAK}\b|\d)[\w-]+\s+){{0,3}}?"
        rf"(?:healthy|matched|sedentary|non-fatigued|well)\s+"
        rf"(?:\w+\s+){{0,2}}?(?:controls?|volunteers|individuals|subjects|participants|people|"
        rf"persons|adults|women|men|comparison subjects|HCs?)\b"
    ),
    Rule(
        rf"\b{NUMBER}\s+(?:[\w-]+\s+){{0,2}}?(?:controls|control subjects|control participants|"
        rf"HCs?)\b"
    ),
    Rule(r"\b(?:controls|healthy \w+|HCs?)\W+(?:\w+\W+){0,2}?[(;,]?\s*[nN]\s*=\s*(?P<n>\d+)"),
)
_SAME_NUMBER = Rule(
    r"\b(?:an )?(?:equal|identical|the same) number of (?:\w+\s+){0,2}?"
    r"(?:controls|volunteers|subjects)\b",
    "number",
)
_ONE_PATIENT = Rule(r"\ban? \d{1,3}-year-old\b")
# A sentence about who was turned away or left counts people who are not the sample.
_NOT_THE_SAMPLE = Rule(
    r"\bscreened\b|\bexcluded\b|\bdropped out\b|\bwithdrew\b|\blost to\b",
    "screened",
    "excluded",
    "dropped",
    "withdrew",
    "lost to",
)


def _count(patterns: tuple[Rule, ...], texts: list[str]) -> tuple[int, str] | None:
    """Return the first count a pattern reads (patterns in order) and its sentence, or None."""
    counted = [t for t in texts if HAS_NUMBER.search(t) and not _NOT_THE_SAMPLE.search(t)]
    for pattern in patterns:
        for sentence in counted:
            match = pattern.search(sentence)
            if match:
                value = number(match.group("n"))
                if value is not None and 0 < value < 1_000_000:
                    return value, sentence
    return None


def suggest_participants(texts: list[str], design: str | None) -> Suggestion | None:
    """Return {"patients", "controls"} counted from phrases like "50 patients and 48 controls"."""
    if design in REVIEWS:
        return None
    body = texts[1:] or texts  # the abstract; a title's numbers are rarely the sample
    if design == "case-report":
        found = first_match(_ONE_PATIENT, texts)
        if found is not None:
            return Suggestion({"patients": 1}, (quote(found),))
    value: dict[str, int] = {}
    evidence: dict[str, None] = {}
    patients = _count(_PATIENTS, body)
    if patients:
        value["patients"] = patients[0]
        evidence[quote(patients[1])] = None
    controls = _count(_CONTROLS, body)
    same = first_match(_SAME_NUMBER, body)
    if controls is None and patients and same is not None:
        controls = (patients[0], same)
    if controls:
        value["controls"] = controls[0]
        evidence[quote(controls[1])] = None
    return Suggestion(value, tuple(evidence)) if value else None
