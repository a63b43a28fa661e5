"""`atlas import pubmed` against a fake E-utilities on 127.0.0.1: paging, slicing, retries,
the rate limit, resuming after kill -9 (curation/eutils.py, curation/pubmed_import.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_cli import cli
from curation.drafts import DraftStore
from curation.eutils import EutilsClient, EutilsConfig, EutilsError, RateLimiter, parse_search
from curation.importing import Importer
from curation.papers import UnreadableFile
from curation.pubmed_import import PubmedImport
from tests.eutils_fake import FakeEutils, FakeServer, generated_corpus, recorded_articles

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "pubmed-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no shared samples at {SAMPLES}")
DAY = dt.date(2024, 1, 1)


def client_for(fake: FakeEutils, rate: int = 1000, **kwargs: object) -> EutilsClient:
    config = EutilsConfig(base_url=fake.url, email="curator@example.org")
    return EutilsClient(config, backoff=0.01, limiter=RateLimiter(rate), **kwargs)  # type: ignore[arg-type]


def drafted_pmids(data: Path) -> list[str]:
    return sorted(d.paper.pmid for d in DraftStore(data).list())


@needs_samples
@pytest.mark.parametrize(
    ("name", "count", "ids", "webenv"),
    [
        ("esearch1.xml", 63, 20, ""),
        ("esearch2.xml", 42249, 100, "MCID_6927d6e7fee3e90f880ec190"),
        ("esearch7.xml", 330, 20, ""),
        ("esearch8.xml", 0, 0, ""),  # an error list: the phrase was not found
    ],
)
def test_recorded_esearch_answers(name: str, count: int, ids: int, webenv: str) -> None:
    answer = parse_search((SAMPLES / name).read_bytes())
    assert (answer.count, len(answer.ids), answer.webenv) == (count, ids, webenv)


def test_esearch_error_and_broken_answers() -> None:
    with pytest.raises(EutilsError, match="Invalid query"):
        parse_search(b"<eSearchResult><ERROR>Invalid query</ERROR></eSearchResult>")
    with pytest.raises(UnreadableFile):
        parse_search(b"<eSearchResult><Count>3</Count><IdList><Id>1</Id>")


def test_rate_limiter_allows_at_most_rate_calls_in_any_second() -> None:
    now = [0.0]
    calls: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(3, clock=lambda: now[0], sleep=sleep)
    for _ in range(10):
        limiter.wait()
        calls.append(now[0])
    assert all(calls[i + 3] - calls[i] >= 1.0 for i in range(len(calls) - 3))
    assert calls[:3] == [0.0, 0.0, 0.0]  # a burst up to the limit is allowed
    # ...and no slower than it needs: each next three go 1.02 s after the three before
    assert calls == pytest.approx([0, 0, 0, 1.02, 1.02, 1.02, 2.04, 2.04, 2.04, 3.06])


@needs_samples
def test_import_with_retries_recorded_articles_and_paging(tmp_path: Path) -> None:
    fake = FakeEutils(records=generated_corpus(450, DAY))
    fake.records += recorded_articles(str(SAMPLES / "pubmed4.xml"), DAY)
    fake.records += recorded_articles(str(SAMPLES / "pubmed7.xml"), DAY + dt.timedelta(days=3))
    fake.faults = [("esearch.fcgi", "429"), ("efetch.fcgi", "500"), ("efetch.fcgi", "truncated")]
    retries: list[str] = []
    with FakeServer(fake):
        store = DraftStore(tmp_path)
        client = client_for(fake, on_retry=retries.append)
        report = PubmedImport(store, Importer(store, []), client).run(
            "me/cfs", DAY, DAY + dt.timedelta(days=90)
        )
    all_ids = sorted(r.pmid for r in fake.records)
    assert drafted_pmids(tmp_path) == all_ids
    assert (report.matched, report.done_before, report.missing) == (452, 0, [])
    assert [h.status for h in fake.log if h.status != 200] == [429, 500]
    assert len(retries) == 3
    assert "broken XML" in retries[2]
    # Paging went through the history server, 200 at a time; every request says who asks.
    fetches = [h.params for h in fake.log if h.endpoint == "efetch.fcgi" and h.status == 200]
    assert sorted({(p["retstart"], p["retmax"]) for p in fetches}) == [
        ("0", "200"),
        ("200", "200"),
        ("400", "200"),
    ]
    assert all(h.params["tool"] == "mecfs-atlas-search" for h in fake.log)
    assert all(h.params["email"] == "curator@example.org" for h in fake.log)
    (gut,) = [d for d in DraftStore(tmp_path).list() if d.paper.pmid == "27797938"]
    assert (gut.paper.doi, gut.paper.pmcid, gut.paper.authors[0]) == (
        "10.1136/gutjnl-2016-312510",
        "PMC5442267",
        "Bao, Ying",
    )
    generated = DraftStore(tmp_path).get(1)
    assert generated is not None
    assert generated.suggested["pem"].value == "required"
    # The same search again: nothing new is fetched or drafted.
    before = len(fake.log)
    with FakeServer(fake):
        again = PubmedImport(store, Importer(store, []), client_for(fake)).run(
            "me/cfs", DAY, DAY + dt.timedelta(days=90)
        )
    assert (again.done_before, again.imported.drafted) == (452, [])
    assert all(h.endpoint != "efetch.fcgi" for h in fake.log[before:])


def test_long_ranges_are_searched_in_slices_of_at_most_10000(tmp_path: Path) -> None:
    fake = FakeEutils(records=generated_corpus(23_000, DAY, per_day=20))
    last = DAY + dt.timedelta(days=1200)
    with FakeServer(fake):
        store = DraftStore(tmp_path)
        report = PubmedImport(store, Importer(store, []), client_for(fake)).run(
            "me/cfs", DAY, last, max_ids=250
        )
    searches = [h.params for h in fake.log if h.endpoint == "esearch.fcgi"]
    with_history = [p for p in searches if p.get("usehistory") == "y"]
    assert with_history
    assert all(int(p["retmax"]) <= 10_000 for p in with_history)
    with sqlite3.connect(tmp_path / "drafts.sqlite3") as conn:
        slices = conn.execute("SELECT mindate, maxdate, count FROM pubmed_slices").fetchall()
    assert sum(c for _, _, c in slices) == 23_000
    assert max(c for _, _, c in slices) <= 10_000
    days = sorted(
        (dt.date(*map(int, a.split("/"))), dt.date(*map(int, b.split("/")))) for a, b, _ in slices
    )
    assert all(
        later[0] == earlier[1] + dt.timedelta(days=1) for earlier, later in itertools.pairwise(days)
    )
    newest = sorted((r for r in fake.records), key=lambda r: (r.edat, r.pmid), reverse=True)[:250]
    assert report.matched == 250
    assert drafted_pmids(tmp_path) == sorted(r.pmid for r in newest)


def test_an_empty_result_drafts_nothing(tmp_path: Path) -> None:
    fake = FakeEutils(records=generated_corpus(10, DAY))
    with FakeServer(fake):
        store = DraftStore(tmp_path)
        report = PubmedImport(store, Importer(store, []), client_for(fake)).run("nothing")
    assert (report.matched, report.imported.drafted, report.missing) == (0, [], [])
    assert [h.endpoint for h in fake.log] == ["esearch.fcgi"]


def test_a_run_that_failed_resumes_with_a_new_history_and_no_duplicates(tmp_path: Path) -> None:
    fake = FakeEutils(records=generated_corpus(500, DAY))
    store = DraftStore(tmp_path)
    with FakeServer(fake):
        # The second batch fails for good (every retry gets a 500).
        client = client_for(fake, retries=2)
        original = client.fetch_history
        calls = {"n": 0}

        def failing_second(*args: object) -> list:
            calls["n"] += 1
            if calls["n"] == 2:
                fake.faults += [("efetch.fcgi", "500")] * 3
            return original(*args)  # type: ignore[arg-type]

        client.fetch_history = failing_second  # type: ignore[method-assign]
        with pytest.raises(EutilsError, match="HTTP 500, 2 retries failed"):
            PubmedImport(store, Importer(store, []), client).run("me/cfs", DAY)
        assert len(drafted_pmids(tmp_path)) == 200
        fake.expire_history()  # hours later: NCBI has forgotten the WebEnv
        report = PubmedImport(store, Importer(store, []), client_for(fake)).run("me/cfs", DAY)
    assert drafted_pmids(tmp_path) == sorted(r.pmid for r in fake.records)
    assert (report.done_before, len(report.imported.drafted), report.imported.skipped) == (
        200,
        300,
        [],
    )


def test_an_unfinished_run_is_resumed_on_a_later_day(tmp_path: Path) -> None:
    # A run without --until ends "today"; resumed on a later day it finishes its own range
    # instead of starting a new search.
    fake = FakeEutils(records=generated_corpus(300, DAY))
    store = DraftStore(tmp_path)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with FakeServer(fake):
        fake.faults = [("efetch.fcgi", "500")] * 3
        with pytest.raises(EutilsError):
            PubmedImport(store, Importer(store, []), client_for(fake, retries=2)).run(
                "me/cfs", DAY, yesterday
            )
        report = PubmedImport(store, Importer(store, []), client_for(fake)).run("me/cfs", DAY)
    assert report.until == yesterday.isoformat()
    assert [h.params.get("usehistory") for h in fake.log if h.endpoint == "esearch.fcgi"] == [
        None,
        "y",
    ]
    assert len(drafted_pmids(tmp_path)) == 300


def test_pubmed_ids_missing_from_the_history_are_fetched_by_id(tmp_path: Path) -> None:
    fake = FakeEutils(records=generated_corpus(30, DAY))
    original = fake.efetch
    lost = ("30000003", "30000004")

    def history_loses_two(params: dict[str, str]) -> bytes:
        if "id" in params:  # PubMed no longer has 30000004 at all
            params = {**params, "id": params["id"].replace("30000004", "")}
        else:
            with fake.lock:
                for webenv, ids in fake.history.items():
                    fake.history[webenv] = [i for i in ids if i not in lost]
        return original(params)

    fake.efetch = history_loses_two  # type: ignore[method-assign]
    with FakeServer(fake):
        store = DraftStore(tmp_path)
        report = PubmedImport(store, Importer(store, []), client_for(fake)).run("me/cfs", DAY)
    by_id = [sorted(h.params["id"].split(",")) for h in fake.log if "id" in h.params]
    assert by_id == [list(lost)]
    assert report.missing == ["30000004"]
    assert len(drafted_pmids(tmp_path)) == 29
    assert "30000003" in drafted_pmids(tmp_path)


# --- the command ----------------------------------------------------------------------------


def test_cli_keeps_the_rate_limit_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeEutils(records=generated_corpus(900, DAY))
    with FakeServer(fake):
        monkeypatch.setenv("ATLAS_EUTILS_URL", fake.url)
        monkeypatch.setenv("ATLAS_NCBI_EMAIL", "curator@example.org")
        monkeypatch.delenv("NCBI_API_KEY", raising=False)
        result = CliRunner().invoke(
            cli,
            [
                "import",
                "pubmed",
                "me/cfs",
                "--since",
                "2024-01-01",
                "--json",
                "--data",
                str(tmp_path),
            ],
        )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["matched"], len(report["drafted"]), report["missing"]) == (900, 900, [])
    arrivals = [h.at for h in fake.log]
    assert len(arrivals) >= 7  # two searches and five fetches
    # Seen from the server: about 3 a second at most. The server's clock reads a request
    # when a handler thread gets to it, which on a busy machine can be a tenth of a second
    # late, so this is loose; test_the_client_sends_at_most_3_requests_in_any_second is exact.
    assert min(arrivals[i + 3] - arrivals[i] for i in range(len(arrivals) - 3)) > 0.75


class RecordingLimiter(RateLimiter):
    """The real limiter, noting when it let each request go."""

    def __init__(self, rate: int) -> None:
        super().__init__(rate)
        self.sent: list[float] = []

    def wait(self) -> None:
        super().wait()
        self.sent.append(time.monotonic())


def test_the_client_sends_at_most_3_requests_in_any_second(tmp_path: Path) -> None:
    fake = FakeEutils(records=generated_corpus(1000, DAY))
    fake.faults = [("efetch.fcgi", "429")]  # retries count against the limit too
    limiter = RecordingLimiter(3)
    with FakeServer(fake):
        config = EutilsConfig(base_url=fake.url)
        client = EutilsClient(config, backoff=0.0, limiter=limiter)
        store = DraftStore(tmp_path)
        PubmedImport(store, Importer(store, []), client).run("me/cfs", DAY)
    sent = limiter.sent
    assert len(sent) == 8  # a count, a search with history, 5 fetches and 1 retry
    assert min(sent[i + 3] - sent[i] for i in range(len(sent) - 3)) >= 1.0
    # (that it is no slower than it needs is checked on a fake clock above: on a shared
    # machine the wall-clock time of 8 requests has no upper bound)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["me/cfs", "--since", "2024-13-01"], "is not a date"),
        (["me/cfs", "--since", "2024-02-01", "--until", "2024-01-01"], "--since is after --until"),
        (["  "], "give a search term"),
        (["me/cfs", "--max", "0"], "0 is not in the range"),
    ],
)
def test_cli_refuses_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["import", "pubmed", *args, "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_reports_a_refused_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeEutils()
    fake.esearch = lambda params: b"<eSearchResult><ERROR>Invalid query</ERROR></eSearchResult>"  # type: ignore[method-assign]
    with FakeServer(fake):
        monkeypatch.setenv("ATLAS_EUTILS_URL", fake.url)
        result = CliRunner().invoke(cli, ["import", "pubmed", "x", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "error: esearch: Invalid query; run the same command again" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_kill_9_midway_then_rerun_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    fake = FakeEutils(records=generated_corpus(1000, DAY), efetch_delay=0.4)
    data = tmp_path / "data"
    with FakeServer(fake):
        env = {
            **os.environ,
            "ATLAS_EUTILS_URL": fake.url,
            "ATLAS_DATA": str(data),
            "ATLAS_NCBI_EMAIL": "curator@example.org",
        }
        atlas = str(ROOT / "tests" / "data" / "studies")
        command = [
            sys.executable,
            "-m",
            "atlas_cli",
            "import",
            "pubmed",
            "me/cfs",
            "--since",
            "2024-01-01",
            "--source",
            atlas,
        ]
        first = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        done = 0
        while time.monotonic() < deadline and first.poll() is None:
            if (data / "drafts.sqlite3").exists():
                with sqlite3.connect(data / "drafts.sqlite3", timeout=10) as conn:
                    try:
                        done = conn.execute("SELECT count(*) FROM drafts").fetchone()[0]
                    except sqlite3.OperationalError:
                        done = 0
                if done >= 400:
                    break
            time.sleep(0.05)
        assert first.poll() is None, "the import finished before it could be killed"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert 400 <= done < 1000
        second = subprocess.run(
            [*command, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert drafted_pmids(data) == sorted(r.pmid for r in fake.records)
    assert report["done_before"] + len(report["drafted"]) == 1000
    assert report["skipped"] == []  # nothing was fetched twice
    # Only the batches not yet done were fetched again (and nothing was searched again).
    assert report["requests"] == -(-(1000 - report["done_before"]) // 200)
