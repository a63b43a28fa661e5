"""Relevance over the bundled studies: our engine must keep finding what the relevance set asks.

The thresholds are set from a measured run of `make eval` (BENCHMARKS.md), a little below it,
so a change that makes searches find less fails here rather than in users' hands. Plain BM25
(tantivy, OR) scored 61-100% per class and 86% in all on the same queries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.relevance import ndcg, ours, read_relevance, score
from indexer.build import build
from search.settings import BUNDLED_STUDIES

# success@10 per query class, and over all queries: the run of 2026-12-01 (BENCHMARKS.md,
# "Relevance") found 95-100% per class and 99% in all; the floors leave room for the corpus
# prose being rewritten, never for a marker or field query to loosen.
THRESHOLDS = {
    "citation": 0.9,
    "wordform": 0.9,
    "spelling": 0.85,
    "fullname": 0.9,
    "abbreviation": 0.9,
    "lay": 0.9,
    "typo": 0.9,
    "question": 0.9,
    "exact": 1.0,
    # the second held-out set (bench/relevance-held-out-2.tsv), written by another engineer
    # before seeing how the engine reads it: 88% before the changes made for it, 100% after;
    # the third (held-out-3), written after those changes: 95% before them, 98% when first
    # measured, 100% after one thesaurus row (BENCHMARKS.md, "Relevance")
    "held-out-2": 0.95,
    "held-out-3": 0.95,
    # the fourth (held-out-4), written in session 4 before any change made for it: 86%
    # before them, 100% after (number words in marker names, words of marker names, two
    # concepts sharing a head word)
    "held-out-4": 0.95,
    "all": 0.95,
}


@pytest.fixture(scope="module")
def bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled")
    assert build(path, [BUNDLED_STUDIES]).ok
    return path


def test_every_judged_study_is_bundled() -> None:
    bundled = {p.stem for p in BUNDLED_STUDIES.glob("*.json")}
    judged = read_relevance()
    assert len(judged) >= 120
    assert {s for j in judged for s in j.relevant} - bundled == set()
    assert {j.kind for j in judged} == set(THRESHOLDS) - {"all"}


def test_relevance_stays_above_the_measured_thresholds(bundled_index: Path) -> None:
    scores = score(read_relevance(), ours(bundled_index))
    below = {
        kind: round(scores.success[kind][10], 3)
        for kind, floor in THRESHOLDS.items()
        if scores.success[kind][10] < floor
    }
    assert below == {}, scores.misses


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [(["a", "b"], 1.0), (["x", "a"], 1 / 1.5849625007211563), (["x", "y"], 0.0)],
)
def test_ndcg_with_one_answering_study(ranked: list[str], expected: float) -> None:
    assert ndcg(ranked, frozenset({"a"})) == pytest.approx(expected)


def _slugs(index: Path, q: str) -> list[str]:
    return ours(index)(q)


def test_an_id_shaped_abbreviation_searches_its_expansions_and_stays_exact(
    bundled_index: Path,
) -> None:
    # CoQ10 is in no study's markers; the study of ubiquinol says "coenzyme Q10"
    assert _slugs(bundled_index, "CoQ10") == ["fukuda-2016-ubiquinol-supplementation"]
    # HHV-7 also searches "human herpesvirus 7" as a phrase, never herpesvirus beside a 7
    assert _slugs(bundled_index, "HHV-7") == ["oakes-2013-human-endogenous"]
    assert "oakes-2013-human-endogenous" in _slugs(bundled_index, "HHV-6")


def test_lay_words_reach_the_clinical_studies(bundled_index: Path) -> None:
    # "after walking" is post-exertional malaise; "walking" is not "waking"
    pem = {
        "jason-2015-problems-defining",
        "faghy-2024-attenuating-post",
        "keller-2024-cardiopulmonary-metabolic",
    }
    assert pem & set(_slugs(bundled_index, "tired after walking")[:3])
    # ME/CFS also finds a study that says only "chronic fatigue syndrome"
    assert _slugs(bundled_index, "do people die from ME/CFS")[0] == "roberts-2016-mortality-people"
    # "too" is not a word that must match
    assert set(_slugs(bundled_index, "heart too small")[:3]) == {
        "miwa-2008-small-heart",
        "miwa-2009-cardiovascular-dysfunction",
        "miwa-2015-cardiac-dysfunction",
    }


def test_a_particle_typed_joined_to_its_surname_is_still_a_citation(bundled_index: Path) -> None:
    assert _slugs(bundled_index, "VanCampen 2018") == ["van-campen-2018-blood-volume"]
    assert _slugs(bundled_index, "DeVega 2017") == ["de-vega-2017-epigenetic-modifications"]
    assert "eaton-fitch-2019-systematic-review" in _slugs(bundled_index, "EatonFitch 2019")
    assert _slugs(bundled_index, "Fluge Ø 2019") == ["fluge-2019-lymphocyte-depletion"]
    # "so" need not match, but "So" after the first word may be a surname
    assert _slugs(bundled_index, "Jason, So 2015") == ["jason-2015-problems-defining"]
    # a surname that is written joined stays one ("DeLuca, J")
    assert _slugs(bundled_index, "DeLuca 2001") == ["cook-2001-relationship-brain"]


def test_lay_phrasings_without_apostrophes_or_with_problems(bundled_index: Path) -> None:
    sleep = {"mariman-2013-sleep-chronic", "reeves-2006-sleep-characteristics"}
    assert sleep <= set(_slugs(bundled_index, "cant sleep")[:5])  # as "can't sleep"
    cognition = set(_slugs(bundled_index, "cant think straight")[:5])
    assert "cockshell-2013-cognitive-deficits" in cognition
    # "problems" need not match, but a marker keeps it
    assert _slugs(bundled_index, "self reported cognitive problems") == [
        "cockshell-2014-cognitive-functioning"
    ]
    assert len(_slugs(bundled_index, "immune system problems")) == 10


def test_a_cell_marker_typed_without_its_plus(bundled_index: Path) -> None:
    assert _slugs(bundled_index, "cd8 t cells") == ["heng-2025-mapping-complexity"]
    assert _slugs(bundled_index, "IL 6") == _slugs(bundled_index, "IL-6")  # nothing else moves
