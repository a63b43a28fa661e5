"""Exports (CSV, BibTeX, RIS, Atom) and citations: they parse, and say what the records say."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from citations import bibtex, initials_name, primary_citation, ris, sentence, short_authors
from indexer.build import build
from search import Atlas, open_atlas, parse
from web import create_app
from web.exports import CSV_FIELDS, csv_text
from web.index import result_records

ATOM = "{http://www.w3.org/2005/Atom}"
ALL_SLUGS_NEWEST_FIRST = [
    "script-2021-escaping",
    "natural-killer-2020-nk-cells",
    "mueller-2019-tnf-alpha-exercise",
    "roerink-2017-cytokine-signatures",
    "metabolomics-2016-hypometabolic",
    "il16-2012-csf-proteins",
    "oxford-2005-cbt-trial",
    "minimal-1998-record",
]


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def bibtex_entries(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """Return (type, key, fields) of each entry, checking that braces balance."""
    entries = []
    for match in re.finditer(r"@(\w+)\{([^,\s]+),\n(.*?)\n\}\n", text, re.S):
        kind, key, body = match.groups()
        assert body.count("{") == body.count("}"), key  # BibTeX counts escaped braces too
        fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", body, re.M))
        entries.append((kind, key, fields))
    assert len(entries) == text.count("\n@") + text.startswith("@")
    return entries


def ris_records(text: str) -> list[list[tuple[str, str]]]:
    """Return each RIS record as (tag, value) lines, checking the line format."""
    assert text.endswith("\r\n")
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in text.split("\r\n"):
        if not line:
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, line
        tag, value = match.groups()
        current.append((tag, value))
        if tag == "ER":
            records.append(current)
            current = []
    assert not current
    return records


# ---- CSV ---------------------------------------------------------------------------------------


def test_csv_of_the_whole_result_set(client: FlaskClient) -> None:
    response = client.get("/search.csv?per_page=2&page=3")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="atlas-search.csv"'
    assert response.headers["X-Total-Count"] == "8"
    rows = read_csv(response.data)
    assert list(rows[0]) == list(CSV_FIELDS)
    assert list(CSV_FIELDS[:11]) == [
        "slug",
        "title",
        "authors",
        "year",
        "journal",
        "doi",
        "pmid",
        "pem",
        "criteria",
        "design",
        "markers",
    ]
    assert [r["slug"] for r in rows] == ALL_SLUGS_NEWEST_FIRST
    mueller = rows[2]
    assert mueller == {
        "slug": "mueller-2019-tnf-alpha-exercise",
        "title": "TNF-α and IL-6 after exercise in ME/CFS",
        "authors": "Müller, Hélène; Øster, Jörg; Smith, A B",
        "year": "2019",
        "journal": "Journal of Fatigue Studies",
        "doi": "10.1000/TEST.001",
        "pmid": "31000001",
        "pem": "required",
        "criteria": "CCC; ICC",
        "design": "case-control",
        "markers": "TNF-α; IL-6",
        "sex": "mixed",
        "patients": "40",
        "controls": "40",
        "topics": "immunology; exercise; cytokines",
        "interventions": "",
        "evidence_level": "E2",
        "confidence": "moderate",
        "peer_reviewed": "true",
        "retracted": "false",
        "url": "http://localhost/studies/mueller-2019-tnf-alpha-exercise",
    }
    assert rows[6]["retracted"] == "true"
    assert rows[0]["title"] == "Escaping <script>alert('x')</script> & friends"


def test_csv_follows_the_search(client: FlaskClient) -> None:
    rows = read_csv(client.get("/search.csv?pem=required&sort=title").data)
    assert [r["slug"] for r in rows] == [
        "script-2021-escaping",
        "metabolomics-2016-hypometabolic",
        "natural-killer-2020-nk-cells",
        "mueller-2019-tnf-alpha-exercise",
    ]


def test_downloads_link_each_study_page_under_a_mounted_path(client) -> None:  # type: ignore[no-untyped-def]
    base = "http://localhost/atlas/"
    expected = [f"http://localhost/atlas/studies/{slug}" for slug in ALL_SLUGS_NEWEST_FIRST]
    rows = read_csv(client.get("/search.csv", base_url=base).data)
    assert [r["url"] for r in rows] == expected
    feed = ET.fromstring(client.get("/search.atom", base_url=base).data)
    assert [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")] == expected
    page = client.get("/studies/minimal-1998-record", base_url=base).get_data(as_text=True)
    assert f'<link rel="canonical" href="{expected[-1]}">' in page


def test_csv_neutralises_formulas() -> None:
    records = [
        {
            "slug": "a",
            "title": '=HYPERLINK("http://x")',
            "authors": ["+Plus, A", "@At, B"],
            "year": 2020,
            "journal": "-minus",
            "summary": "safe",
        },
        {"slug": "b", "title": "A normal = title", "authors": ["Tab\t, C"], "year": 2021},
    ]
    rows = list(
        csv.DictReader(io.StringIO(csv_text(records, lambda s: f"/s/{s}").lstrip("\ufeff")))
    )
    assert [(r["title"], r["authors"], r["journal"]) for r in rows] == [
        ('\'=HYPERLINK("http://x")', "'+Plus, A; @At, B", "'-minus"),
        ("A normal = title", "Tab\t, C", ""),
    ]


def test_export_limit_bounds_the_export(index_dir: Path, tmp_path: Path) -> None:
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(index_dir), "DATA_DIR": str(tmp_path), "EXPORT_LIMIT": 3}
    )
    response = app.test_client().get("/search.csv")
    assert (response.headers["X-Total-Count"], response.headers["X-Export-Limit"]) == ("8", "3")
    assert [r["slug"] for r in read_csv(response.data)] == ALL_SLUGS_NEWEST_FIRST[:3]


@pytest.fixture(scope="module")
def big_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 230 generated studies: more than two export pages of 100."""
    root = tmp_path_factory.mktemp("big")
    source = root / "studies"
    source.mkdir()
    for n in range(230):
        record = {
            "slug": f"study-{n:03d}",
            "title": f"Study number {n}",
            "authors": [f"Author{n}, A"],
            "year": 1990 + n % 30,
            "pem": "required" if n % 2 else "unknown",
        }
        (source / f"study-{n:03d}.json").write_text(json.dumps(record))
    assert build(root / "index", [source]).ok
    return root / "index"


def test_exports_page_through_the_search_api(big_index: Path) -> None:
    atlas = open_atlas(big_index)
    records, total = result_records(atlas, parse({}), limit=10_000)
    assert (total, len(records), len({r["slug"] for r in records})) == (230, 230, 230)
    years = [r["year"] for r in records]
    assert years == sorted(years, reverse=True)
    records, total = result_records(atlas, parse({"pem": ["required"]}), limit=150)
    assert (total, len(records)) == (115, 115)
    records, total = result_records(atlas, parse({}), limit=150)
    assert (total, len(records)) == (230, 150)


# ---- BibTeX and RIS ----------------------------------------------------------------------------


def test_bibtex_of_the_whole_result_set(client: FlaskClient) -> None:
    response = client.get("/search.bib")
    assert response.headers["Content-Type"] == "application/x-bibtex; charset=utf-8"
    entries = bibtex_entries(response.get_data(as_text=True))
    assert [key for _, key, _ in entries] == [f"mecfsatlas-{s}" for s in ALL_SLUGS_NEWEST_FIRST]
    kinds = {key: kind for kind, key, _ in entries}
    assert (
        kinds["mecfsatlas-mueller-2019-tnf-alpha-exercise"],
        kinds["mecfsatlas-minimal-1998-record"],
    ) == ("article", "misc")
    fields = dict((key, fields) for _, key, fields in entries)
    assert fields["mecfsatlas-roerink-2017-cytokine-signatures"]["url"] == (
        "https://www.mecfsatlas.com/evidence/roerink-2017-cytokine-signatures"
    )
    script = fields["mecfsatlas-script-2021-escaping"]
    assert script["title"] == "{Escaping <script>alert('x')</script> \\& friends}"


def test_study_bibtex_whole_value(client: FlaskClient) -> None:
    response = client.get("/studies/mueller-2019-tnf-alpha-exercise.bib")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="mueller-2019-tnf-alpha-exercise.bib"'
    )
    assert response.get_data(as_text=True) == (
        "@article{mecfsatlas-mueller-2019-tnf-alpha-exercise,\n"
        "  author = {Müller, Hélène and Øster, Jörg and Smith, A B},\n"
        "  title = {{TNF-α and IL-6 after exercise in ME/CFS}},\n"
        "  journal = {Journal of Fatigue Studies},\n"
        "  year = {2019},\n"
        "  doi = {10.1000/TEST.001},\n"
        "  url = {https://doi.org/10.1000/TEST.001},\n"
        "  note = {PubMed: 31000001}\n"
        "}\n"
    )


def test_bibtex_escapes_special_characters() -> None:
    record = {
        "slug": "x-1",
        "title": "50% of {braces} & $money_# ~ ^ \\",
        "authors": ["A, B"],
        "year": 2000,
    }
    entry = bibtex(record)
    assert (
        "  title = {{50\\% of \\textbraceleft{}braces\\textbraceright{} \\& \\$money\\_\\# "
        "\\textasciitilde{} \\textasciicircum{} \\textbackslash{}}},\n"
    ) in entry
    assert bibtex_entries(entry)[0][1] == "mecfsatlas-x-1"


def test_ris_of_the_whole_result_set(client: FlaskClient) -> None:
    response = client.get("/search.ris?q=cytokines")
    assert response.headers["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    records = ris_records(response.get_data(as_text=True))
    assert [dict(r)["TI"] for r in records] == [
        "Cytokine signatures in chronic fatigue syndrome patients: a Case Control Study and the effect of anakinra treatment",  # noqa: E501
        "TNF-α and IL-6 after exercise in ME/CFS",
    ]


def test_study_ris_whole_value(client: FlaskClient) -> None:
    text = client.get("/studies/oxford-2005-cbt-trial.ris").get_data(as_text=True)
    assert ris_records(text) == [
        [
            ("TY", "JOUR"),
            ("ID", "mecfsatlas-oxford-2005-cbt-trial"),
            ("AU", "Doe, Jane"),
            ("TI", "Cognitive behaviour therapy trial under the Oxford criteria"),
            ("JO", "Psych Trials"),
            ("PY", "2005"),
            (
                "AB",
                "A randomised trial of cognitive behaviour therapy in 100 patients selected by "
                "the Oxford criteria.",
            ),
            ("KW", "treatment"),
            ("KW", "psychology"),
            ("KW", "CBT"),
            ("N1", "Retracted"),
            ("ER", ""),
        ]
    ]
    assert ris({"slug": "m", "title": "T", "authors": ["A, B"], "year": 1999}).startswith(
        "TY  - GEN\r\n"
    )


def test_study_json_is_the_record_as_the_api_gives_it(client: FlaskClient, atlas: Atlas) -> None:
    response = client.get("/studies/il16-2012-csf-proteins.json")
    assert response.mimetype == "application/json"
    related = [hit.slug for hit in atlas.related("il16-2012-csf-proteins")]
    assert response.get_json() == {**atlas.study("il16-2012-csf-proteins"), "related": related}
    assert response.get_json() == client.get("/api/v1/studies/il16-2012-csf-proteins").get_json()


# ---- Atom --------------------------------------------------------------------------------------


def test_atom_feed_of_a_search_newest_first(client: FlaskClient, atlas: Atlas) -> None:
    response = client.get("/search.atom?pem=required&sort=oldest&page=2")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "ME/CFS Atlas: all studies (filtered)"
    assert feed.findtext(f"{ATOM}id") == "http://localhost/search.atom?pem=required&sort=oldest"
    links = {(link.get("rel"), link.get("href")) for link in feed.findall(f"{ATOM}link")}
    assert links == {
        ("self", "http://localhost/search.atom?pem=required&sort=oldest"),
        ("alternate", "http://localhost/search?pem=required&sort=oldest"),
    }
    assert feed.findtext(f"{ATOM}updated") == atlas.health()["built_at"]
    entries = feed.findall(f"{ATOM}entry")
    assert [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}updated")) for e in entries] == [
        ("http://localhost/studies/script-2021-escaping", "2021-01-01T00:00:00Z"),
        ("http://localhost/studies/natural-killer-2020-nk-cells", "2020-01-01T00:00:00Z"),
        ("http://localhost/studies/mueller-2019-tnf-alpha-exercise", "2019-01-01T00:00:00Z"),
        ("http://localhost/studies/metabolomics-2016-hypometabolic", "2016-01-01T00:00:00Z"),
    ]
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "Escaping <script>alert('x')</script> & friends"
    assert [a.findtext(f"{ATOM}name") for a in first.findall(f"{ATOM}author")] == ["O'Brien, Seán"]
    assert first.find(f"{ATOM}summary").get("type") == "text"  # type: ignore[union-attr]


def test_atom_marks_retracted_entries(client: FlaskClient) -> None:
    feed = ET.fromstring(client.get("/search.atom?q=oxford").data)
    assert feed.findtext(f"{ATOM}title") == "ME/CFS Atlas: “oxford”"
    [entry] = feed.findall(f"{ATOM}entry")
    assert (
        entry.findtext(f"{ATOM}title")
        == "[RETRACTED] Cognitive behaviour therapy trial under the Oxford criteria"
    )


@pytest.mark.parametrize("url", ["/search.csv", "/search.bib", "/search.ris", "/search.atom"])
def test_exports_refuse_values_beyond_bounds(client: FlaskClient, url: str) -> None:
    assert client.get(f"{url}?per_page=1000").status_code == 400
    assert client.get(f"{url}?pem=nonsense").status_code == 400  # strict, as the API


# ---- citations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (["Solo, A"], "Solo"),
        (["Roerink, Megan E", "Knoop, Hans"], "Roerink and Knoop"),
        (["Müller, Hélène", "Øster, Jörg", "Smith, A B"], "Müller et al."),
        (["The ME Study Group"], "The ME Study Group"),
        ([], ""),
    ],
)
def test_short_authors(authors: list[str], expected: str) -> None:
    assert short_authors(authors) == expected


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Roerink, Megan E", "Roerink ME"),
        ("van der Meer, Jos W M", "van der Meer JWM"),
        ("Smith, A. B.", "Smith AB"),
        ("Marshall-Gradisnik, S", "Marshall-Gradisnik S"),
        ("Jean-Paul, Marie-Claire", "Jean-Paul MC"),
        ("Consortium", "Consortium"),
    ],
)
def test_initials_name(author: str, expected: str) -> None:
    assert initials_name(author) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A title", "A title."),
        ("A title.", "A title."),
        ("Why?", "Why?"),
        ("Wow!", "Wow!"),
        ("", ""),
    ],
)
def test_sentence_never_doubles_full_stops(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_primary_citation_has_no_doubled_full_stops() -> None:
    record: dict[str, Any] = {
        "slug": "q-1",
        "title": "Is it in the blood?",
        "authors": ["Ann, A", "Bo, B", "Cy, C", "Di, D", "Ed, E", "Flo, F", "Gus, G"],
        "year": 2020,
        "journal": "J. Transl. Med.",
        "doi": "10.1/x",
    }
    citation = primary_citation(record)
    assert citation == (
        "Ann A, Bo B, Cy C, Di D, Ed E, Flo F, et al. Is it in the blood? J. Transl. Med. 2020. "
        "doi:10.1/x"
    )
    assert ".." not in citation
    assert "?." not in citation
    assert primary_citation({**record, "title": "Done.", "authors": ["Ann, A"]}).startswith(
        "Ann A. Done. J."
    )
