"""The same search work done by tantivy (Python bindings) and SQLite FTS5, for comparison.

"The same work": the same records as our index sees them (loaded and cleaned by the indexer,
with the same marker keys and criteria ids), the same queries, and for each query the total,
the top 20 (or the requested page) in the query's order, and counts over the whole match set
for the pem, criteria, design and year facets. Queries are interpreted once by our own query
reader (`interpret`), outside the timed part, so both rivals are spared marker recognition.

Differences we accept and report rather than hide: each engine has its own tokenizer and
stemmer (Whoosh's Porter, tantivy's Snowball, SQLite's Porter) and its own stop words (we drop
a few English ones); our facet counts for a filtered facet leave its own selection out, so only
facets without a selection are compared.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search import parse
from search import query as query_language
from search.filters import filter_key
from search.markers import GREEK, MarkerDictionary, find_mentions, fold
from search.vocabularies import criterion_key, tag_key

PROSE_FIELDS = query_language.PROSE_FIELDS
NAME_FIELDS = ("authors", "journal")
TEXT_FIELDS = PROSE_FIELDS + NAME_FIELDS
COMPARED_FACETS = ("pem", "criteria", "design", "year")
# The same weights our query builder gives each field.
BOOSTS = {field: query_language.WEIGHTS[field] for field in TEXT_FIELDS}
FILTERS = ("pem", "criteria", "design", "sex", "marker", "topic")


class Unsupported(ValueError):
    """A query uses syntax the rivals' translation does not cover (the mix avoids it)."""


@dataclass(frozen=True)
class Clause:
    """One required part of a query."""

    kind: str  # "word", "phrase", "field", "marker", "keyword", "year"
    text: str = ""  # the word, phrase or field value as typed; the key for marker/keyword
    field: str = ""  # for "field" and "keyword"
    mentions: bool = True  # markers: also match studies that only mention the marker
    phrase: str = ""  # markers typed as ordinary words ("heart rate") also match the words
    lo: int = 0
    hi: int = 9999


@dataclass(frozen=True)
class Request:
    """A search as the rivals run it: required clauses, filters (keys), order and page."""

    clauses: tuple[Clause, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    year_from: int | None
    year_to: int | None
    sort: str  # "relevance", "newest" or "title"
    offset: int
    limit: int

    @property
    def has_text(self) -> bool:
        return any(c.kind in ("word", "phrase", "field") for c in self.clauses)


@dataclass(frozen=True)
class RivalResult:
    """What a rival returns: the total, the page of slugs and the compared facets' counts."""

    total: int
    slugs: tuple[str, ...]
    facets: dict[str, dict[str, int]]


# ---- interpreting a query once, with our own reader ------------------------------------------


def _year_bounds(value: str) -> tuple[int, int]:
    bounds = query_language.year_range(value)
    if bounds is None:
        raise Unsupported(f"year:{value}")
    return bounds


def _is_id_like(text: str) -> bool:
    # as our query builder decides: a marker typed as ordinary words also matches the words
    return any(ch.isdigit() for ch in text) or any(ch in GREEK for ch in text.casefold())


def _words(text: str, markers: MarkerDictionary) -> list[Clause]:
    out: list[Clause] = []
    pos = 0
    for mention in find_mentions(text, markers):
        out.extend(Clause("word", w) for w in text[pos : mention.start].split())
        span = text[mention.start : mention.end]
        out.append(Clause("marker", mention.key, phrase="" if _is_id_like(span) else span))
        pos = mention.end
    out.extend(Clause("word", w) for w in text[pos:].split())
    return out


def _clauses(node: query_language.Node, markers: MarkerDictionary) -> list[Clause]:
    if isinstance(node, query_language.Words):
        return _words(node.text, markers)
    if isinstance(node, query_language.Phrase):
        key = markers.lookup_free_text(fold(node.text))
        if key is not None:
            return [Clause("marker", key, phrase=node.text)]
        return [Clause("phrase", node.text)]
    if isinstance(node, query_language.Fielded):
        name, value = node.name, node.value
        if name in ("title", "topic", "intervention"):
            return [Clause("field", value, field=name)]
        if name in ("author", "journal"):
            return [Clause("field", value, field="authors" if name == "author" else "journal")]
        if name == "marker":
            return [Clause("marker", markers.key_of(value), mentions=False)]
        if name == "criteria":
            return [Clause("keyword", criterion_key(value), field="criteria")]
        if name == "design":
            return [Clause("keyword", "-".join(value.lower().split()), field="design")]
        if name == "year":
            lo, hi = _year_bounds(value)
            return [Clause("year", lo=lo, hi=hi)]
        raise Unsupported(f"{name}:")
    if isinstance(node, query_language.All):
        return [c for child in node.nodes for c in _clauses(child, markers)]
    raise Unsupported(type(node).__name__)


def interpret(args: dict[str, Any], markers: MarkerDictionary) -> Request:
    """Return the rivals' form of a search given as URL parameters."""
    params = parse(args)
    clauses: list[Clause] = []
    if params.q:
        node, notice = query_language.read(params.q)
        if notice:
            raise Unsupported(notice)
        if node is not None:
            clauses = _clauses(node, markers)
    filters = []
    for name, values in params.filters:
        if name not in FILTERS:
            raise Unsupported(f"filter {name}")
        filters.append((name, tuple(filter_key(name, v, markers) for v in values)))
    sort = params.effective_sort
    if sort not in ("relevance", "newest", "title"):
        raise Unsupported(f"sort {sort}")
    offset = (params.page - 1) * params.per_page
    return Request(
        tuple(clauses),
        tuple(filters),
        params.year_from,
        params.year_to,
        sort,
        offset,
        params.per_page,
    )


# ---- the records as the rivals index them -----------------------------------------------------


@dataclass(frozen=True)
class RivalDoc:
    """One record flattened into the fields both rivals index."""

    slug: str
    year: int
    title_key: str
    text: dict[str, str]  # TEXT_FIELDS
    markers: tuple[str, ...]
    mentions: tuple[str, ...]
    pem: str
    criteria: tuple[str, ...]
    design: str
    sex: str
    topics: tuple[str, ...]


def rival_docs(records: Sequence[dict[str, Any]], markers: MarkerDictionary) -> list[RivalDoc]:
    """Return the records as the rivals index them, with our marker keys and criteria ids."""
    from indexer.tables import marker_keys

    docs = []
    for r in records:
        body = "\n".join(r.get(k, "") for k in ("summary", "significance", "limitations"))
        prose = " \n ".join([r["title"], body, *(r.get("topics") or [])])
        docs.append(
            RivalDoc(
                slug=r["slug"],
                year=r["year"],
                title_key=r["title"].casefold(),
                text={
                    "title": r["title"],
                    "body": body,
                    "topic": " ; ".join(r.get("topics") or []),
                    "intervention": " ; ".join(r.get("interventions") or []),
                    "authors": " ; ".join(r["authors"]),
                    "journal": r.get("journal", ""),
                },
                markers=tuple(marker_keys(r, markers)),
                mentions=tuple(sorted({m.key for m in find_mentions(prose, markers)})),
                pem=r.get("pem", "unknown"),
                criteria=tuple(dict.fromkeys(criterion_key(c) for c in r.get("criteria") or [])),
                design=r.get("design", ""),
                sex=r.get("sex", ""),
                topics=tuple(dict.fromkeys(tag_key(t) for t in r.get("topics") or [])),
            )
        )
    return docs


def _directory_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---- tantivy ----------------------------------------------------------------------------------


class TantivyRival:
    """tantivy through its Python bindings: BM25, fast fields and a terms aggregation."""

    name = "tantivy"

    def __init__(self, path: Path, docs: Sequence[RivalDoc]) -> None:
        import tantivy

        self.t = tantivy
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("slug", stored=True, tokenizer_name="raw")
        for field in PROSE_FIELDS:
            builder.add_text_field(field, tokenizer_name="atlas_prose")
        for field in NAME_FIELDS:
            builder.add_text_field(field, tokenizer_name="atlas_names")
        for field in (
            "marker",
            "mention",
            "pem",
            "criteria",
            "design",
            "sex",
            "topic_key",
            "title_key",
        ):
            builder.add_text_field(field, tokenizer_name="raw", fast=True)
        builder.add_integer_field("year", indexed=True, fast=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(path))
        self._register_analyzers()
        writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        for d in docs:
            doc = tantivy.Document()
            doc.add_text("slug", d.slug)
            for field, value in d.text.items():
                if value:
                    doc.add_text(field, value)
            for field, values in (
                ("marker", d.markers),
                ("mention", d.mentions),
                ("criteria", d.criteria),
                ("topic_key", d.topics),
            ):
                for value in values:
                    doc.add_text(field, value)
            for field, value in (
                ("pem", d.pem),
                ("design", d.design),
                ("sex", d.sex),
                ("title_key", d.title_key),
            ):
                if value:
                    doc.add_text(field, value)
            doc.add_integer("year", d.year)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.size_bytes = _directory_size(path)

    def _register_analyzers(self) -> None:
        t = self.t
        prose = (
            t.TextAnalyzerBuilder(t.Tokenizer.simple())
            .filter(t.Filter.lowercase())
            .filter(t.Filter.ascii_fold())
            .filter(t.Filter.stemmer("english"))
            .build()
        )
        names = (
            t.TextAnalyzerBuilder(t.Tokenizer.simple())
            .filter(t.Filter.lowercase())
            .filter(t.Filter.ascii_fold())
            .build()
        )
        self.index.register_tokenizer("atlas_prose", prose)
        self.index.register_tokenizer("atlas_names", names)

    def _text(self, text: str, fields: Sequence[str]) -> Any:
        quoted = '"' + text.replace("\\", " ").replace('"', " ") + '"'
        return self.index.parse_query(
            quoted, list(fields), field_boosts={f: BOOSTS[f] for f in fields}
        )

    def _term(self, field: str, value: str) -> Any:
        return self.t.Query.term_query(self.schema, field, value)

    def _clause(self, clause: Clause) -> Any:
        t = self.t
        if clause.kind in ("word", "phrase"):
            return self._text(clause.text, TEXT_FIELDS)
        if clause.kind == "field":
            return self._text(clause.text, (clause.field,))
        if clause.kind == "marker":
            parts = [self._term("marker", clause.text)]
            if clause.mentions:
                parts.append(self._term("mention", clause.text))
            if clause.phrase:
                parts.append(self._text(clause.phrase, PROSE_FIELDS))
            return (
                parts[0]
                if len(parts) == 1
                else t.Query.boolean_query([(t.Occur.Should, p) for p in parts])
            )
        if clause.kind == "keyword":
            return self._term(clause.field, clause.text)
        if clause.kind == "year":
            return t.Query.range_query(
                self.schema, "year", t.FieldType.Integer, clause.lo, clause.hi
            )
        raise Unsupported(clause.kind)

    def query(self, request: Request) -> Any:
        t = self.t
        must = [self._clause(c) for c in request.clauses]
        for name, keys in request.filters:
            field = "topic_key" if name == "topic" else name
            must.append(t.Query.term_set_query(self.schema, field, list(keys)))
        if request.year_from is not None or request.year_to is not None:
            lo = request.year_from if request.year_from is not None else 0
            hi = request.year_to if request.year_to is not None else 9999
            must.append(t.Query.range_query(self.schema, "year", t.FieldType.Integer, lo, hi))
        if not must:
            return t.Query.all_query()
        if not request.has_text:
            # filters only: score nothing, as a filter should
            must = [t.Query.const_score_query(q, 1.0) for q in must]
        return (
            must[0] if len(must) == 1 else t.Query.boolean_query([(t.Occur.Must, q) for q in must])
        )

    def search(self, request: Request) -> RivalResult:
        """Return the total, the requested page of slugs and the compared facet counts."""
        query = self.query(request)
        options: dict[str, Any] = {"limit": request.limit, "offset": request.offset}
        if request.sort == "newest" or (request.sort == "relevance" and not request.has_text):
            options["order_by_field"] = "year"
        elif request.sort == "title":
            options.update(order_by_field="title_key", order=self.t.Order.Asc)
        found = self.searcher.search(query, **options)
        slugs = tuple(self.searcher.doc(address)["slug"][0] for _, address in found.hits)
        aggregation = self.searcher.aggregate(
            query, {name: {"terms": {"field": name, "size": 1000}} for name in COMPARED_FACETS}
        )
        facets = {
            name: {str(b["key"]): b["doc_count"] for b in aggregation[name]["buckets"]}
            for name in COMPARED_FACETS
        }
        return RivalResult(found.count, slugs, facets)


# ---- SQLite FTS5 ------------------------------------------------------------------------------


def fts5_available() -> bool:
    """Return whether this Python's SQLite was built with FTS5."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(a)")
    except sqlite3.OperationalError:
        return False
    return True


FTS_INSERT = (
    "INSERT INTO fts (rowid, title, body, topic, intervention, authors, journal) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# Multi-valued fields: one table each of (key, doc), and the RivalDoc attribute they hold.
LINK_TABLES = (
    ("doc_marker", "markers"),
    ("doc_mention", "mentions"),
    ("doc_criteria", "criteria"),
    ("doc_topic", "topics"),
)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class SqliteRival:
    """SQLite FTS5 (porter, diacritics removed): the match set in a temporary table, then
    the page ordered by bm25 (or year/title) and one GROUP BY per facet.

    Joins name the full-text table first with CROSS JOIN (which fixes SQLite's join order):
    given the choice, the planner drives the join from the other table and runs the MATCH
    once per row, which took 9 s instead of 30 ms for a common word at 10,000 studies.
    All columns share one tokenizer, so author and journal names are stemmed too.
    """

    name = "sqlite-fts5"

    def __init__(self, path: Path, docs: Sequence[RivalDoc]) -> None:
        path.unlink(missing_ok=True)
        db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE docs (id INTEGER PRIMARY KEY, slug TEXT, year INTEGER, title_key TEXT,
                               pem TEXT, design TEXT, sex TEXT);
            CREATE TABLE doc_marker (key TEXT, doc INTEGER);
            CREATE TABLE doc_mention (key TEXT, doc INTEGER);
            CREATE TABLE doc_criteria (key TEXT, doc INTEGER);
            CREATE TABLE doc_topic (key TEXT, doc INTEGER);
            CREATE VIRTUAL TABLE fts USING fts5(title, body, topic, intervention, authors, journal,
                tokenize = 'porter unicode61 remove_diacritics 2');
            """
        )
        db.execute("BEGIN")
        for i, d in enumerate(docs, start=1):
            db.execute(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (i, d.slug, d.year, d.title_key, d.pem, d.design, d.sex),
            )
            db.execute(FTS_INSERT, (i, *(d.text[f] for f in TEXT_FIELDS)))
            for table, keys in LINK_TABLES:
                db.executemany(
                    f"INSERT INTO {table} VALUES (?, ?)", [(v, i) for v in getattr(d, keys)]
                )
        db.execute("COMMIT")
        db.executescript(
            """
            CREATE INDEX doc_marker_key ON doc_marker (key, doc);
            CREATE INDEX doc_mention_key ON doc_mention (key, doc);
            CREATE INDEX doc_criteria_key ON doc_criteria (key, doc);
            CREATE INDEX doc_criteria_doc ON doc_criteria (doc, key);
            CREATE INDEX doc_topic_key ON doc_topic (key, doc);
            CREATE INDEX docs_year ON docs (year, title_key);
            INSERT INTO fts (fts) VALUES ('optimize');
            ANALYZE;
            PRAGMA temp_store = MEMORY;
            CREATE TEMP TABLE m (id INTEGER PRIMARY KEY);
            """
        )
        self.db = db
        self.size_bytes = path.stat().st_size
        self.doc_count = len(docs)

    def _predicates(self, request: Request) -> tuple[list[str], list[Any], list[str]]:
        """Return SQL predicates on docs d with their parameters, and the FTS5 expression parts."""
        where: list[str] = []
        values: list[Any] = []
        fts: list[str] = []
        for c in request.clauses:
            if c.kind in ("word", "phrase"):
                fts.append(_fts_string(c.text))
            elif c.kind == "field":
                fts.append(f"{c.field} : {_fts_string(c.text)}")
            elif c.kind == "marker":
                parts = ["d.id IN (SELECT doc FROM doc_marker WHERE key = ?)"]
                values.append(c.text)
                if c.mentions:
                    parts.append("d.id IN (SELECT doc FROM doc_mention WHERE key = ?)")
                    values.append(c.text)
                if c.phrase:
                    columns = " ".join(PROSE_FIELDS)
                    parts.append("d.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
                    values.append(f"{{{columns}}} : {_fts_string(c.phrase)}")
                where.append("(" + " OR ".join(parts) + ")")
            elif c.kind == "keyword" and c.field == "criteria":
                where.append("d.id IN (SELECT doc FROM doc_criteria WHERE key = ?)")
                values.append(c.text)
            elif c.kind == "keyword":
                where.append(f"d.{c.field} = ?")
                values.append(c.text)
            elif c.kind == "year":
                where.append("d.year BETWEEN ? AND ?")
                values += [c.lo, c.hi]
        for name, keys in request.filters:
            marks = ", ".join("?" * len(keys))
            if name in ("marker", "criteria", "topic"):
                where.append(f"d.id IN (SELECT doc FROM doc_{name} WHERE key IN ({marks}))")
            else:
                where.append(f"d.{name} IN ({marks})")
            values += list(keys)
        if request.year_from is not None or request.year_to is not None:
            where.append("d.year BETWEEN ? AND ?")
            values += [request.year_from or 0, request.year_to or 9999]
        return where, values, fts

    def search(self, request: Request) -> RivalResult:
        """Return the total, the requested page of slugs and the compared facet counts."""
        db = self.db
        where, values, fts = self._predicates(request)
        db.execute("DELETE FROM m")
        condition = " AND ".join(where) or "1"
        if fts:
            match = " AND ".join(fts)
            db.execute(
                f"INSERT INTO m SELECT fts.rowid FROM fts CROSS JOIN docs d ON d.id = fts.rowid "
                f"WHERE fts MATCH ? AND {condition}",
                [match, *values],
            )
        else:
            db.execute(f"INSERT INTO m SELECT d.id FROM docs d WHERE {condition}", values)
        total = db.execute("SELECT count(*) FROM m").fetchone()[0]
        page = [request.limit, request.offset]
        if fts and request.sort == "relevance":
            rows = db.execute(
                "SELECT d.slug FROM fts CROSS JOIN m ON m.id = fts.rowid "
                "CROSS JOIN docs d ON d.id = fts.rowid "
                "WHERE fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
                [match, *page],
            )
        else:
            order = (
                "d.title_key, d.year DESC"
                if request.sort == "title"
                else "d.year DESC, d.title_key"
            )
            rows = db.execute(
                f"SELECT d.slug FROM m JOIN docs d ON d.id = m.id "
                f"ORDER BY {order} LIMIT ? OFFSET ?",
                page,
            )
        slugs = tuple(r[0] for r in rows)
        # A small match set is cheapest walked first; for a large one the planner's choice wins.
        join = "CROSS JOIN" if total * 4 < self.doc_count else "JOIN"
        facets: dict[str, dict[str, int]] = {}
        for name in ("pem", "design", "year"):
            facets[name] = {
                str(k): n
                for k, n in db.execute(
                    f"SELECT d.{name}, count(*) FROM m {join} docs d ON d.id = m.id "
                    f"WHERE d.{name} != '' GROUP BY 1"
                )
            }
        facets["criteria"] = dict(
            db.execute(
                f"SELECT c.key, count(*) FROM m {join} doc_criteria c ON c.doc = m.id GROUP BY 1"
            )
        )
        return RivalResult(total, slugs, {k: facets[k] for k in COMPARED_FACETS})
