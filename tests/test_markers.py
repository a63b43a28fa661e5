"""Marker names: folding, synonyms, names kept apart, and mentions found in prose."""

from __future__ import annotations

import pytest

from search.markers import MarkerDictionary, find_mentions, fold, mention_keys

TABLE = MarkerDictionary.from_table()


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (["IL-12p40", "IL12p40", "IL-12 p40", "IL12B", "IL-12/23p40", "il-12P40"], "il12p40"),
        (
            ["TNF-α", "TNF-alpha", "TNFa", "TNF alpha", "TNFα", "tumour necrosis factor alpha"],
            "tnfalpha",
        ),
        (["IFN-γ", "IFN-gamma", "interferon gamma", "IFNG"], "ifngamma"),
        (["TGF-β", "TGF-beta", "TGF-β1"], "tgfbeta"),
        (["CSF-1", "M-CSF", "MCSF", "CSF1"], "csf1"),
        (["IL-1Ra", "IL1RN", "IL-1 receptor antagonist"], "il1ra"),
        (["VO2peak", "VO₂peak", "peak VO2"], "vo2peak"),
    ],
)
def test_synonyms_share_one_key(names: list[str], key: str) -> None:
    assert {TABLE.key_of(n) for n in names} == {key}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("IL-12p40", "IL-12p70"),
        ("IL-12p40", "IL-23"),
        ("TNF-α", "TNF-β"),
        ("TGF-α", "TGF-β"),
        ("IL-6", "IL-16"),
        ("IL-1α", "IL-1β"),
        ("IFN-γ", "IFN-α"),
    ],
)
def test_names_kept_apart(a: str, b: str) -> None:
    assert TABLE.key_of(a) != TABLE.key_of(b)


def test_fold_handles_case_accents_greek_and_separators() -> None:
    assert fold("TNF-α") == "tnfalpha"
    assert fold("Müller") == "muller"
    assert fold("IL-12 / 23 p40") == "il1223p40"


def mentions(text: str) -> list[tuple[str, str]]:
    return [(m.key, text[m.start : m.end]) for m in find_mentions(text, TABLE)]


def test_mentions_in_prose_including_names_spread_over_two_words() -> None:
    text = "Plasma IL-12 p40 and TNF alpha rose, IL-6 (not IL-16) fell; IFN-γ and CD56 cells."
    assert mentions(text) == [
        ("il12p40", "IL-12 p40"),
        ("tnfalpha", "TNF alpha"),
        ("il6", "IL-6"),
        ("il16", "IL-16"),
        ("ifngamma", "IFN-γ"),
        ("cd56", "CD56"),
    ]


@pytest.mark.parametrize("text", ["CSF lactate was high", "p40 alone", "MIG", "SCF levels", "TRAP"])
def test_ambiguous_bare_forms_are_not_markers_in_prose(text: str) -> None:
    assert mentions(text) == []


def test_corpus_markers_extend_the_table() -> None:
    markers = MarkerDictionary.from_table()
    key = markers.add_corpus_marker("Heart rate variability")
    assert key == "heartratevariability"
    assert mentions_with(markers, "low heart rate variability at rest") == [key]


def mentions_with(markers: MarkerDictionary, text: str) -> list[str]:
    return [m.key for m in find_mentions(text, markers)]


@pytest.mark.parametrize(
    "text",
    [
        "Plasma IL-12 p40 and TNF alpha rose, IL-6 (not IL-16) fell; IFN-γ and CD56 cells.",
        "CSF lactate; p40 alone; IL 6 and IL-1 β; interferon gamma; VO2 peak; CD4+ cells",
        "tumour necrosis factor alpha and granulocyte-macrophage colony-stimulating factor",
    ],
)
def test_mention_keys_agrees_with_find_mentions(text: str) -> None:
    assert mention_keys(text, TABLE) == {m.key for m in find_mentions(text, TABLE)}


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("interleukin 1 beta", "IL-1β"),
        ("interleukin-1β", "IL1B"),
        ("monocyte chemoattractant protein 1", "MCP-1"),
        ("monocyte chemoattractant protein-1", "CCL2"),
        ("tumour necrosis factor alpha", "TNF-α"),
        ("transforming growth factor beta", "TGF-β"),
        ("interleukin 12 p40", "IL-12p40"),
        ("toll-like receptor 4", "TLR4"),
        ("catechol-O-methyltransferase", "COMT"),
        ("maximal oxygen uptake", "VO2max"),
        ("peak oxygen uptake", "VO2peak"),
        ("MCP-1 (MCAF)", "MCP-1"),
    ],
)
def test_full_marker_names_have_the_key_of_the_marker(full: str, short: str) -> None:
    markers = MarkerDictionary.from_table()
    assert markers.key_of(full) == markers.key_of(short)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("IL-6", "IL-16"),
        ("interleukin 6", "interleukin 16"),
        ("VO2max", "VO2peak"),
        ("TLR3", "TLR4"),
    ],
)
def test_full_names_keep_markers_apart(one: str, other: str) -> None:
    markers = MarkerDictionary.from_table()
    assert markers.key_of(one) != markers.key_of(other)
