"""A PubMed search imported as drafts, resumable: a re-run after a kill goes on where it stopped.

The plan, kept in the drafts database beside the drafts:

1. The date range is cut into slices of at most 10,000 records each (esearch pages through
   no more of one query), by Entrez date, halving a slice until it fits.
2. Each slice is searched once with `usehistory=y`; its PubMed ids are stored, in order.
3. Records are fetched from the history server in batches of 200. Each batch's drafts are
   written in the same transaction that marks its ids done, so a kill at any moment leaves
   every id either drafted (or skipped as a duplicate) and done, or still to do.
4. Ids the history pass did not return (the WebEnv expired, the search changed) are fetched
   by id at the end; ids PubMed no longer has are reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from curation.drafts import DraftStore
from curation.eutils import BATCH, MAX_IDS, EutilsClient, HistoryExpired
from curation.importing import Importer, ImportReport
from curation.papers import Paper

EARLIEST = dt.date(1800, 1, 1)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pubmed_runs (
        run_key   TEXT PRIMARY KEY,
        term      TEXT NOT NULL,
        since     TEXT NOT NULL,
        until     TEXT NOT NULL,
        max_ids   INTEGER,
        planned   INTEGER NOT NULL DEFAULT 0,
        finished  TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS pubmed_slices (
        run_key   TEXT NOT NULL,
        mindate   TEXT NOT NULL,
        maxdate   TEXT NOT NULL,
        count     INTEGER NOT NULL,
        searched  INTEGER NOT NULL DEFAULT 0,
        webenv    TEXT,
        query_key TEXT,
        PRIMARY KEY (run_key, mindate)
    )""",
    """CREATE TABLE IF NOT EXISTS pubmed_ids (
        run_key   TEXT NOT NULL,
        mindate   TEXT NOT NULL,   -- the slice
        pos       INTEGER NOT NULL,  -- place in the slice's search order
        pmid      TEXT NOT NULL,
        state     TEXT NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'done', 'missing')),
        PRIMARY KEY (run_key, pmid)
    )""",
    "CREATE INDEX IF NOT EXISTS pubmed_ids_todo ON pubmed_ids (run_key, state, mindate, pos)",
)


@dataclass
class PubmedReport:
    """What a PubMed import did, this run and in earlier runs of the same search."""

    term: str
    since: str
    until: str
    matched: int = 0  # records the search matched (capped by --max)
    done_before: int = 0  # ids handled by earlier, interrupted runs
    imported: ImportReport = field(default_factory=ImportReport)
    missing: list[str] = field(default_factory=list)  # ids PubMed did not return
    truncated: list[str] = field(default_factory=list)  # days with more than 10,000 records
    requests: int = 0

    def to_json(self) -> dict[str, object]:
        """Return the report as a JSON-ready dict."""
        return {
            "term": self.term,
            "since": self.since,
            "until": self.until,
            "matched": self.matched,
            "done_before": self.done_before,
            **self.imported.to_json(),
            "missing": self.missing,
            "truncated_days": self.truncated,
            "requests": self.requests,
        }


def _slash(day: dt.date) -> str:
    return day.strftime("%Y/%m/%d")


def run_key(term: str, since: str, until: str, max_ids: int | None) -> str:
    """Return the id of one search: the same term, dates and cap continue the same run."""
    text = json.dumps([term, since, until, max_ids])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class PubmedImport:
    """One PubMed search imported into a draft store through one E-utilities client."""

    def __init__(
        self,
        store: DraftStore,
        importer: Importer,
        client: EutilsClient,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.importer = importer
        self.client = client
        self.progress = progress or (lambda message: None)
        with self.store.transaction() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)

    def run(
        self,
        term: str,
        since: dt.date | None = None,
        until: dt.date | None = None,
        max_ids: int | None = None,
    ) -> PubmedReport:
        """Import every record the term matches between since and until (Entrez dates)."""
        first = since or EARLIEST
        last = until or self._unfinished_until(term, first, max_ids) or dt.date.today()
        key = run_key(term, first.isoformat(), last.isoformat(), max_ids)
        report = PubmedReport(term, first.isoformat(), last.isoformat())
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO pubmed_runs (run_key, term, since, until, max_ids) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, term, first.isoformat(), last.isoformat(), max_ids),
            )
        if not self._is_planned(key):
            self._plan(key, term, first, last, report)
        self._search_slices(key, term, max_ids)
        report.matched, report.done_before = self._counts(key)
        self._fetch_from_history(key, term, report)
        self._fetch_rest_by_id(key, report)
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE pubmed_runs SET finished = ? WHERE run_key = ?",
                (dt.datetime.now(dt.UTC).isoformat(), key),
            )
            report.truncated = [
                r[0]
                for r in conn.execute(
                    "SELECT mindate FROM pubmed_slices WHERE run_key = ? AND count > ? "
                    "ORDER BY mindate",
                    (key, MAX_IDS),
                )
            ]
        report.requests = self.client.requests
        return report

    def _unfinished_until(self, term: str, first: dt.date, max_ids: int | None) -> dt.date | None:
        """Return the end of an unfinished run of this search that ended "today" on an earlier
        day, so that resuming it the next day continues it rather than starting again."""
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT until FROM pubmed_runs WHERE term = ? AND since = ? AND max_ids IS ? "
                "AND finished IS NULL ORDER BY rowid DESC LIMIT 1",
                (term, first.isoformat(), max_ids),
            ).fetchone()
        return dt.date.fromisoformat(row[0]) if row else None

    def _is_planned(self, key: str) -> bool:
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT planned FROM pubmed_runs WHERE run_key = ?", (key,)
            ).fetchone()
        return bool(row and row[0])

    def _plan(
        self, key: str, term: str, first: dt.date, last: dt.date, report: PubmedReport
    ) -> None:
        """Cut the range into slices of at most MAX_IDS records, newest first, and store them."""
        slices: list[tuple[dt.date, dt.date, int]] = []
        pending = [(first, last)]
        while pending:
            start, end = pending.pop()
            count = self.client.search(term, _slash(start), _slash(end)).count
            if count == 0:
                continue
            if count <= MAX_IDS or start == end:
                slices.append((start, end, count))
                continue
            middle = start + (end - start) // 2
            pending += [(start, middle), (middle + dt.timedelta(days=1), end)]
            self.progress(f"{count:,} records from {start} to {end}: searching in halves")
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO pubmed_slices (run_key, mindate, maxdate, count) "
                "VALUES (?, ?, ?, ?)",
                [(key, _slash(s), _slash(e), c) for s, e, c in slices],
            )
            conn.execute("UPDATE pubmed_runs SET planned = 1 WHERE run_key = ?", (key,))

    def _search_slices(self, key: str, term: str, max_ids: int | None) -> None:
        """Search each slice not yet searched (newest first) and store its ids in order."""
        with self.store.transaction() as conn:
            slices = conn.execute(
                "SELECT mindate, maxdate FROM pubmed_slices WHERE run_key = ? AND searched = 0 "
                "ORDER BY mindate DESC",
                (key,),
            ).fetchall()
        for mindate, maxdate in slices:
            with self.store.transaction() as conn:
                have = conn.execute(
                    "SELECT count(*) FROM pubmed_ids WHERE run_key = ?", (key,)
                ).fetchone()[0]
            room = MAX_IDS if max_ids is None else max(0, max_ids - have)
            answer = (
                self.client.search(term, mindate, maxdate, retmax=min(room, MAX_IDS), history=True)
                if room
                else None
            )
            with self.store.transaction() as conn:
                if answer is not None:
                    conn.executemany(
                        "INSERT OR IGNORE INTO pubmed_ids (run_key, mindate, pos, pmid) "
                        "VALUES (?, ?, ?, ?)",
                        [(key, mindate, pos, pmid) for pos, pmid in enumerate(answer.ids[:room])],
                    )
                conn.execute(
                    "UPDATE pubmed_slices SET searched = 1, webenv = ?, query_key = ? "
                    "WHERE run_key = ? AND mindate = ?",
                    (
                        answer.webenv if answer else "",
                        answer.query_key if answer else "",
                        key,
                        mindate,
                    ),
                )
            if answer is not None:
                self.progress(f"{mindate}–{maxdate}: {min(len(answer.ids), room):,} records")

    def _counts(self, key: str) -> tuple[int, int]:
        with self.store.transaction() as conn:
            total, done = conn.execute(
                "SELECT count(*), coalesce(sum(state != 'todo'), 0) FROM pubmed_ids "
                "WHERE run_key = ?",
                (key,),
            ).fetchone()
        return int(total), int(done)

    def _todo(self, key: str, mindate: str | None = None) -> list[tuple[str, int, str]]:
        with self.store.transaction() as conn:
            sql = "SELECT mindate, pos, pmid FROM pubmed_ids WHERE run_key = ? AND state = 'todo'"
            args: tuple[object, ...] = (key,)
            if mindate is not None:
                sql += " AND mindate = ?"
                args += (mindate,)
            return [tuple(r) for r in conn.execute(sql + " ORDER BY mindate DESC, pos", args)]

    def _store_batch(
        self, key: str, papers: list[Paper], wanted: set[str], report: PubmedReport
    ) -> int:
        """Draft the wanted papers and mark their ids done, in one transaction; return how many."""
        taken = 0
        with self.store.transaction() as conn:
            for paper in papers:
                if paper.pmid not in wanted:
                    continue
                wanted.discard(paper.pmid)
                self.importer.store_paper(conn, paper, report.imported)
                conn.execute(
                    "UPDATE pubmed_ids SET state = 'done' WHERE run_key = ? AND pmid = ?",
                    (key, paper.pmid),
                )
                taken += 1
        return taken

    def _fetch_from_history(self, key: str, term: str, report: PubmedReport) -> None:
        with self.store.transaction() as conn:
            slices = conn.execute(
                "SELECT mindate, maxdate, webenv, query_key FROM pubmed_slices "
                "WHERE run_key = ? AND searched = 1 ORDER BY mindate DESC",
                (key,),
            ).fetchall()
        total = report.matched
        for mindate, maxdate, webenv, query_key in slices:
            todo = self._todo(key, mindate)
            if not todo or not webenv:
                continue
            starts = sorted({pos // BATCH * BATCH for _, pos, _ in todo})
            wanted = {pmid for _, _, pmid in todo}
            renewed = False
            for start in starts:
                try:
                    papers = self.client.fetch_history(webenv, query_key, start, BATCH)
                except HistoryExpired:
                    if renewed:
                        break  # the rest is fetched by id
                    # A run resumed hours later: the history server has forgotten the search.
                    answer = self.client.search(term, mindate, maxdate, retmax=0, history=True)
                    webenv, query_key, renewed = answer.webenv, answer.query_key, True
                    papers = self.client.fetch_history(webenv, query_key, start, BATCH)
                self._store_batch(key, papers, wanted, report)
                _, done = self._counts(key)
                self.progress(f"fetched {done:,} of {total:,}")

    def _fetch_rest_by_id(self, key: str, report: PubmedReport) -> None:
        todo = [pmid for _, _, pmid in self._todo(key)]
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            wanted = set(batch)
            papers = self.client.fetch_ids(batch)
            self._store_batch(key, papers, wanted, report)
            if wanted:
                with self.store.transaction() as conn:
                    conn.executemany(
                        "UPDATE pubmed_ids SET state = 'missing' WHERE run_key = ? AND pmid = ?",
                        [(key, pmid) for pmid in sorted(wanted)],
                    )
                report.missing += sorted(wanted)
