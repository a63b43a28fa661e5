"""Suggested facts (curation/suggest/): the rules, and their measured precision and recall."""

from __future__ import annotations

import json

import pytest

from bench.suggestions import LABELLED, evaluate
from curation.papers import Paper
from curation.suggest import suggest


def said(
    abstract: str,
    title: str = "A study",
    types: tuple[str, ...] = ("Journal Article",),
    year: int = 2020,
) -> dict:
    paper = Paper(
        title=title, authors=("Doe, J",), year=year, abstract=abstract, publication_types=types
    )
    return {name: s.value for name, s in suggest(paper).items()}


@pytest.mark.parametrize(
    ("abstract", "pem", "criteria"),
    [
        # A mention or a measurement of PEM is never enough.
        ("PEM was measured after exercise in all patients.", "unknown", None),
        ("Post-exertional malaise severity was rated on a questionnaire.", "unknown", None),
        ("Most patients reported post-exertional malaise.", "unknown", None),
        ("A second exercise test was required to provoke PEM.", "unknown", None),
        ("Further research is required to understand post-exertional malaise.", "unknown", None),
        # Every patient met a definition that requires PEM.
        ("Patients meeting the Canadian Consensus Criteria were enrolled.", "required", ["CCC"]),
        ("All 40 patients fulfilled the International Consensus Criteria.", "required", ["ICC"]),
        ("Cases satisfied the Institute of Medicine (2015) criteria.", "required", ["IOM"]),
        # Only definitions that do not require PEM.
        ("All patients fulfilled the Fukuda criteria.", "not-required", ["Fukuda"]),
        ("Patients met the Oxford criteria for CFS.", "not-required", ["Oxford"]),
        # Either/or, or a subgroup meeting the stricter definition: not every patient.
        ("Patients met the Fukuda or the Canadian criteria.", "unknown", ["Fukuda", "CCC"]),
        ("Forty patients, each of whom met the CCC, took part.", "required", ["CCC"]),
        (
            "Forty patients, each of whom met the Fukuda criteria and the CCC, were compared with "
            "40 controls.",
            "required",
            ["Fukuda", "CCC"],
        ),
        (
            "Patients met Fukuda criteria. Of these, 20 also met the ICC.",
            "unknown",
            ["Fukuda", "ICC"],
        ),
        (
            "We compared patients meeting Fukuda criteria with those meeting the CCC.",
            "unknown",
            ["Fukuda", "CCC"],
        ),
        # PEM made an explicit requirement, or explicitly not one.
        ("Post-exertional malaise was required for inclusion.", "required", None),
        (
            "Inclusion criteria were a diagnosis of ME/CFS and the presence of PEM.",
            "required",
            None,
        ),
        ("Adults with PEM required for entry were recruited.", "required", None),
        ("Inclusion criteria did not include PEM.", "unknown", None),
        # What a definition asks is not what this study asked.
        (
            "The Canadian criteria require PEM. Our patients met the Fukuda criteria.",
            "not-required",
            ["Fukuda"],
        ),
        ("In 2015 the Institute of Medicine published new diagnostic criteria.", "unknown", None),
        ("To take part, participants had to report PEM after exertion.", "required", None),
        (
            "Patients met Fukuda criteria and, in addition, had to have PEM.",
            "required",
            ["Fukuda"],
        ),
        ("PEM was not required for inclusion.", "not-required", None),
        ("Patients were included regardless of post-exertional malaise.", "not-required", None),
        # Definitions named as background, places, or statistics are not selection.
        (
            "Several case definitions, such as the Oxford and Canadian criteria, have been "
            "proposed.",
            "unknown",
            None,
        ),
        ("Researchers at the University of Oxford recruited 30 patients.", "unknown", None),
        (
            "Patients met the Fukuda criteria. Agreement was good (ICC = 0.9).",
            "not-required",
            ["Fukuda"],
        ),
    ],
)
def test_pem_and_criteria(abstract: str, pem: str, criteria: list[str] | None) -> None:
    got = said(abstract)
    assert (got["pem"], got.get("criteria")) == (pem, criteria)


def test_reviews_get_no_criteria_and_no_pem() -> None:
    got = said(
        "This review discusses the Canadian Consensus Criteria, which require PEM.",
        types=("Journal Article", "Review"),
    )
    assert (got["design"], got["pem"], got.get("criteria")) == ("review", "unknown", None)


@pytest.mark.parametrize(
    ("abstract", "participants"),
    [
        ("We studied 50 patients and 48 healthy controls.", {"patients": 50, "controls": 48}),
        (
            "Patients with ME/CFS (n = 32) and healthy controls (n = 30) were scanned.",
            {"patients": 32, "controls": 30},
        ),
        (
            "Forty-eight women with ME/CFS and forty age- and sex-matched healthy controls took "
            "part.",
            {"patients": 48, "controls": 40},
        ),
        ("One hundred and twelve patients were randomised.", {"patients": 112}),
        ("Twenty ME/CFS patients and 18 HCs took part.", {"patients": 20, "controls": 18}),
        (
            "ME/CFS patients (ME; n = 20) and healthy controls (HC; n = 18).",
            {"patients": 20, "controls": 18},
        ),
        ("Of 300 patients screened, none were excluded.", None),
        ("A total of 641 participants were randomly allocated.", {"patients": 641}),
        (
            "A total of 60 participants (30 ME/CFS, 30 controls) took part.",
            {"patients": 30, "controls": 30},
        ),
    ],
)
def test_participants(abstract: str, participants: dict | None) -> None:
    assert said(abstract).get("participants") == participants


@pytest.mark.parametrize(
    ("abstract", "markers"),
    [
        ("Serum IL-6 and IL-16 were measured.", ["IL-6", "IL-16"]),  # two markers, kept apart
        ("TNF alpha and interferon gamma rose.", ["TNF-α", "IFN-γ"]),
        ("Cerebrospinal fluid (CSF) was sampled.", None),  # CSF here is not CSF-1
        ("IL12p40 and M-CSF were higher.", ["IL-12p40", "CSF-1"]),
    ],
)
def test_markers_are_canonical_table_names(abstract: str, markers: list[str] | None) -> None:
    assert said(abstract).get("markers") == markers


@pytest.mark.parametrize(
    ("abstract", "types", "design"),
    [
        ("We performed a systematic review and meta-analysis of 20 studies.", (), "meta-analysis"),
        ("Patients were randomly assigned to drug or placebo.", (), "rct"),
        ("Results of 3 randomised trials are summarised.", ("Review",), "review"),
        ("A 34-year-old woman presented with fatigue.", (), "case-report"),
        ("Thirty patients and 30 healthy controls were compared.", (), "case-control"),
        ("Blood from patients and controls was compared.", (), "case-control"),
        ("An online survey of 500 people with ME/CFS.", (), "cross-sectional"),
        ("Patients were followed for five years in this prospective cohort study.", (), "cohort"),
        ("Blood was taken.", ("Randomized Controlled Trial",), "rct"),
        ("Blood was taken.", (), None),
    ],
)
def test_design(abstract: str, types: tuple[str, ...], design: str | None) -> None:
    assert said(abstract, types=types).get("design") == design


@pytest.mark.parametrize(
    ("abstract", "sex"),
    [
        ("We compared 50 female patients and 48 healthy women.", "female"),
        ("Twelve men and 30 women with ME/CFS took part.", "mixed"),
        ("All participants were male.", "male"),
        ("We compared 50 female patients and 48 healthy men.", None),
        ("We compared 50 patients and 48 controls.", None),
    ],
)
def test_sex(abstract: str, sex: str | None) -> None:
    assert said(abstract).get("sex") == sex


def test_retracted_and_interventions() -> None:
    got = said(
        "Patients received rintatolimod or placebo for 40 weeks.",
        types=("Randomized Controlled Trial", "Retracted Publication"),
    )
    assert (got["retracted"], got["interventions"]) == (True, ["rintatolimod"])


def test_every_suggestion_quotes_its_evidence() -> None:
    paper = Paper(
        title="Cytokines in ME/CFS",
        authors=("Doe, J",),
        year=2020,
        abstract="We enrolled 50 patients meeting the CCC and 48 healthy controls. "
        "IL-6 was higher.",
    )
    for name, suggestion in suggest(paper).items():
        assert suggestion.evidence, name
        assert all(isinstance(e, str) and e for e in suggestion.evidence)


# Floors set from the measured run written into BENCHMARKS.md (bundled and held-out sets
# together), a little below it so an unrelated change can move one fact. The issue's
# targets are precision >= 0.9 for criteria and pem and recall >= 0.8 for markers and design.
FLOORS = {
    "design": (0.95, 0.8),
    "criteria": (0.95, 0.95),
    "pem": (0.95, 0.9),
    "pem=required": (0.95, 0.85),
    "markers": (0.95, 0.95),
    "participants": (0.95, 0.9),
}


SETS = [
    ("labelled.nbib", "labels.json"),
    ("held-out.nbib", "held-out.json"),
    ("held-out-2.nbib", "held-out-2.json"),
    ("held-out-3.nbib", "held-out-3.json"),
]


@pytest.mark.parametrize(("abstracts", "labels"), SETS)
def test_measured_precision_and_recall_do_not_drop(abstracts: str, labels: str) -> None:
    scores = evaluate(LABELLED / abstracts, json.loads((LABELLED / labels).read_text("utf-8")))
    low = {
        name: (round(s.precision, 2), round(s.recall, 2))
        for name, s in scores.items()
        if s.precision < FLOORS[name][0] or s.recall < FLOORS[name][1]
    }
    assert low == {}, "\n".join(m for s in scores.values() for m in s.misses)
