"""Drafts: importing files into the draft store, duplicates, slugs, `atlas drafts` commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_cli import cli
from curation.drafts import (
    AlreadyDecided,
    DraftStore,
    InvalidDraft,
    SlugTaken,
    UnknownDraft,
)
from curation.importing import Importer
from curation.papers import Paper
from indexer.build import build
from indexer.sources import load_records

DATA = Path(__file__).parent / "data"
IMPORTS = DATA / "imports"
ATLAS = DATA / "studies"  # holds roerink-2017-cytokine-signatures


def run(runner: CliRunner, data: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, [*args, "--data", str(data)])
    return result.exit_code, result.stdout, result.stderr


def import_file(runner: CliRunner, data: Path, *names: str) -> dict:
    code, out, err = run(
        runner,
        data,
        "import",
        "file",
        *(str(IMPORTS / n) for n in names),
        "--json",
        "--source",
        str(ATLAS),
    )
    assert code == 0, err
    return json.loads(out)


def paper(title: str, **facts: object) -> Paper:
    base: dict = {"authors": ("Smith, Jane",), "year": 2020, "source": "test"}
    return Paper(title=title, **{**base, **facts})


def test_import_skips_what_the_atlas_holds_and_drafts_the_rest(
    runner: CliRunner, tmp_path: Path
) -> None:
    report = import_file(runner, tmp_path, "zotero.ris")
    assert report == {
        "drafted": [{"id": 1, "slug": "muller-2019-mullers-second", "possible_versions": []}],
        "skipped": [
            {
                "source": "zotero.ris #1",
                "title": report["skipped"][0]["title"],
                "duplicate": {
                    "where": "atlas",
                    "reason": "doi",
                    "slug": "roerink-2017-cytokine-signatures",
                    "title": report["skipped"][0]["duplicate"]["title"],
                    "draft_id": None,
                },
                "problem": None,
            }
        ],
    }
    # Again: nothing new. The same paper from another manager (same DOI) is not drafted twice.
    again = import_file(runner, tmp_path, "zotero.ris", "mendeley.bib")
    assert [d["slug"] for d in again["drafted"]] == ["smith-2020-preprint-fatigue"]
    skipped = [
        (s["source"], s["duplicate"]["where"], s["duplicate"]["reason"]) for s in again["skipped"]
    ]
    assert skipped == [
        ("zotero.ris #1", "atlas", "doi"),
        ("zotero.ris #2", "draft", "doi"),
        ("mendeley.bib #1 (Roerink2017)", "atlas", "doi"),
        ("mendeley.bib #2 (muller2019)", "draft", "doi"),
    ]


def test_import_file_text_report_and_bad_files(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = run(runner, tmp_path, "import", "file", str(IMPORTS / "mecfs.xml"))
    assert code == 0, err
    assert out.splitlines() == [
        "drafted #1 muller-1998-plasma-12p40",
        "drafted #2 berg-2021-fatigue-norwegian",
        "2 draft(s) made, 0 paper(s) skipped. Review them with `atlas drafts list`.",
    ]
    assert "mecfs.xml: pubmed-xml, 2 paper(s)" in err
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes\n", encoding="utf-8")
    code, out, err = run(runner, tmp_path, "import", "file", str(IMPORTS / "zotero.ris"), str(bad))
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        "error: notes.txt: not PubMed XML, MEDLINE, RIS, BibTeX or CSV with a header row; "
        "nothing was drafted"
    )
    assert "Traceback" not in out + err
    assert len(DraftStore(tmp_path).list()) == 2
    code, _, err = run(runner, tmp_path, "import", "file", str(tmp_path / "missing.ris"))
    assert code == 2
    assert "does not exist" in err


def test_same_title_and_year_is_a_duplicate_and_preprints_are_flagged(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    atlas = load_records([ATLAS]).records
    journal = paper("Gut microbes in ME/CFS: a cohort", doi="10.1000/journal.1", journal="Gut")
    preprint = paper(
        "Gut microbes in ME/CFS, a cohort study",
        doi="10.1101/2019.05.01.1",
        journal="medRxiv",
        year=2019,
    )
    retitled = paper("GUT MICROBES in ME/CFS: A Cohort.", journal="Other")  # same title, year
    report = Importer(store, atlas).import_papers([journal, preprint, retitled])
    assert [(i, s) for i, s, _ in report.drafted] == [
        (1, "smith-2020-gut-microbes"),
        (2, "smith-2019-gut-microbes"),
    ]
    assert [d.to_json() for d in report.drafted[1][2]] == [
        {
            "where": "draft",
            "reason": "preprint",
            "slug": "smith-2020-gut-microbes",
            "title": "Gut microbes in ME/CFS: a cohort",
            "draft_id": 1,
        }
    ]
    assert [(s.paper.journal, s.duplicate.reason) for s in report.skipped] == [("Other", "title")]
    assert [d["reason"] for d in store.get(2).to_json()["duplicates"]] == ["preprint"]


def test_slugs_stay_unique(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    papers = [paper(f"Fatigue and sleep in adults, part {n}") for n in range(1, 5)]
    papers.append(paper("", doi="10.1000/untitled"))
    report = Importer(store, []).import_papers(papers)
    assert (store.count(), store.count("new"), store.count("accepted")) == (4, 4, 0)
    assert [d.id for d in store.list(limit=2, offset=1)] == [2, 3]
    assert [s for _, s, _ in report.drafted] == [
        "smith-2020-fatigue-sleep",
        "smith-2020-fatigue-sleep-adults",
        "smith-2020-fatigue-sleep-adults-part",
        "smith-2020-fatigue-sleep-2",
    ]
    assert [s.problem for s in report.skipped] == ["no title"]


def test_show_json_has_the_documented_shape(runner: CliRunner, tmp_path: Path) -> None:
    import_file(runner, tmp_path, "mecfs.xml")
    code, out, err = run(runner, tmp_path, "drafts", "show", "1", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert {k: shown[k] for k in ("id", "status", "slug", "record", "mesh", "duplicates")} == {
        "id": 1,
        "status": "new",
        "slug": "muller-1998-plasma-12p40",
        "record": {
            "slug": "muller-1998-plasma-12p40",
            "title": "Plasma IL-12p40 and TNF-α in myalgic encephalomyelitis: a case-control study",
            "authors": ["Müller, Hélène J", "O'Brien, S P", "ME Research Consortium"],
            "year": 1998,
            "journal": "Journal of Imaginary Fatigue Research",
            "doi": "10.9999/jifr.1998.001",
            "pmid": "40000001",
            "pmcid": "PMC9000001",
            "publication_type": "Journal Article",
        },
        "mesh": ["Fatigue Syndrome, Chronic/blood", "Humans"],
        "duplicates": [],
    }
    assert shown["publication_types"] == ["Journal Article", "Retracted Publication"]
    assert shown["abstract"].startswith("BACKGROUND: Immune markers may differ.\nMETHODS:")
    assert shown["suggested"]["retracted"] == {
        "value": True,
        "evidence": ["publication type: Retracted Publication"],
    }
    for suggestion in shown["suggested"].values():
        assert set(suggestion) == {"value", "evidence"}
    code, out, _ = run(runner, tmp_path, "drafts", "show", "1")
    assert code == 0
    assert "Draft #1 (new)" in out
    assert "retracted: true" in out
    code, _, err = run(runner, tmp_path, "drafts", "show", "9")
    assert (code, err.strip()) == (1, f"error: no draft #9 in {tmp_path / 'drafts.sqlite3'}")


def test_accept_writes_a_valid_record_that_the_index_publishes(
    runner: CliRunner, tmp_path: Path
) -> None:
    import_file(runner, tmp_path, "mecfs.xml")
    code, out, err = run(
        runner,
        tmp_path,
        "drafts",
        "accept",
        "2",
        "--set",
        "design=cohort",
        "--set",
        "criteria=CCC, ICC",
        "--set",
        "participants.patients=12",
        "--set",
        "pem=required",
        "--source",
        str(ATLAS),
    )
    target = tmp_path / "curated" / "berg-2021-fatigue-norwegian.json"
    assert code == 0, err
    assert out.strip() == (
        f"Accepted #2 as berg-2021-fatigue-norwegian: wrote {target}. "
        "Run `atlas index build` to publish it."
    )
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "slug": "berg-2021-fatigue-norwegian",
        "title": "Fatigue in Norwegian adolescents",
        "authors": ["Berg, Kari"],
        "year": 2021,
        "journal": "Fatigue",
        "doi": "10.9999/fat.2021.7",
        "pmid": "40000002",
        "publication_type": "Journal Article",
        "design": "cohort",
        "criteria": ["CCC", "ICC"],
        "participants": {"patients": 12},
        "pem": "required",
    }
    listed = json.loads(
        run(runner, tmp_path, "drafts", "list", "--status", "accepted", "--json")[1]
    )
    assert [(d["id"], d["status"], d["path"]) for d in listed] == [(2, "accepted", str(target))]
    # Accepting twice is refused; the record is published by a build over the curated source.
    code, _, err = run(runner, tmp_path, "drafts", "accept", "2")
    assert code == 1
    assert "draft #2 was accepted at" in err
    index = tmp_path / "index"
    assert build(index, [ATLAS, tmp_path / "curated"]).ok
    from web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "DATA_DIR": str(tmp_path)})
    page = app.test_client().get("/studies/berg-2021-fatigue-norwegian")
    assert page.status_code == 200
    assert "The plain-language summary of this study has not been written yet." in page.text
    written = app.test_client().get("/studies/roerink-2017-cytokine-signatures")
    assert "has not been written yet" not in written.text


@pytest.mark.parametrize(
    ("sets", "code", "message"),
    [
        (["desing=rct"], 2, "'desing' is not a record field"),
        (["year=soon"], 2, "year must be a whole number"),
        (["retracted=maybe"], 2, "retracted must be true or false"),
        (["criteria=[oops"], 2, "is not valid JSON"),
        (["nonsense"], 2, "is not FIELD=VALUE"),
        (["design=guesswork"], 1, "error: design: must be one of: case-control"),
        (["authors="], 1, "error: authors: is required"),
        (["slug=roerink-2017-cytokine-signatures"], 1, "already has the slug"),
    ],
)
def test_accept_refuses_bad_values(
    runner: CliRunner, tmp_path: Path, sets: list[str], code: int, message: str
) -> None:
    import_file(runner, tmp_path, "mecfs.xml")
    args = [a for s in sets for a in ("--set", s)]
    got, out, err = run(runner, tmp_path, "drafts", "accept", "1", *args, "--source", str(ATLAS))
    assert got == code, err
    assert message in err, err
    assert "Traceback" not in out + err
    assert DraftStore(tmp_path).get(1).status == "new"
    assert not (tmp_path / "curated").exists() or not any((tmp_path / "curated").iterdir())


def test_reject_list_and_export(runner: CliRunner, tmp_path: Path) -> None:
    import_file(runner, tmp_path, "mecfs.xml")
    code, _, err = run(runner, tmp_path, "drafts", "reject", "1", "--note", " ")
    assert code == 2
    assert "say why" in err
    code, out, err = run(runner, tmp_path, "drafts", "reject", "1", "--note", "Not ME/CFS.")
    assert (code, out.strip()) == (0, "Rejected #1 (muller-1998-plasma-12p40).")
    code, _, err = run(runner, tmp_path, "drafts", "accept", "1")
    assert code == 1
    assert "draft #1 was rejected at" in err
    code, out, _ = run(runner, tmp_path, "drafts", "list")
    assert out.splitlines() == [
        "#2     new       berg-2021-fatigue-norwegian  Fatigue in Norwegian adolescents"
    ]
    code, out, _ = run(runner, tmp_path, "drafts", "list", "--status", "all")
    assert [line.split()[:2] for line in out.splitlines()] == [["#1", "rejected"], ["#2", "new"]]
    code, _, err = run(runner, tmp_path, "drafts", "list", "--status", "accepted")
    assert code == 0
    assert err.startswith("No accepted drafts in ")
    exported = json.loads(run(runner, tmp_path, "drafts", "export", "--json")[1])
    assert [(d["id"], d["status"], d["note"]) for d in exported] == [
        (1, "rejected", "Not ME/CFS."),
        (2, "new", None),
    ]


def test_store_api(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    Importer(store, []).import_papers([paper("Sleep in ME/CFS", doi="10.1000/s.1")])
    curated = tmp_path / "curated"
    with pytest.raises(UnknownDraft):
        store.accept(5, curated)
    with pytest.raises(InvalidDraft) as invalid:
        store.accept(1, curated, {"year": 1800})
    assert [(p.field, p.message) for p in invalid.value.problems] == [("year", "must be 1900-2100")]
    with pytest.raises(SlugTaken):
        store.accept(1, curated, atlas_slugs={"smith-2020-sleep-cfs"})
    accepted = store.accept(1, curated, {"summary": "Sleep was studied."})
    assert accepted.record["summary"] == "Sleep was studied."
    assert accepted.draft.status == "accepted"
    assert accepted.path.is_file()
    with pytest.raises(AlreadyDecided):
        store.reject(1, "late")
    # The database holds nothing public: it lives in the data dir, not in any source.
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM drafts").fetchone() == (1,)


def test_default_sources_include_the_curated_directory_once_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search.settings import BUNDLED_STUDIES, configured_curated_dir, configured_sources

    monkeypatch.delenv("ATLAS_SOURCE", raising=False)
    monkeypatch.delenv("ATLAS_CURATED", raising=False)
    monkeypatch.setenv("ATLAS_DATA", str(tmp_path))
    assert configured_curated_dir() == tmp_path / "curated"
    assert configured_sources() == [BUNDLED_STUDIES]
    (tmp_path / "curated").mkdir()
    assert configured_sources() == [BUNDLED_STUDIES, tmp_path / "curated"]
    monkeypatch.setenv("ATLAS_CURATED", str(tmp_path / "elsewhere"))
    assert configured_sources() == [BUNDLED_STUDIES]
    monkeypatch.setenv("ATLAS_SOURCE", str(ATLAS))
    assert configured_sources() == [ATLAS]


@pytest.mark.parametrize(
    "args",
    [
        ["drafts", "list"],
        ["drafts", "show", "1"],
        ["drafts", "export", "--json"],
        ["drafts", "reject", "1", "--note", "x"],
        ["import", "file", str(IMPORTS / "zotero.ris")],
    ],
)
def test_a_broken_drafts_database_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "drafts.sqlite3").write_bytes(b"this is not a database" * 100)
    code, out, err = run(runner, tmp_path, *args)
    assert code == 1
    assert "error: the drafts database" in err
    assert "Traceback" not in out + err


def test_drafts_and_imports_print_control_characters_spelled_out(tmp_path: Path) -> None:
    runner = CliRunner()
    hostile = tmp_path / "hostile.ris"
    hostile.write_text(
        "TY  - JOUR\nTI  - Fatigue \x1b]0;owned\x07 and \x1b[2J study\nAU  - Doe, Jane\n"
        "PY  - 2024\nER  - \n",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["import", "file", str(hostile), "--data", str(tmp_path), "--source", str(ATLAS)]
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["drafts", "list", "--data", str(tmp_path)])
    shown = runner.invoke(cli, ["drafts", "show", "1", "--data", str(tmp_path)])
    for output in (result.output, listed.output, shown.output):
        assert "\x1b" not in output
        assert "\x07" not in output
    assert "\\u001b" in listed.output + shown.output
