"""The corrections store (web/corrections/) and the curators' `atlas contributions` commands."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_cli import cli
from atlas_cli.contributions import as_json, visible
from search.settings import RateLimit
from web.corrections.rules import MAX_TEXT, Draft, read_draft
from web.corrections.store import (
    AlreadyResolved,
    Contribution,
    ContributionStore,
    RateLimited,
    Submission,
    UnknownContribution,
)

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
LIMIT = RateLimit(3, 60)
STUDY = "script-2021-escaping"
OTHER_STUDY = "roerink-2017-cytokine-signatures"
KIND_PROBLEM = (
    "Choose what is wrong: one of Citation, Summary, PEM status, Criteria, Markers / findings, "
    "Other."
)
EMPTY_PROBLEM = "Write your suggested correction; it cannot be empty."
EMAIL_PROBLEM = (
    "The email does not look like an address (name@example.org). "
    "It is optional: leave it empty if you prefer."
)


def submission(
    text: str = "PEM was required (CCC).",
    client: str = "client-a",
    nonce: str | None = None,
    slug: str = STUDY,
) -> Submission:
    draft = Draft(kind="pem", text=text, name="Seán O'Brien", email="sean@example.ie")
    return Submission(
        slug=slug, generation="gen-1", draft=draft, client_hash=client, form_nonce=nonce
    )


# --- read_draft: the rules a submission must meet ---------------------------------------------


@pytest.mark.parametrize(
    ("fields", "draft", "problems"),
    [
        (
            {"kind": "pem", "text": "Required, per CCC.", "name": "Seán", "email": "s@x.ie"},
            Draft("pem", "Required, per CCC.", "Seán", "s@x.ie"),
            [],
        ),
        (  # browsers send CRLF; kept as typed otherwise, surrounding spaces included
            {
                "kind": "other",
                "text": "  one\r\ntwo\rthree\n<b>&amp;</b> ",
                "name": " ",
                "email": "",
            },
            Draft("other", "  one\ntwo\nthree\n<b>&amp;</b> ", None, None),
            [],
        ),
        (
            {"kind": "findings", "text": "x" * MAX_TEXT},
            Draft("findings", "x" * MAX_TEXT, None, None),
            [],
        ),
        (
            {"kind": "findings", "text": "x" * (MAX_TEXT + 1)},
            Draft("findings", "x" * (MAX_TEXT + 1), None, None),
            [
                "Your suggested correction is 5,001 characters long; the limit is 5,000. "
                "Please shorten it."
            ],
        ),
        ({}, Draft("", "", None, None), [KIND_PROBLEM, EMPTY_PROBLEM]),
        (
            {"kind": "PEM", "text": " \r\n\t "},
            Draft("PEM", " \n\t ", None, None),
            [KIND_PROBLEM, EMPTY_PROBLEM],
        ),
        (
            {"kind": "pem", "text": "t", "email": "not an email"},
            Draft("pem", "t", None, "not an email"),
            [EMAIL_PROBLEM],
        ),
        (
            {"kind": "pem", "text": "t", "email": "a@b"},
            Draft("pem", "t", None, "a@b"),
            [EMAIL_PROBLEM],
        ),
        (
            {"kind": "pem", "text": "t", "name": "n" * 201},
            Draft("pem", "t", "n" * 201, None),
            ["The name can be at most 200 characters."],
        ),
    ],
)
def test_read_draft(fields: dict[str, str], draft: Draft, problems: list[str]) -> None:
    assert read_draft(fields) == (draft, problems)


@pytest.mark.parametrize(
    ("value", "limit"),
    [("5/600", RateLimit(5, 600)), (" 1000 / 60 ", RateLimit(1000, 60)), ("1/1", RateLimit(1, 1))],
)
def test_rate_limit_parse(value: str, limit: RateLimit) -> None:
    assert RateLimit.parse(value) == limit


@pytest.mark.parametrize("value", ["5", 5, "0/60", "5/0", "five/600", "5/600/1", "", None, "-1/60"])
def test_rate_limit_parse_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="CONTRIBUTION_RATE_LIMIT must look like '5/600'"):
        RateLimit.parse(value)


# --- the store --------------------------------------------------------------------------------


def test_add_get_list_resolve_round_trip(tmp_path: Path) -> None:
    store = ContributionStore(tmp_path / "data")
    added = store.add(submission(), LIMIT, now=T0)
    expected = Contribution(
        id=1,
        slug="script-2021-escaping",
        generation="gen-1",
        created="2025-03-01T12:00:00.000000+00:00",
        kind="pem",
        text="PEM was required (CCC).",
        name="Seán O'Brien",
        email="sean@example.ie",
        client_hash="client-a",
        status="open",
        resolution=None,
        resolved=None,
    )
    assert added == expected
    assert store.get(1) == expected
    assert store.get(2) is None
    assert store.list() == [expected] == store.list("open")
    assert store.list("resolved") == []
    resolved = store.resolve(1, "Record corrected: PEM required.", now=T0 + timedelta(days=1))
    assert resolved.to_json() == {
        **expected.to_json(),
        "status": "resolved",
        "resolution": "Record corrected: PEM required.",
        "resolved": "2025-03-02T12:00:00.000000+00:00",
    }
    assert store.list("open") == []
    assert store.list("resolved") == [resolved]


def test_resolve_refuses_unknown_and_already_resolved(tmp_path: Path) -> None:
    store = ContributionStore(tmp_path)
    with pytest.raises(UnknownContribution):
        store.resolve(1, "nothing there yet")
    store.add(submission(), LIMIT)
    store.resolve(1, "done")
    with pytest.raises(AlreadyResolved):
        store.resolve(1, "twice")
    with pytest.raises(UnknownContribution):
        store.resolve(7, "no such id")
    assert store.get(1).resolution == "done"  # type: ignore[union-attr]


def test_reading_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    store = ContributionStore(tmp_path / "nowhere")
    assert store.list() == []
    assert store.get(1) is None
    assert not (tmp_path / "nowhere").exists()


def test_database_is_private_durable_and_in_wal_mode(tmp_path: Path) -> None:
    store = ContributionStore(tmp_path)
    store.add(submission(), LIMIT)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    with store._connection(create=False) as conn:  # the settings every connection uses
        assert conn is not None
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000


def test_rate_limit_counts_per_client_within_the_window(tmp_path: Path) -> None:
    store = ContributionStore(tmp_path)
    for second in range(3):
        store.add(submission(f"text {second}"), LIMIT, now=T0 + timedelta(seconds=second))
    with pytest.raises(RateLimited) as refused:
        store.add(submission("one too many"), LIMIT, now=T0 + timedelta(seconds=10))
    assert refused.value.retry_after == 51  # the first one leaves the window at T0+60
    assert (
        store.add(
            submission("another reader", client="client-b"), LIMIT, now=T0 + timedelta(seconds=10)
        ).id
        == 4
    )
    assert (
        store.add(submission("later"), LIMIT, now=T0 + timedelta(seconds=60, microseconds=1)).id
        == 5
    )
    assert [c.text for c in store.list()] == [
        "text 0",
        "text 1",
        "text 2",
        "another reader",
        "later",
    ]


def test_the_same_form_sent_twice_is_stored_once(tmp_path: Path) -> None:
    store = ContributionStore(tmp_path)
    first = store.add(submission(nonce="n1"), RateLimit(1, 60))
    assert (
        store.add(submission(nonce="n1"), RateLimit(1, 60)) == first
    )  # a retry, even at the limit
    with pytest.raises(RateLimited):  # the same form with another text is a new submission
        store.add(submission("edited", nonce="n1"), RateLimit(1, 60))
    assert store.add(submission("edited", nonce="n1"), RateLimit(5, 60)).id == 2
    assert len(store.list()) == 2


def test_concurrent_writers_each_stored_once(tmp_path: Path) -> None:
    """Threads with their own store objects, as separate processes would have, all succeed."""
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        store = ContributionStore(tmp_path)
        barrier.wait()
        try:
            for i in range(LIMIT.count):
                store.add(submission(f"writer {n} text {i}", client=f"c{n}"), LIMIT)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    texts = [c.text for c in ContributionStore(tmp_path).list()]
    assert sorted(texts) == sorted(
        f"writer {n} text {i}" for n in range(20) for i in range(LIMIT.count)
    )


# --- atlas contributions ----------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory with two contributions, the second resolved."""
    store = ContributionStore(tmp_path / "data")
    store.add(submission(), LIMIT, now=T0)
    text = "Cytokines:\nIL-6 \x1b[31mincreased\u202e"
    store.add(submission(text, slug=OTHER_STUDY), LIMIT, now=T0 + timedelta(minutes=5))
    store.resolve(2, "Checked the paper; the record is right.", now=T0 + timedelta(days=2))
    return tmp_path / "data"


FIRST_LINE = f"#1     2025-03-01 12:00  open      pem        {STUDY}  PEM was required (CCC)."


def contribution_json(data_dir: Path, contribution_id: int) -> dict:
    return ContributionStore(data_dir).get(contribution_id).to_json()  # type: ignore[union-attr]


def test_list_shows_open_ones_by_default(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli, ["contributions", "list", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout == FIRST_LINE + "\n"


def test_list_all_previews_first_lines(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(
        cli, ["contributions", "list", "--status", "all", "--data", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        FIRST_LINE,
        f"#2     2025-03-01 12:05  resolved  pem        {OTHER_STUDY}  Cytokines:",
    ]


@pytest.mark.parametrize(("status", "ids"), [("open", [1]), ("resolved", [2]), ("all", [1, 2])])
def test_list_json(runner: CliRunner, data_dir: Path, status: str, ids: list[int]) -> None:
    result = runner.invoke(
        cli, ["contributions", "list", "--status", status, "--json", "--data", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [contribution_json(data_dir, i) for i in ids]


def test_list_when_there_are_none(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["contributions", "list", "--data", str(tmp_path / "empty")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (
        result.stderr
        == f"No open contributions in {tmp_path / 'empty' / 'contributions.sqlite3'}.\n"
    )
    json_result = runner.invoke(cli, ["contributions", "list", "--json", "--data", str(tmp_path)])
    assert json.loads(json_result.stdout) == []


def test_show(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli, ["contributions", "show", "2", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Contribution #2 (resolved)\n"
        "Study:      roerink-2017-cytokine-signatures (index generation gen-1)\n"
        "Received:   2025-03-01T12:05:00.000000+00:00\n"
        "What:       PEM status\n"
        "From:       Seán O'Brien <sean@example.ie>\n"
        "Client:     client-a\n"
        "Resolved:   2025-03-03T12:00:00.000000+00:00: Checked the paper; the record is right.\n"
        "\n"
        "Suggested text:\n"
        "Cytokines:\n"
        "IL-6 \\u001b[31mincreased\\u202e\n"
    )


def test_show_json_decodes_to_the_stored_text(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli, ["contributions", "show", "2", "--json", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert json.loads(result.stdout) == contribution_json(data_dir, 2)
    assert json.loads(result.stdout)["text"] == "Cytokines:\nIL-6 \x1b[31mincreased\u202e"


def test_show_unknown_exits_one(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli, ["contributions", "show", "9", "--data", str(data_dir)])
    assert result.exit_code == 1
    assert result.stderr == f"error: no contribution #9 in {data_dir / 'contributions.sqlite3'}\n"


def test_resolve(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "contributions",
            "resolve",
            "1",
            "--note",
            "Fixed the PEM field.",
            "--data",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "Resolved #1 (script-2021-escaping).\n"
    resolved = contribution_json(data_dir, 1)
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "Fixed the PEM field.")


def test_resolve_refuses_already_resolved_and_unknown(runner: CliRunner, data_dir: Path) -> None:
    again = runner.invoke(
        cli, ["contributions", "resolve", "2", "--note", "again", "--data", str(data_dir)]
    )
    assert again.exit_code == 1
    assert again.stderr == (
        "error: contribution #2 was already resolved at 2025-03-03T12:00:00.000000+00:00: "
        "Checked the paper; the record is right.\n"
    )
    unknown = runner.invoke(
        cli, ["contributions", "resolve", "3", "--note", "x", "--data", str(data_dir)]
    )
    assert unknown.exit_code == 1
    assert unknown.stderr == f"error: no contribution #3 in {data_dir / 'contributions.sqlite3'}\n"
    assert contribution_json(data_dir, 2)["resolution"] == "Checked the paper; the record is right."


@pytest.mark.parametrize("args", [[], ["--note", ""], ["--note", "  "]])
def test_resolve_needs_a_note(runner: CliRunner, data_dir: Path, args: list[str]) -> None:
    result = runner.invoke(cli, ["contributions", "resolve", "1", *args, "--data", str(data_dir)])
    assert result.exit_code == 2
    assert contribution_json(data_dir, 1)["status"] == "open"


def test_export_json_is_every_contribution(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli, ["contributions", "export", "--json", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        contribution_json(data_dir, 1),
        contribution_json(data_dir, 2),
    ]


def test_data_defaults_to_atlas_data(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli, ["contributions", "export"], env={"ATLAS_DATA": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert [c["id"] for c in json.loads(result.stdout)] == [1, 2]


# Runs a command in a fresh interpreter (this one has Flask loaded) and reports what it loaded.
_LOADS_FLASK = """
import sys
import atlas_cli
sys.argv = ["atlas", *sys.argv[1:]]
try:
    atlas_cli.main()
except SystemExit as exit:
    assert not exit.code, exit.code
print("flask" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["list", "--status", "all"], ["show", "1"], ["export"], ["resolve", "1"]],
    ids=["help", "list", "show", "export", "resolve"],
)
def test_commands_do_not_load_flask(data_dir: Path, args: list[str]) -> None:
    """The store and rules are Flask-free, so a curator's command starts without the web app."""
    if args[0] == "resolve":
        args = [*args, "--note", "Fixed."]
    command = [sys.executable, "-c", _LOADS_FLASK, "contributions", *args]
    if args[0] != "--help":
        command += ["--data", str(data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout  # the command did its work
    assert done.stderr.splitlines()[-1] == "False"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain γ text\n\tindented", "plain γ text\n\tindented"),
        ("\x1b[2J\x07\x7f\x9b", "\\u001b[2J\\u0007\\u007f\\u009b"),
        ("a\u202eb\u200bc", "a\\u202eb\\u200bc"),
        ("\U000e0041", "\\udb40\\udc41"),  # a tag character: JSON's surrogate pair
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert json.loads(as_json(text)) == text
