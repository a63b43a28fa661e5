"""British and American spellings fold to one form; the words each rule must leave alone."""

from __future__ import annotations

import pytest

from search.analysis import prose_term
from search.spelling import american


@pytest.mark.parametrize(
    ("british", "us"),
    [
        ("haemoglobin", "hemoglobin"),
        ("haematology", "hematology"),
        ("paediatric", "pediatric"),
        ("anaemia", "anemia"),
        ("leukaemia", "leukemia"),
        ("aetiology", "etiology"),
        ("oestrogen", "estrogen"),
        ("oedema", "edema"),
        ("oesophagus", "esophagus"),
        ("diarrhoea", "diarrhea"),
        ("behaviour", "behavior"),
        ("behavioural", "behavioral"),
        ("tumour", "tumor"),
        ("colours", "colors"),
        ("fibre", "fiber"),
        ("centres", "centers"),
        ("centred", "centered"),
        ("titre", "titer"),
        ("randomised", "randomized"),
        ("randomisation", "randomization"),
        ("characterising", "characterizing"),
        ("analysed", "analyzed"),
        ("paralyse", "paralyze"),
        ("grey", "gray"),
        ("programme", "program"),
    ],
)
def test_british_spellings_fold_to_american(british: str, us: str) -> None:
    assert american(british) == us
    assert prose_term(british) == prose_term(us)


@pytest.mark.parametrize(
    "word",
    [
        "aerobic",
        "poem",
        "does",
        "four",
        "hours",
        "tours",
        "contour",
        "your",
        "journal",
        "acre",
        "massacre",
        "mediocre",
        "genre",
        "hatred",
        "exercise",
        "exercised",
        "advise",
        "revised",
        "supervision",
        "promise",
        "surprising",
        "precise",
        "otherwise",
        "noise",
        "raised",
        "expertise",
        "more",
        "are",
    ],
)
def test_words_the_rules_must_leave_alone(word: str) -> None:
    assert american(word) == word


def test_small_number_words_are_digits_in_prose() -> None:
    assert [prose_term(w) for w in ("two", "ten", "2")] == ["2", "10", "2"]
    assert prose_term("one") != "1"
