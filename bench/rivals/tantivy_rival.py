"""tantivy (Python bindings) holding the corpus: BM25, fast fields and a terms aggregation."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.rivals.contract import (
    BOOSTS,
    COMPARED_FACETS,
    NAME_FIELDS,
    PROSE_FIELDS,
    TEXT_FIELDS,
    Clause,
    Request,
    RivalResult,
    Unsupported,
)
from bench.rivals.docs import RivalDoc, directory_size

# Keyword fields, stored as fast fields for ordering and the terms aggregation.
KEYWORD_FIELDS = ("marker", "mention", "pem", "criteria", "design", "sex", "topic_key", "title_key")


def _schema(tantivy: Any) -> Any:
    """Return the index schema: the text fields with our analyzers, keywords raw and fast."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("slug", stored=True, tokenizer_name="raw")
    for field in PROSE_FIELDS:
        builder.add_text_field(field, tokenizer_name="atlas_prose")
    for field in NAME_FIELDS:
        builder.add_text_field(field, tokenizer_name="atlas_names")
    for field in KEYWORD_FIELDS:
        builder.add_text_field(field, tokenizer_name="raw", fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    return builder.build()


def _document(tantivy: Any, d: RivalDoc) -> Any:
    """Return one record as a tantivy document."""
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
    return doc


class TantivyRival:
    """tantivy through its Python bindings: BM25, fast fields and a terms aggregation."""

    name = "tantivy"

    def __init__(self, path: Path, docs: Sequence[RivalDoc]) -> None:
        import tantivy

        self.t = tantivy
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        self.schema = _schema(tantivy)
        self.index = tantivy.Index(self.schema, path=str(path))
        self._register_analyzers()
        writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        for d in docs:
            writer.add_document(_document(tantivy, d))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.size_bytes = directory_size(path)

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
        found: Any = self.searcher.search(query, **options)  # its stubs lack `count`
        slugs = tuple(self.searcher.doc(address)["slug"][0] for _, address in found.hits)
        aggregation = self.searcher.aggregate(
            query, {name: {"terms": {"field": name, "size": 1000}} for name in COMPARED_FACETS}
        )
        facets = {
            name: {str(b["key"]): b["doc_count"] for b in aggregation[name]["buckets"]}
            for name in COMPARED_FACETS
        }
        return RivalResult(found.count, slugs, facets)
