"""The benchmark's record generator: valid records, deterministic for a seed and a size."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from atlas_cli import cli
from bench.generate import WORDS_MAX, WORDS_MIN, generate, main, write_corpus
from search.markers import MarkerDictionary, fold


def test_every_generated_record_passes_index_check(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", size=400, seed=7)
    result = CliRunner().invoke(cli, ["index", "check", "--source", str(corpus)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[0] == (
        "400 valid record(s) in 1 file(s); 0 error(s), 0 warning(s)."
    )
    assert result.stdout.strip().splitlines()[1].startswith("Prose: 0 warning(s).")


def test_same_seed_and_size_give_the_same_bytes(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a.jsonl", size=120, seed=3).read_bytes()
    second = write_corpus(tmp_path / "b.jsonl", size=120, seed=3).read_bytes()
    other_seed = write_corpus(tmp_path / "c.jsonl", size=120, seed=4).read_bytes()
    assert first == second
    assert first != other_seed


def test_a_smaller_corpus_is_the_start_of_a_larger_one() -> None:
    assert list(generate(30, seed=5)) == list(generate(60, seed=5))[:30]


def test_prose_has_150_to_300_words() -> None:
    counts = [
        sum(len(r[k].split()) for k in ("summary", "significance", "limitations"))
        for r in generate(300, seed=1)
    ]
    assert min(counts) >= WORDS_MIN
    assert max(counts) <= WORDS_MAX
    assert max(counts) - min(counts) > 100  # lengths vary across the range


def test_markers_and_criteria_come_in_varied_spellings() -> None:
    records = list(generate(1500, seed=1))
    names = [m for r in records for m in r.get("markers", [])]
    tnf_spellings = {m for m in names if fold(m) in {"tnfalpha", "tnfa", "tnf"}}
    assert len(tnf_spellings) >= 3
    criteria = Counter(c for r in records for c in r.get("criteria", []))
    assert {"CCC", "Canadian Consensus Criteria"} <= set(criteria)
    assert any(c in criteria for c in ("CDC 1994", "CDC-1994", "Fukuda 1994"))


def test_marker_popularity_is_skewed() -> None:
    markers = MarkerDictionary.from_table()
    records = list(generate(2000, seed=1))
    counts = Counter(markers.key_of(m) for r in records for m in r.get("markers", []))
    ranked = [n for _, n in counts.most_common()]
    assert len(ranked) >= 250
    assert ranked[0] >= 200  # a few markers are in many studies (one in ten here)
    assert sum(1 for n in ranked if n <= 5) >= len(ranked) // 3  # many are in very few


def test_cli_writes_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "out" / "corpus.jsonl"
    assert main(["--size", "25", "--seed", "2", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(generate(25, seed=2))
