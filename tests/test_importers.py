"""Reading papers from files (curation/formats.py and one reader per format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.formats import detect_format, read_data, read_papers
from curation.papers import Paper, UnreadableFile, author_from_text, clean_doi, clean_title

DATA = Path(__file__).parent / "data" / "imports"
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "pubmed-samples"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the shared PubMed samples are not at {SAMPLES}"
)

ROERINK_TITLE = (
    "Cytokine signatures in chronic fatigue syndrome patients: a Case Control Study and the "
    "effect of anakinra treatment"
)
ROERINK_AUTHORS = ("Roerink, Megan E", "Knoop, Hans", "van der Meer, Jos W M")


def test_pubmed_xml_facts() -> None:
    kind, papers = read_papers(DATA / "mecfs.xml")
    assert kind == "pubmed-xml"
    assert papers == [
        Paper(
            # Inline markup removed, PubMed's closing full stop dropped, Greek kept.
            title="Plasma IL-12p40 and TNF-α in myalgic encephalomyelitis: a case-control study",
            authors=("Müller, Hélène J", "O'Brien, S P", "ME Research Consortium"),
            year=1998,  # from the MEDLINE date "1998 Dec-1999 Jan"
            journal="Journal of Imaginary Fatigue Research",
            doi="10.9999/jifr.1998.001",  # the doi ELocationID, after a pii one
            pmid="40000001",
            pmcid="PMC9000001",
            abstract="BACKGROUND: Immune markers may differ.\nMETHODS: We enrolled 50 patients "
            "who met the Canadian Consensus Criteria and 48 healthy controls.\nRESULTS: "
            "IL-12p40 was higher in patients.",
            mesh=("Fatigue Syndrome, Chronic/blood", "Humans"),
            publication_types=("Journal Article", "Retracted Publication"),
            keywords=("cytokines",),
            source="mecfs.xml #1",
        ),
        Paper(
            title="Fatigue in Norwegian adolescents",  # translated title, brackets dropped
            authors=("Berg, Kari",),
            year=2021,
            journal="Fatigue",
            doi="10.9999/fat.2021.7",  # from the article id list, a pii before it
            pmid="40000002",
            publication_types=("Journal Article",),
            source="mecfs.xml #2",
        ),
    ]


def test_medline_facts() -> None:
    kind, papers = read_papers(DATA / "mecfs.nbib")
    assert kind == "medline"
    assert papers == [
        Paper(
            title=ROERINK_TITLE,
            authors=("Roerink, Megan E", "van der Meer, Jos W M", "CFS Study Group"),
            year=2017,
            journal="Journal of translational medicine",
            doi="10.1186/s12967-017-1371-9",  # kept although a pii LID follows
            pmid="29284500",
            pmcid="PMC5746010",
            abstract="BACKGROUND: Cytokines may be altered.\nMETHODS: Fifty women with CFS and "
            "48 healthy women gave blood.\nRESULTS: IL-12p40 was higher.",
            mesh=("Cytokines/blood", "Fatigue Syndrome, Chronic/blood"),
            publication_types=("Journal Article", "Randomized Controlled Trial"),
            keywords=("anakinra",),
            source="mecfs.nbib #1",
        )
    ]


ROERINK = Paper(
    title=ROERINK_TITLE,
    authors=ROERINK_AUTHORS,
    year=2017,
    journal="Journal of translational medicine",
    doi="10.1186/s12967-017-1371-9",
    pmid="29284500",
    abstract="Fifty women with CFS and 48 healthy women gave blood.",
    keywords=("cytokines", "anakinra"),
)


@pytest.mark.parametrize(
    ("name", "kind", "first", "second"),
    [
        (
            "zotero.ris",
            "ris",
            ROERINK,
            Paper(
                title="Müller's second in vitro study",
                authors=("Müller, Hélène",),
                year=2019,
                journal="Fatigue",
                doi="10.1080/21641846.2019.1",  # from the doi.org URL
                pmid="31234567",  # from the note
            ),
        ),
        (
            "mendeley.bib",
            "bibtex",
            ROERINK,
            Paper(
                title="Müller's second study",  # LaTeX accents decoded
                authors=("Müller, Hélène",),
                year=2019,
                journal="Fatigue",
                doi="10.1080/21641846.2019.1",
            ),
        ),
        (
            "zotero.csv",
            "csv",
            Paper(**{**ROERINK.__dict__, "pmcid": "PMC5746010"}),  # PMID and PMCID from Extra
            Paper(
                title="Müller's second study",
                authors=("Müller, Hélène",),
                year=2019,
                journal="Fatigue",
            ),
        ),
    ],
)
def test_reference_manager_exports(name: str, kind: str, first: Paper, second: Paper) -> None:
    found_kind, papers = read_papers(DATA / name)
    assert found_kind == kind
    ignore_source = [Paper(**{**p.__dict__, "source": ""}) for p in papers[:2]]
    assert ignore_source == [first, second]


def test_endnote_csv_authors_split_on_slashes() -> None:
    assert read_papers(DATA / "endnote.csv")[1][0].authors == ("Roerink, Megan E", "Knoop, Hans")


def test_preprint_is_recognised() -> None:
    papers = read_papers(DATA / "mendeley.bib")[1]
    assert [p.is_preprint for p in papers] == [False, False, True]


@needs_samples
@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("pubmed1.xml", 2),
        ("pubmed2.xml", 2),
        ("pubmed4.xml", 1),
        ("pubmed5.xml", 1),
        ("pubmed6.xml", 1),
        ("pubmed7.xml", 1),
        ("pubmed_result1.txt", 1),
        ("pubmed_result2.txt", 4),
        ("pubmed_result3.txt", 1),
    ],
)
def test_shared_samples_parse(name: str, count: int) -> None:
    _, papers = read_papers(SAMPLES / name)
    assert len(papers) == count
    for paper in papers:
        assert paper.title
        assert paper.authors
        assert paper.year
        assert paper.pmid
        assert "<" not in paper.title


@needs_samples
def test_shared_sample_details() -> None:
    (season,) = read_papers(SAMPLES / "pubmed1.xml")[1][:1]
    assert (season.year, season.doi, season.publication_types) == (
        1990,
        "",
        ("Journal Article", "Review"),
    )
    _, (gut,) = read_papers(SAMPLES / "pubmed4.xml")
    assert (gut.doi, gut.pmcid, gut.authors[0], gut.abstract.split(":")[0]) == (
        "10.1136/gutjnl-2016-312510",
        "PMC5442267",
        "Bao, Ying",
        "OBJECTIVE",  # the first label of a structured abstract
    )
    _, (imaging,) = read_papers(SAMPLES / "pubmed7.xml")
    assert "Canadian Respiratory Research Network" in imaging.authors  # a group author
    _, scop = read_papers(SAMPLES / "pubmed_result2.txt")
    assert [p.doi for p in scop] == [
        "10.1186/1471-2105-7-10",  # after a pii AID line
        "10.1093/bioinformatics/btk021",
        "10.1093/bioinformatics/bth078",
        "",
    ]
    assert scop[0].pmcid == "PMC1373603"


@needs_samples
def test_esearch_answers_are_not_article_files() -> None:
    with pytest.raises(UnreadableFile, match="not PubMed XML"):
        read_papers(SAMPLES / "esearch1.xml")


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        ("\ufeff<?xml version='1.0'?>\n<PubmedArticleSet>", "pubmed-xml"),
        ("\nPMID- 1\nOWN - NLM\nTI  - x", "medline"),
        ("TY  - JOUR\nTI  - x\nER  - ", "ris"),
        ("% comment\n@article{key,\n title={x}}", "bibtex"),
        ("Title,Author,Year\nx,y,2000", "csv"),
        ("<html><body>not a paper</body></html>", None),
        ("just some words", None),
        ("", None),
    ],
)
def test_detect_format(head: str, kind: str | None) -> None:
    assert detect_format(head) == kind


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<PubmedArticleSet><PubmedArticle><MedlineCitation>", "broken XML"),
        (b'Title,Author\n"unclosed,x\n', None),
        (b"\xff\xfe\x00garbage", "not PubMed XML"),
        (b"@article{broken, title={never closed", "broken BibTeX"),
        # One broken entry among good ones: the file is refused, not half read.
        (
            b"@article{a, title={x}}\n@article{b, title={y}\n@article{c, title={z}}",
            "broken BibTeX entry at line 2 (1 in all)",
        ),
        (
            b"TY  - JOUR\nTI  - x\nTY  - JOUR\nTI  - y\nER  - \n",
            "2 records begin with TY but 1 end with ER",
        ),
    ],
)
def test_broken_files_raise_a_clear_error(data: bytes, message: str | None) -> None:
    if message is None:  # an unclosed CSV quote runs to the end: one odd row, not a crash
        assert len(read_data(data, "bad.file")[1]) == 1
        return
    with pytest.raises(UnreadableFile) as raised:
        read_data(data, "bad.file")
    assert str(raised.value).startswith("bad.file: ")
    assert message in str(raised.value)


def test_a_last_ris_record_without_its_er_line_is_kept() -> None:
    _, papers = read_data(b"TY  - JOUR\nTI  - x\nER  - \n\nTY  - JOUR\nTI  - y\n", "f.ris")
    assert [p.title for p in papers] == ["x", "y"]


def test_xml_entities_are_not_expanded_and_nothing_is_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY xxe SYSTEM "file://{secret}">
  <!ENTITY net SYSTEM "http://127.0.0.1:9/evil.dtd">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>A &lol2; &xxe; &net; title</ArticleTitle>
<AuthorList><Author><LastName>Doe</LastName><Initials>J</Initials></Author></AuthorList>
<Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue></Journal>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>""".encode()
    _, (paper,) = read_data(data, "evil.xml")
    assert "SECRET" not in paper.title
    assert "lollol" not in paper.title
    assert paper.title.startswith("A")
    assert paper.title.endswith("title")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Roerink, Megan E.", "Roerink, Megan E"),
        ("Roerink ME", "Roerink, M E"),
        ("van der Meer JWM", "van der Meer, J W M"),
        ("Aaron, L.A.", "Aaron, L A"),
        ("Megan Roerink", "Roerink, Megan"),
        ("CFS Study Group", "CFS Study Group"),
        ("consortium", "consortium"),
    ],
)
def test_author_names(raw: str, expected: str) -> None:
    assert author_from_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://doi.org/10.1186/S12967-017-1371-9", "10.1186/S12967-017-1371-9"),
        ("doi: 10.1000/xyz.", "10.1000/xyz"),
        ("10.1000/abc [doi]", "10.1000/abc"),
        ("not a doi", ""),
    ],
)
def test_clean_doi(raw: str, expected: str) -> None:
    assert clean_doi(raw) == expected


def test_clean_title_keeps_question_marks() -> None:
    assert clean_title("Is it <b>real</b>?") == "Is it real?"


def test_bookshelf_articles_are_read_too() -> None:
    data = b"""<?xml version="1.0"?><PubmedArticleSet>
<PubmedBookArticle><BookDocument><PMID Version="1">20301699</PMID>
<Book><Publisher><PublisherName>University of Washington, Seattle</PublisherName></Publisher>
<BookTitle>GeneReviews</BookTitle><PubDate><Year>2019</Year></PubDate></Book>
<ArticleTitle>Myalgic encephalomyelitis: an overview.</ArticleTitle>
<AuthorList><Author><LastName>Smith</LastName><ForeName>Ann B</ForeName></Author></AuthorList>
<PublicationType UI="D016454">Review</PublicationType>
<Abstract><AbstractText Label="SUMMARY">This chapter reviews ME/CFS.</AbstractText></Abstract>
</BookDocument></PubmedBookArticle>
<DeleteCitation><PMID Version="1">123</PMID></DeleteCitation>
</PubmedArticleSet>"""
    _, papers = read_data(data, "books.xml")
    assert papers == [
        Paper(
            title="Myalgic encephalomyelitis: an overview",
            authors=("Smith, Ann B",),
            year=2019,
            journal="University of Washington, Seattle",
            pmid="20301699",
            abstract="SUMMARY: This chapter reviews ME/CFS.",
            publication_types=("Review",),
            source="books.xml #1",
        )
    ]
