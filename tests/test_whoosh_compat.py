"""Probes of the Whoosh internals in search/whoosh_compat.py: each use agrees with Whoosh's
public answers on a real index, and a Whoosh without one fails at open and build, loudly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3
from whoosh.formats import Positions
from whoosh.util.numeric import length_to_byte
from whoosh.writing import CLEAR, SegmentWriter

from atlas_cli import cli
from indexer.build import BuildError, build, current_generation
from search import open_atlas
from search import whoosh_compat as compat
from search.engine import IndexUnavailable
from search.schema import SCORED_FIELDS, index_schema
from search.store import WHOOSH_DIR
from tests.conftest import SOURCES


@pytest.fixture(scope="module")
def reader(index_dir: Path) -> Iterator[Any]:
    generation = current_generation(index_dir)
    assert generation is not None
    ix = whoosh_index.open_dir(str(generation / WHOOSH_DIR))
    with ix.reader() as opened:
        yield opened
    ix.close()


def _leaves(reader: Any) -> list[Any]:
    return [leaf for leaf, _ in reader.leaf_readers()]


def _terms(reader: Any, fieldname: str) -> list[str]:
    return [text for text in reader.field_terms(fieldname)]


def test_this_whoosh_passes_every_probe() -> None:
    assert compat.problems() == []
    compat.check()


def test_length_bytes_are_whooshs_field_lengths(reader: Any) -> None:
    for leaf in _leaves(reader):
        for name in SCORED_FIELDS:
            expected = bytes(
                length_to_byte(leaf.doc_field_length(d, name, 0))
                for d in range(leaf.doc_count_all())
            )
            assert compat.length_bytes(leaf, name) == expected, name
    assert any(compat.length_bytes(leaf, "body").strip(b"\0") for leaf in _leaves(reader))


def test_posting_blocks_are_whooshs_postings(reader: Any) -> None:
    checked = 0
    for leaf in _leaves(reader):
        for name in ("body", "marker", "slug"):
            for text in _terms(leaf, name):
                ids: list[int] = []
                weights: list[float] = []
                for block_ids, block_weights in compat.posting_blocks(leaf.postings(name, text)):
                    ids += block_ids
                    weights += block_weights
                public = leaf.postings(name, text)
                expected = []
                while public.is_active():
                    expected.append((public.id(), public.weight()))
                    public.next()
                assert list(zip(ids, weights, strict=True)) == expected, (name, text)
                checked += 1
    assert checked > 50


def test_position_blocks_and_decoder_are_whooshs_positions(reader: Any) -> None:
    checked = 0
    for leaf in _leaves(reader):
        decode = compat.position_decoder(leaf.schema["body"].format)
        for text in _terms(leaf, "body"):
            found = [
                (docnum, decode(value))
                for pairs in compat.position_blocks(leaf.postings("body", text))
                for docnum, value in pairs
            ]
            public = leaf.postings("body", text)
            expected = []
            while public.is_active():
                expected.append((public.id(), public.value_as("positions")))
                public.next()
            assert found == expected, text
            checked += 1
    assert checked > 50


def test_the_index_schema_writes_whooshs_positions_values() -> None:
    fmt = index_schema()["title"].format
    analyzer = index_schema()["title"].analyzer
    text = "Cytokines after exercise: cytokine networks and exercise"
    assert sorted(fmt.word_values(text, analyzer)) == sorted(
        Positions.word_values(fmt, text, analyzer)
    )


def _write(directory: Path, slugs: list[str], kept: list[Any], segments: list[str]) -> None:
    ix = whoosh_index.create_in(str(directory), index_schema())

    def keep(postings: compat.Postings, segment: str) -> compat.Postings:
        segments.append(segment)
        for item in postings:
            kept.append(item)
            yield item

    writer = compat.segment_writer(ix, keep, limitmb=16)
    for n, slug in enumerate(slugs):
        writer.add_document(slug=slug, title=f"cytokine study {n}", body="fatigue " * (n + 1))
    writer.commit(mergetype=CLEAR)
    ix.close()


def test_segment_writer_passes_on_every_posting_it_writes(tmp_path: Path) -> None:
    kept: list[Any] = []
    segments: list[str] = []
    _write(tmp_path, ["a", "b", "c"], kept, segments)
    ix = whoosh_index.open_dir(str(tmp_path))
    with ix.reader() as opened:
        public = sorted((f, t, d, w) for f, t, d, w, _ in opened.iter_postings())
        (leaf,) = _leaves(opened)
        assert segments == [compat.segment_id(leaf)]
        assert any(p.name.startswith(f"{segments[0]}.") for p in tmp_path.iterdir())
        assert [opened.doc_field_length(d, "body") for d in range(3)] == [1, 2, 3]
    ix.close()
    assert sorted((f, t, d, w) for f, t, d, w, _ in kept) == public
    assert len(public) > 10


def test_join_segments_lists_both_writers_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    _write(first, ["a", "b"], [], [])
    _write(second, ["c", "d", "e"], [], [])
    compat.join_segments(first, second)
    ix = whoosh_index.open_dir(str(first))
    with ix.searcher() as searcher:
        assert [searcher.stored_fields(d)["slug"] for d in range(5)] == ["a", "b", "c", "d", "e"]
        assert len(list(searcher.reader().leaf_readers())) == 2
        assert len(list(searcher.documents())) == 5
    ix.close()
    assert len(list(first.glob("*.toc"))) == 1


@pytest.fixture
def broken_whoosh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Whoosh whose postings matcher no longer reads whole blocks."""
    monkeypatch.delattr(whoosh3.W3LeafMatcher, "_next_block")
    compat._checked.cache_clear()
    yield
    compat._checked.cache_clear()


def test_a_whoosh_without_an_internal_fails_at_open(broken_whoosh: None, index_dir: Path) -> None:
    with pytest.raises(IndexUnavailable, match=r"whoosh-reloaded>=2\.7\.5,<2\.8.*whole blocks"):
        open_atlas(index_dir)


def test_a_whoosh_without_an_internal_fails_at_build(broken_whoosh: None, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not one this version of the atlas works with"):
        build(tmp_path / "index", SOURCES)
    assert not (tmp_path / "index").exists()


def test_the_cli_reports_an_incompatible_whoosh(
    broken_whoosh: None, runner: Any, tmp_path: Path
) -> None:
    source = str(SOURCES[0])
    result = runner.invoke(cli, ["index", "build", "--source", source, "--index", str(tmp_path)])
    assert result.exit_code == 1
    assert "whoosh-reloaded>=2.7.5,<2.8" in result.output
    assert "Traceback" not in result.output


def test_a_changed_flush_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(SegmentWriter, "_flush_segment")
    try:
        assert any("_flush_segment" in p for p in compat.problems())
    finally:
        compat._checked.cache_clear()
