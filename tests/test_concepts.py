"""The concept thesaurus: its file, both directions of abbreviations, one way for plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.analysis import prose_terms
from search.concepts import Thesaurus, read_concepts, thesaurus
from search.reader import _table_markers


def key(text: str) -> tuple[str, ...]:
    return tuple(prose_terms(text))


def test_every_concept_has_names_expansions_and_a_source() -> None:
    concepts = read_concepts()
    assert len(concepts) >= 150
    for concept in concepts:
        assert concept.names, concept
        assert concept.expansions, concept
        assert concept.source, concept


def test_no_concept_is_a_marker_name() -> None:
    markers = _table_markers()
    from search.markers import fold

    clashes = [n for c in read_concepts() for n in c.names if fold(n) in markers.forms]
    assert clashes == []


def test_abbreviations_go_both_ways_and_plain_words_one_way() -> None:
    t = thesaurus()
    assert "orthostatic intolerance" in t.expansions[key("OI")]
    assert "OI" in t.expansions[key("orthostatic intolerance")]
    assert "cognitive impairment" in t.expansions[key("brain fog")]
    assert key("cognitive impairment") not in t.expansions


def test_the_longest_concept_wins_and_stop_words_inside_are_skipped() -> None:
    t = thesaurus()
    words = [key(w) for w in ["blood", "flow", "to", "the", "brain"]]
    end, expansions = t.longest(words, 0)
    assert end == 5
    assert "cerebral blood flow" in expansions


def test_a_malformed_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "concepts.tsv"
    path.write_text("# comment\nabbr\tOI\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_concepts(path)


def test_a_thesaurus_from_rows() -> None:
    from search.concepts import Concept

    t = Thesaurus.from_concepts([Concept("lay", ("tummy",), ("gastrointestinal",), "test")])
    assert t.expansions == {("tummi",): ("gastrointestinal",)}


def test_abbreviations_that_are_words_expand_only_in_capitals() -> None:
    t = thesaurus()
    assert t.longest([key("GET")], 0, ["GET"])[1] == ("graded exercise therapy",)
    assert t.longest([key("get")], 0, ["get"]) == (0, ())
    assert t.longest([key("cpet")], 0, ["cpet"])[0] == 1  # not a word: any case
