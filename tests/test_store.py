"""The store codecs: each file of a generation reads back what was written, and loading runs
nothing from disk (no pickles)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.build import build, current_generation
from search import open_atlas
from search.engine import IndexUnavailable
from search.store import INDEX_FORMAT, POSTINGS_DIR, WHOOSH_DIR
from search.store.current import read_current, write_current
from search.store.meta import read_meta
from search.store.postings import PostingsWriter, SegmentPostings, has_segment
from search.store.records import read_records, write_records
from search.store.snippets import SnippetsReader, encode_line, read_lines, write_snippets
from search.store.tables import BINARY_FILE, TABLES_FILE, read_tables, write_tables
from tests.conftest import SOURCES

GENERATION_FILES = {
    "digests.json",
    "hashes.json",
    "meta.json",
    "postings",
    "records.jsonl",
    "snippets.idx",
    "snippets.txt",
    "tables.json",
    "tables.bin",
    "whoosh",
}


def _generation(index_dir: Path) -> Path:
    generation = current_generation(index_dir)
    assert generation is not None
    return generation


def test_a_generation_holds_exactly_the_codecs_files(index_dir: Path) -> None:
    generation = _generation(index_dir)
    assert {p.name for p in generation.iterdir()} == GENERATION_FILES
    assert read_meta(generation)["format"] == INDEX_FORMAT
    assert read_current(index_dir) == generation.name


def test_tables_read_back_as_written(index_dir: Path, tmp_path: Path) -> None:
    tables = read_tables(_generation(index_dir))
    write_tables(tmp_path, tables)
    assert read_tables(tmp_path) == tables
    assert tables.all_docs.bit_count() == 8
    assert len(tables.slugs) == tables.doc_count


@pytest.mark.parametrize("damage", ["cut", "section"])
def test_damaged_tables_are_refused(index_dir: Path, tmp_path: Path, damage: str) -> None:
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    generation = _generation(index)
    if damage == "cut":
        data = (generation / BINARY_FILE).read_bytes()
        (generation / BINARY_FILE).write_bytes(data[: len(data) - 3])
    else:
        text = json.loads((generation / TABLES_FILE).read_text(encoding="utf-8"))
        text["sections"]["rows"] = [0, 10**9]
        (generation / TABLES_FILE).write_text(json.dumps(text), encoding="utf-8")
    with pytest.raises(ValueError, match="tables"):
        read_tables(generation)
    with pytest.raises(IndexUnavailable):
        open_atlas(index)


def test_no_file_of_a_generation_is_a_pickle(index_dir: Path) -> None:
    generation = _generation(index_dir)
    ours = [p for p in generation.rglob("*") if p.is_file() and WHOOSH_DIR not in p.parts]
    assert len(ours) > 8
    for path in ours:
        data = path.read_bytes()
        if path.suffix in (".json", ".jsonl", ".terms"):
            json.loads(data) if path.suffix != ".jsonl" else [
                json.loads(x) for x in data.splitlines()
            ]
        elif path.suffix in (".txt",):
            data.decode("utf-8")
        else:  # binary: our own layouts, which nothing unpickles
            assert path.suffix in (".bin", ".idx", ".ids", ".weights", ".starts"), path.name


def test_records_read_back_as_written(tmp_path: Path) -> None:
    records = [{"slug": "a", "title": "Ünïcode α"}, {"slug": "b", "title": "two"}]
    offsets = write_records(tmp_path, records, {"b": b'{"slug":"b","kept":true}'})
    assert list(read_records(tmp_path)) == [
        (records[0], json.dumps(records[0], ensure_ascii=False, separators=(",", ":")).encode()),
        ({"slug": "b", "kept": True}, b'{"slug":"b","kept":true}'),
    ]
    assert offsets["b"][0] == offsets["a"][1] + 1


def test_snippets_read_back_as_written(tmp_path: Path) -> None:
    line = encode_line("a", ["one\ntwo", "α\x1fβ", "", "title"], [[1, 0, 1, "k"]])
    write_snippets(tmp_path, ["a", None, "b"], {"a": line}, lambda slug: encode_line(slug, [], []))
    reader = SnippetsReader(tmp_path, 3)
    assert reader.texts(0) == (["one two", "α β", "", "title"], '[[1,0,1,"k"]]')
    assert reader.texts(2) == ([""], "[]")
    assert set(read_lines(tmp_path)) == {"a", "b"}
    with pytest.raises(ValueError, match="do not match its documents"):
        SnippetsReader(tmp_path, 4)


def test_postings_read_back_as_written(tmp_path: Path) -> None:
    writer = PostingsWriter()
    postings = [
        ("body", b"a", 0, 1.0, b""),
        ("body", b"a", 3, 2.0, b""),
        ("body", "é".encode(), 1, 1.0, b""),
        ("title", b"\xff", 2, 0.5, b""),
    ]
    assert list(writer.passing(iter(postings))) == postings
    assert not has_segment(tmp_path, "s1")
    writer.write(tmp_path, "s1")
    assert has_segment(tmp_path, "s1")
    segment = SegmentPostings(tmp_path, "s1")
    found = {key: segment.get(*key) for key in [("body", b"a"), ("title", b"\xff")]}
    assert [(ids.tolist(), w.tolist()) for ids, w in found.values()] == [
        ([0, 3], [1.0, 2.0]),
        ([2], [0.5]),
    ]
    assert segment.get("body", b"b") is None
    assert segment.get("title", b"a") is None
    assert ("title", b"\xff") in segment.terms
    assert ("title", b"a") not in segment.terms
    assert list(segment.terms) == [("body", b"a"), ("body", "é".encode()), ("title", b"\xff")]


def test_current_names_the_written_generation(tmp_path: Path) -> None:
    assert read_current(tmp_path) is None
    write_current(tmp_path, "gen-x")
    assert read_current(tmp_path) == "gen-x"
    (tmp_path / "CURRENT").write_text("../elsewhere")
    assert read_current(tmp_path) is None


def test_an_older_format_is_rebuilt(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build(index, SOURCES)
    generation = _generation(index)
    meta = read_meta(generation)
    (generation / "meta.json").write_text(json.dumps(dict(meta, format=INDEX_FORMAT - 1)))
    with pytest.raises(IndexUnavailable, match="another version"):
        open_atlas(index)
    report = build(index, SOURCES)
    assert report.status == "built"
    assert report.meta["mode"] == "full"
    assert open_atlas(index).current().meta["format"] == INDEX_FORMAT
    assert {p.name for p in (_generation(index) / WHOOSH_DIR).iterdir()}
    assert any((_generation(index) / POSTINGS_DIR).iterdir())


def test_updated_rows_keep_the_stored_rows_and_replace_the_changed(
    index_dir: Path, tmp_path: Path
) -> None:
    from search.store.tables import LazyRows, updated_rows

    rows = read_tables(_generation(index_dir)).rows
    assert isinstance(rows, LazyRows)
    changes = {1: None, len(rows) + 1: {"slug": "new", "title": "Ω"}}
    updated = updated_rows(rows, changes, len(rows) + 2)
    expected = [*list(rows), None, changes[len(rows) + 1]]
    expected[1] = None
    assert isinstance(updated, LazyRows)
    assert list(updated) == expected
    assert updated_rows(list(rows), changes, len(rows) + 2) == expected
    fresh = LazyRows(*updated.encoded())
    assert list(fresh) == expected
