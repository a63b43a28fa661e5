"""Index builds: atomic switch, kills at any moment, one build at a time, incremental updates."""

from __future__ import annotations

import functools
import json
import operator
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.build import BuildLocked, build, build_lock, corpus_markers, current_generation
from indexer.sources import load_records
from indexer.tables import TableInputs, build_tables, update_tables, word_counts
from search import open_atlas, parse
from search.settings import BUNDLED_STUDIES
from search.store.current import CURRENT_FILE
from search.store.tables import IndexTables, read_tables
from tests.conftest import DATA, SOURCES, copy_records

ROOT = Path(__file__).resolve().parent.parent

# Every warning the bundled corpus is expected to build with (none: its criteria are all known
# and its PEM badges agree with them). A new warning means a record or a rule changed.
EXPECTED_CORPUS_WARNINGS: list[str] = []


def many_records(path: Path, count: int) -> Path:
    """Write `count` distinct records (variations of the test records) to a JSON Lines file."""
    base = [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted((DATA / "studies").glob("*.json"))
    ]
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            record = dict(base[n % len(base)], slug=f"generated-{n:06d}", year=1990 + n % 30)
            record["summary"] = (record.get("summary", "") + f" Cohort {n} fatigue cytokine. ") * 4
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_build_writes_generation_and_metadata(fresh_index: Path) -> None:
    generation = current_generation(fresh_index)
    assert generation is not None
    meta = json.loads((generation / "meta.json").read_text())
    assert meta["records"] == 8
    assert meta["generation"] == generation.name
    assert meta["mode"] == "full"
    assert set(meta) >= {"built_at", "sources", "content_hash", "warnings", "seconds"}


def test_rebuilding_unchanged_records_is_a_no_op(fresh_index: Path) -> None:
    before = current_generation(fresh_index)
    report = build(fresh_index, SOURCES)
    assert report.status == "unchanged"
    assert current_generation(fresh_index) == before


def test_full_rebuild_makes_a_new_generation(fresh_index: Path) -> None:
    before = current_generation(fresh_index)
    report = build(fresh_index, SOURCES, full=True)
    assert report.status == "built"
    assert report.meta["mode"] == "full"
    assert current_generation(fresh_index) != before


def test_incremental_update_matches_a_full_build(tmp_path: Path) -> None:
    records = copy_records(tmp_path)
    index = tmp_path / "index"
    build(index, [records])
    changed = records / "mueller-2019-tnf-alpha-exercise.json"
    data = json.loads(changed.read_text(encoding="utf-8"))
    data["summary"] += " Also measured orexin in the hypothalamus."
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (records / "minimal-1998-record.json").unlink()
    (records / "new-2024-record.json").write_text(
        json.dumps(
            {
                "slug": "new-2024-record",
                "title": "Orexin and sleep",
                "authors": ["New, A"],
                "year": 2024,
            }
        )
    )
    report = build(index, [records])
    assert report.meta["mode"] == "incremental"
    assert (report.meta["added_or_changed"], report.meta["removed"]) == (2, 1)
    full = tmp_path / "full"
    build(full, [records])
    for query in ({"q": "orexin"}, {}, {"q": "TNF-α"}, {"q": "minimal"}, {"pem": "required"}):
        a = open_atlas(index).search(parse(query)).to_json()
        b = open_atlas(full).search(parse(query)).to_json()
        for result in (a, b):
            result.pop("generation")
            for hit in result["results"]:
                hit.pop("score")
        assert a == b, query


def _served_tables(index: Path) -> IndexTables:
    generation = current_generation(index)
    assert generation is not None
    return read_tables(generation)


def _tables_from_scratch(tables: IndexTables, sources: list[Path]) -> IndexTables:
    """Return build_tables over the records of the served index, laid out as `tables` is."""
    records = load_records(sources).records
    by_slug = {r["slug"]: r for r in records}
    records_by_doc = [by_slug[s] if s is not None else None for s in tables.slugs]
    markers, forms, labels = corpus_markers(records)
    return build_tables(
        TableInputs(
            tables.generation,
            records_by_doc,
            tables.offsets,
            markers,
            forms,
            labels,
            tables.field_lengths,
            word_counts(records),
        )
    )


def _by_slug(tables: IndexTables) -> dict[str, object]:
    """Return the tables with document numbers replaced by slugs (labels, which follow the
    document order, and offsets, which follow records.jsonl, left out)."""

    def slugs(bits: int) -> set[str | None]:
        return {s for d, s in enumerate(tables.slugs) if bits >> d & 1}

    live = [(d, s) for d, s in enumerate(tables.slugs) if s is not None]
    return {
        "rows": {s: tables.rows[d] for d, s in live},
        "all": slugs(tables.all_docs),
        "facets": {f: {k: slugs(b) for k, b in v.items()} for f, v in tables.facets.items()},
        "orders": {n: [tables.slugs[d] for d in o] for n, o in tables.orders.items()},
        "evidence": {k: {d: slugs(b) for d, b in v.items()} for k, v in tables.evidence.items()},
        "lengths": {n: {s: b[d] for d, s in live} for n, b in tables.field_lengths.items()},
        "rest": (tables.marker_forms, tables.marker_labels, tables.vocabulary),
    }


def test_incremental_builds_update_the_tables_as_a_rebuild_would(tmp_path: Path) -> None:
    records = copy_records(tmp_path)
    index = tmp_path / "index"
    build(index, [records])

    def edit(name: str, **changes: object) -> None:
        path = records / f"{name}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(dict(data, **changes), ensure_ascii=False), encoding="utf-8")

    # The newest record gives the topic its label "Immunology"; once it is re-indexed (last)
    # the next holder's spelling "immunology" must take over.
    edit("script-2021-escaping", summary="Changed. Interferon gamma was lower.")
    edit("il16-2012-csf-proteins", findings=[{"marker": "IL-16", "direction": "decreased"}])
    (records / "minimal-1998-record.json").unlink()
    edit("oxford-2005-cbt-trial", slug="new-2024-record", year=2024, topics=["IMMUNOLOGY"])
    (records / "oxford-2005-cbt-trial.json").rename(records / "new-2024-record.json")
    steps = [
        lambda: None,
        lambda: edit("roerink-2017-cytokine-signatures", markers=["IL-12p40"], year=2003),
        lambda: (records / "new-2024-record.json").unlink(),
    ]
    for step in steps:
        old = _served_tables(index)
        step()
        report = build(index, [records])
        assert report.meta["mode"] == "incremental"
        new = _served_tables(index)
        expected = _tables_from_scratch(new, [records])
        assert new == expected
        loaded = load_records([records]).records
        by_slug = {r["slug"]: r for r in loaded}
        layout = [by_slug[s] if s is not None else None for s in new.slugs]
        markers, forms, labels = corpus_markers(loaded)
        updated = update_tables(
            old,
            TableInputs(
                new.generation,
                layout,
                new.offsets,
                markers,
                forms,
                labels,
                new.field_lengths,
                new.vocabulary,
            ),
        )
        assert updated == expected
    assert _served_tables(index).facet_labels["topic"]["immunology"] == "immunology"
    build(tmp_path / "full", [records], full=True)
    assert _by_slug(_served_tables(index)) == _by_slug(_served_tables(tmp_path / "full"))


def test_invalid_records_leave_the_served_index_untouched(
    tmp_path: Path, fresh_index: Path
) -> None:
    before = current_generation(fresh_index)
    records = copy_records(tmp_path)
    (records / "bad.json").write_text('{"slug": "bad-2020", "title": "x"}', encoding="utf-8")
    report = build(fresh_index, [records])
    assert report.status == "invalid"
    assert current_generation(fresh_index) == before
    assert open_atlas(fresh_index).search(parse({})).total == 8


def test_skip_invalid_indexes_the_valid_records(tmp_path: Path) -> None:
    records = copy_records(tmp_path)
    (records / "bad.json").write_text('{"slug": "bad-2020", "title": "x"}', encoding="utf-8")
    report = build(tmp_path / "index", [records], skip_invalid=True)
    assert report.status == "built"
    assert report.meta["records"] == 6
    assert report.meta["skipped"] == 2


def test_a_second_build_is_refused_while_one_runs(fresh_index: Path) -> None:
    with build_lock(fresh_index):
        with pytest.raises(BuildLocked, match=r"another build of .* is running"):
            build(fresh_index, SOURCES, full=True)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "atlas_cli",
                "index",
                "build",
                "--full",
                "--index",
                str(fresh_index),
                *functools.reduce(operator.iadd, (["--source", str(s)] for s in SOURCES), []),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 75
        assert "another build" in done.stderr
        assert "Traceback" not in done.stderr
    assert build(fresh_index, SOURCES, full=True).status == "built"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("count", "kill_after"),
    [(600, 0.3), (600, 1.5), (1500, 0.3), (1500, 1.2), (1500, 2.5), (1500, 3.6)],
)
def test_killing_a_build_at_any_moment_keeps_the_old_index(
    tmp_path: Path, fresh_index: Path, count: int, kill_after: float
) -> None:
    # 600 records take the one-writer path, 1,500 the two-process one (see PARALLEL_FROM):
    # its second writer must stop with the build
    source = many_records(tmp_path / "many.jsonl", count)
    before = current_generation(fresh_index)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "atlas_cli",
            "index",
            "build",
            "--index",
            str(fresh_index),
            "--source",
            str(source),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    current = current_generation(fresh_index)
    # Either the old generation is still served, or the build had finished: never a broken one.
    atlas = open_atlas(fresh_index)
    total = atlas.search(parse({})).total
    assert (current == before and total == 8) or total == count
    # The next build cleans what the killed one left behind.
    report = build(fresh_index, SOURCES, full=True)
    assert report.status == "built"
    leftovers = [p.name for p in fresh_index.iterdir() if p.name.startswith(".build-")]
    assert leftovers == []
    assert open_atlas(fresh_index).search(parse({})).total == 8


def test_only_current_and_previous_generations_are_kept(fresh_index: Path) -> None:
    for _ in range(3):
        build(fresh_index, SOURCES, full=True)
    generations = sorted(p.name for p in fresh_index.iterdir() if p.name.startswith("gen-"))
    assert len(generations) == 2
    assert (fresh_index / CURRENT_FILE).read_text().strip() == generations[-1]


def test_bundled_corpus_builds_cleanly(tmp_path: Path) -> None:
    report = build(tmp_path / "index", [BUNDLED_STUDIES])
    assert report.status == "built"
    assert [str(p) for p in report.load.problems] == EXPECTED_CORPUS_WARNINGS
    records = sorted(BUNDLED_STUDIES.glob("*.json"))
    assert report.meta["records"] == len(records) >= 98
    for path in records:
        record = json.loads(path.read_text(encoding="utf-8"))
        for field in ("summary", "significance", "limitations"):
            assert record.get(field, "").strip(), (path.name, field)
    atlas = open_atlas(tmp_path / "index")
    hits = atlas.search(parse({"q": "IL-12p40"})).hits
    assert hits[0].slug == "roerink-2017-cytokine-signatures"


def test_bundled_records_keep_the_given_facts() -> None:
    shared = ROOT.parent / "shared" / "studies"
    if not shared.is_dir():
        pytest.skip("../shared/studies is not beside this checkout")
    for source in sorted(shared.glob("*.json")):
        facts = json.loads(source.read_text(encoding="utf-8"))
        ours = json.loads((BUNDLED_STUDIES / source.name).read_text(encoding="utf-8"))
        assert {k: ours.get(k) for k in facts} == facts, source.name


def test_an_index_of_another_format_is_refused_clearly_and_rebuilt(fresh_index: Path) -> None:
    from search import IndexUnavailable
    from search.store.meta import META_FILE

    generation = current_generation(fresh_index)
    assert generation is not None
    meta = json.loads((generation / META_FILE).read_text())
    (generation / META_FILE).write_text(json.dumps({**meta, "format": 1}))
    with pytest.raises(IndexUnavailable, match="rebuild it with `atlas index build`"):
        open_atlas(fresh_index)
    report = build(fresh_index, SOURCES)
    assert report.status == "built"
    assert report.meta["mode"] == "full"
    assert open_atlas(fresh_index).search(parse({})).total == 8


def _two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make builds take the two-writer path whatever this machine has (it forks either way;
    on one core the writers take turns)."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


@pytest.mark.slow
def test_large_full_builds_use_two_writers_and_keep_the_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.build import PARALLEL_FROM

    _two_cores(monkeypatch)
    source = many_records(tmp_path / "many.jsonl", PARALLEL_FROM + 100)
    assert build(tmp_path / "index", [source]).status == "built"
    atlas = open_atlas(tmp_path / "index")
    generation = atlas.current()
    assert len(list(generation.searcher.reader().leaf_readers())) == 2
    result = atlas.search(parse({"per_page": "100", "page": "11"}))
    assert result.total == PARALLEL_FROM + 100
    years = [h.year for h in result.hits]
    assert years == sorted(years, reverse=True)
    assert atlas.search(parse({"q": "cytokine"})).total > 0


def _check_kept_postings(index: Path) -> int:
    """Assert the build's postings arrays equal Whoosh's own for every term; return terms."""
    generation = open_atlas(index).current()  # kept: its searcher closes with it
    scorer = generation.scorer
    assert scorer.kept is not None
    assert len(scorer.kept) == len(scorer.leaves)
    reader = scorer.searcher.reader()
    checked = 0
    for fieldname, term in reader.all_terms():
        text = scorer.searcher.schema[fieldname].from_bytes(term)
        kept_ids, kept_weights = scorer._kept_postings(fieldname, text)
        ids, weights = scorer._whoosh_postings(fieldname, text)
        # deleted documents may stay in either list: searches mask them out
        kept_live, live = scorer.live[kept_ids], scorer.live[ids]
        assert kept_ids[kept_live].tolist() == ids[live].tolist(), (fieldname, text)
        assert kept_weights[kept_live].tolist() == weights[live].tolist(), (fieldname, text)
        checked += 1
    return checked


def test_kept_postings_equal_whooshs_after_full_and_incremental_builds(tmp_path: Path) -> None:
    records = copy_records(tmp_path)
    index = tmp_path / "index"
    build(index, [records])
    assert _check_kept_postings(index) > 150
    changed = records / "mueller-2019-tnf-alpha-exercise.json"
    data = json.loads(changed.read_text(encoding="utf-8"))
    data["summary"] += " Orexin was measured too."
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (records / "minimal-1998-record.json").unlink()
    report = build(index, [records])
    assert report.meta["mode"] == "incremental"
    assert report.meta["segments"] == 2
    assert _check_kept_postings(index) > 150


def test_kept_postings_of_a_two_writer_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_cores(monkeypatch)
    source = many_records(tmp_path / "many.jsonl", 2100)
    build(tmp_path / "index", [source])
    assert open_atlas(tmp_path / "index").current().meta["segments"] == 2
    assert _check_kept_postings(tmp_path / "index") > 100


def test_a_small_writer_memory_spills_to_disk_and_builds_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.writing import PostingPool

    source = many_records(tmp_path / "many.jsonl", 400)
    build(tmp_path / "roomy", [source])
    spills = []
    save = PostingPool.save
    monkeypatch.setattr(PostingPool, "save", lambda pool: spills.append(1) or save(pool))
    monkeypatch.setenv("ATLAS_BUILD_MEMORY_MB", "1")
    small = tmp_path / "small"
    assert build(small, [source]).ok
    assert spills  # the pool went to disk at least once
    assert _check_kept_postings(small) > 100
    for query in ({"q": "fatigue"}, {"q": '"heart rate"'}, {}):
        a = open_atlas(tmp_path / "roomy").search(parse(query)).to_json()
        b = open_atlas(small).search(parse(query)).to_json()
        a.pop("generation"), b.pop("generation")
        assert a == b


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1.5"])
def test_a_bad_writer_memory_setting_is_refused_before_any_work(
    fresh_index: Path, value: str
) -> None:
    before = current_generation(fresh_index)
    command = [
        sys.executable,
        "-m",
        "atlas_cli",
        "index",
        "build",
        "--full",
        "--index",
        str(fresh_index),
        "--source",
        str(SOURCES[0]),
    ]
    environment = {**os.environ, "ATLAS_BUILD_MEMORY_MB": value}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment)
    assert done.returncode == 1
    assert "ATLAS_BUILD_MEMORY_MB must be a whole number" in done.stderr
    assert "Traceback" not in done.stderr
    assert current_generation(fresh_index) == before
