"""Snippets: matches marked, everything else escaped, accents and Greek letters folded."""

from __future__ import annotations

from search.analysis import name_terms, prose_terms
from search.highlight import Highlighter
from search.markers import MarkerDictionary

MARKERS = MarkerDictionary.from_table()


def highlighter(words: str = "", keys: tuple[str, ...] = ()) -> Highlighter:
    return Highlighter(set(prose_terms(words)), set(name_terms(words)), set(keys), MARKERS)


def test_marks_stemmed_and_folded_words_and_escapes_the_rest() -> None:
    text = "Hélène & <b>Müller</b> measured fatigue; fatigued patients"
    assert highlighter("helene muller fatigue").snippet([text]) == (
        "<mark>Hélène</mark> &amp; &lt;b&gt;<mark>Müller</mark>&lt;/b&gt; measured "
        "<mark>fatigue</mark>; <mark>fatigued</mark> patients"
    )


def test_marks_markers_in_any_spelling() -> None:
    text = "Plasma TNF alpha and IL-6 rose but IL-16 did not."
    html = highlighter(keys=("tnfalpha", "il6")).snippet([text])
    assert html == "Plasma <mark>TNF alpha</mark> and <mark>IL-6</mark> rose but IL-16 did not."


def test_first_text_with_a_match_is_used_and_long_texts_are_cut() -> None:
    long = "Nothing here. " * 10 + "The cytokine finding. " + "More words follow. " * 30
    html = highlighter("cytokine").snippet(["no match at all", long])
    assert "<mark>cytokine</mark>" in html
    assert html.startswith("… ")
    assert html.endswith(" …")
    assert len(html) < 320


def test_without_query_words_the_opening_is_shown_escaped() -> None:
    assert highlighter().snippet(["<script>x</script>"]) == "&lt;script&gt;x&lt;/script&gt;"


def test_snippets_escape_quotes_around_marks() -> None:
    html = highlighter("fatigue").snippet(["\"fatigue\" 'b'"])
    assert html == "&quot;<mark>fatigue</mark>&quot; &#x27;b&#x27;"


def test_words_with_letters_outside_ascii_are_found_however_they_are_written() -> None:
    html = highlighter("muller").snippet(["Müller, MÜLLER and Muller measured fatigue"])
    assert html.count("<mark>") == 3


def test_texts_whose_lower_case_is_longer_are_still_highlighted() -> None:
    # "İ" lower-cases to two characters, so offsets in the lowered text would drift
    html = highlighter("fatigue muller").snippet(["İstanbul: fatigue and Müller, FATIGUED"])
    assert html == "İstanbul: <mark>fatigue</mark> and <mark>Müller</mark>, <mark>FATIGUED</mark>"


def test_short_stems_find_the_longer_words_they_come_from() -> None:
    # "using" stems to "us": a whole-word search for "us" would miss it
    html = highlighter("using").snippet(["We are using it; its uses vary."])
    assert html == "We are <mark>using</mark> it; its <mark>uses</mark> vary."


def test_short_words_without_vowels_are_found_as_whole_words() -> None:
    html = highlighter("csf m").snippet(["CSF and CSFs of 5 m walks; csfx and mm are not."])
    assert html == (
        "<mark>CSF</mark> and <mark>CSFs</mark> of 5 <mark>m</mark> walks; csfx and mm are not."
    )
