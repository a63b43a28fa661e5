"""BibTeX that real parsers read back as written: pybtex and bibtexparser, the bundled corpus and
hostile records (issue #14, item 6)."""

from __future__ import annotations

from typing import Any

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string as pybtex_parse
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from citations import bibtex, link_url
from citations.bibtex_writer import verbatim_value
from citations.styles import CSL_DIR, STYLES, styled_citations
from indexer.sources import load_records
from search.settings import BUNDLED_STUDIES
from tests.conftest import SOURCES

# pylatexenc lacks the text-mode macros a brace and a caret are written with; LaTeX has them.
_LATEX = get_default_latex_context_db()
_LATEX.add_context_category(
    "latex-text-symbols",
    prepend=True,
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"),
    ],
)
_DECODER = LatexNodes2Text(latex_context=_LATEX)

HOSTILE: list[dict[str, Any]] = [
    {
        "slug": "hostile-2020-braces",
        "title": '50% of {braces} } & {{ $money_# ~ ^ \\ "quoted" @here',
        "authors": ["O'Brien, {Seán}", "Group } and { Co", "Smith and Sons, Ltd", "Dupont, J.-P."],
        "journal": "Cells & Molecules {Weird}",
        "year": 2020,
        "doi": "10.1000/a_b%c{d}\\e",
        "pmid": "1",
        "retracted": True,
    },
    {
        "slug": "hostile-2021-url",
        "title": "A title\nover lines\twith tabs",
        "authors": ["The ME/CFS Study Group"],
        "year": 2021,
        "doi": "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O",
        "url": "https://example.org/a_b?c=1&d={e}#f%20g",
    },
]


def _text(value: str) -> str:
    return " ".join(_DECODER.latex_to_text(value).split())


def _records() -> list[dict[str, Any]]:
    records = []
    for sources in ([BUNDLED_STUDIES], SOURCES):  # the fixtures reuse some bundled slugs
        loaded = load_records(sources)
        assert loaded.records
        assert not [p for p in loaded.problems if not p.is_warning]
        records += [{**r, "slug": f"{r['slug']}-{len(records)}"} for r in loaded.records]
    return [*records, *HOSTILE]


def _expected(record: dict[str, Any]) -> dict[str, Any]:
    notes = ([f"PubMed: {record['pmid']}"] if record.get("pmid") else []) + (
        ["Retracted"] if record.get("retracted") else []
    )
    url = link_url(record)
    return {
        "title": " ".join(record["title"].split()),
        "authors": [" ".join(a.split()) for a in record["authors"]],
        "journal": record.get("journal"),
        "year": str(record["year"]),
        "doi": verbatim_value(record["doi"]) if record.get("doi") else None,
        "url": verbatim_value(url) if url else None,
        "note": ". ".join(notes) or None,
    }


@pytest.fixture(scope="module")
def records_and_text() -> tuple[list[dict[str, Any]], str]:
    records = _records()
    return records, "\n".join(bibtex(r) for r in records)


def test_pybtex_reads_back_every_entry_as_written(
    records_and_text: tuple[list[dict[str, Any]], str],
) -> None:
    records, text = records_and_text
    database = pybtex_parse(text, "bibtex")  # one bad entry would fail the whole file
    assert list(database.entries) == [f"mecfsatlas-{r['slug']}" for r in records]
    for record in records:
        entry = database.entries[f"mecfsatlas-{record['slug']}"]
        fields = entry.fields
        got = {
            "title": _text(fields["title"]),
            "authors": [_text(str(p)) for p in entry.persons["author"]],
            "journal": _text(fields["journal"]) if "journal" in fields else None,
            "year": fields["year"],
            "doi": fields.get("doi"),
            "url": fields.get("url"),
            "note": _text(fields["note"]) if "note" in fields else None,
        }
        assert got == _expected(record), record["slug"]


def test_bibtexparser_reads_back_every_entry_as_written(
    records_and_text: tuple[list[dict[str, Any]], str],
) -> None:
    records, text = records_and_text
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [f"mecfsatlas-{r['slug']}" for r in records]
    for record, entry in zip(records, library.entries, strict=True):
        fields = {f.key: f.value for f in entry.fields}
        got = {
            "title": _text(fields["title"]),
            "authors": [_text(a) for a in _split_authors(fields["author"])],
            "journal": _text(fields["journal"]) if "journal" in fields else None,
            "year": fields["year"],
            "doi": fields.get("doi"),
            "url": fields.get("url"),
            "note": _text(fields["note"]) if "note" in fields else None,
        }
        assert got == _expected(record), record["slug"]
        assert entry.entry_type == ("article" if record.get("journal") else "misc")


def _split_authors(value: str) -> list[str]:
    """Split an author field on " and " at brace depth 0, as BibTeX does."""
    names, depth, start, i = [], 0, 0, 0
    while i < len(value):
        ch = value[i]
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and value.startswith(" and ", i):
            names.append(value[start:i])
            start = i = i + len(" and ")
            continue
        i += 1
    return [*names, value[start:]]


def test_doi_and_url_carry_no_latex_escapes() -> None:
    entry = bibtex(HOSTILE[1])
    assert "  doi = {10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O},\n" in entry
    assert "  url = {https://example.org/a_b?c=1&d=%7Be%7D#f%20g}\n" in entry
    assert "  author = {{The ME/CFS Study Group}},\n" in entry


# ---- citation styles (CSL) ---------------------------------------------------------------------

ROERINK_RECORD: dict[str, Any] = {
    "slug": "roerink-2017-cytokine-signatures",
    "title": "Cytokine signatures in chronic fatigue syndrome patients: a Case Control Study "
    "and the effect of anakinra treatment",
    "authors": ["Roerink, Megan E", "Knoop, Hans", "Bronkhorst, Ewald M", "van der Meer, Jos W M"],
    "year": 2017,
    "journal": "Journal of translational medicine",
    "doi": "10.1186/s12967-017-1371-9",
    "pmid": "29284500",
}
TITLE = ROERINK_RECORD["title"]


def test_the_four_styles_whole_values() -> None:
    assert {c.style.id: c.text for c in styled_citations(ROERINK_RECORD)} == {
        "apa": "Roerink, M. E., Knoop, H., Bronkhorst, E. M., & van der Meer, J. W. M. (2017). "
        f"{TITLE}. Journal of Translational Medicine. https://doi.org/10.1186/s12967-017-1371-9",
        "vancouver": "Roerink ME, Knoop H, Bronkhorst EM, van der Meer JWM. "
        f"{TITLE}. Journal of translational medicine. 2017. doi:10.1186/s12967-017-1371-9 "
        "PubMed PMID: 29284500.",
        "ama": "Roerink ME, Knoop H, Bronkhorst EM, van der Meer JWM. "
        f"{TITLE}. Journal of translational medicine. 2017. doi:10.1186/s12967-017-1371-9",
        "harvard": f"Roerink, M.E. et al. (2017) “{TITLE}”, Journal of translational medicine. "
        "Available at: https://doi.org/10.1186/s12967-017-1371-9.",
    }


@pytest.mark.parametrize(
    "record", [*HOSTILE, {"slug": "g-1", "title": "T", "authors": ["Group"], "year": 1999}]
)
def test_styles_render_hostile_and_minimal_records_as_plain_text(record: dict[str, Any]) -> None:
    for citation in styled_citations(record):
        assert citation.text
        assert "\n" not in citation.text
        assert " ".join(record["title"].split()) in citation.text


def test_every_shipped_style_is_attributed() -> None:
    notice = (CSL_DIR / "README.md").read_text(encoding="utf-8")
    assert "Creative Commons Attribution-ShareAlike 3.0" in notice
    shipped = sorted(p.name for p in CSL_DIR.glob("*.csl"))
    assert shipped == sorted(s.filename for s in STYLES)
    assert all(f"`{name}`" in notice for name in shipped)


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(min_size=1, max_size=60),
    authors=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=8),
    journal=st.none() | st.text(max_size=30),
    doi=st.none() | st.text(min_size=1, max_size=30).map(lambda s: "10." + s),
)
def test_any_record_renders_in_every_style_and_parses_as_bibtex(
    title: str, authors: list[str], journal: str | None, doi: str | None
) -> None:
    record = {"slug": "any-2000-x", "title": title, "authors": authors, "year": 2000}
    if journal:
        record["journal"] = journal
    if doi:
        record["doi"] = doi
    assert len(styled_citations(record)) == len(STYLES)
    entry = bibtex(record)
    assert list(pybtex_parse(entry, "bibtex").entries) == ["mecfsatlas-any-2000-x"]
    assert not bibtexparser.parse_string(entry).failed_blocks
