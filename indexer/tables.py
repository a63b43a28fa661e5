"""Precomputing what serving needs (facet bitsets, sort orders, result rows) at build time."""

from __future__ import annotations

import re
from bisect import insort
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from search.analysis import STOP_WORDS, fold_word
from search.markers import MarkerDictionary
from search.schema import FACETS
from search.store.tables import IndexTables, updated_rows
from search.vocabularies import criterion_key, tag_key


def marker_keys(record: dict[str, Any], markers: MarkerDictionary) -> list[str]:
    """Return the keys of the markers a record lists or reports findings for, in order."""
    keys: dict[str, None] = {}
    for name in record.get("markers") or []:
        keys[markers.key_of(name)] = None
    for finding in record.get("findings") or []:
        keys[markers.key_of(finding["marker"])] = None
    return list(keys)


def facet_values(
    record: dict[str, Any], markers: MarkerDictionary
) -> dict[str, list[tuple[str, str]]]:
    """Return, per facet, the (key, label) pairs of one record."""
    out: dict[str, list[tuple[str, str]]] = {
        "pem": [(record.get("pem", "unknown"),) * 2],
        "criteria": [(criterion_key(c), c) for c in record.get("criteria") or []],
        "design": [(record["design"],) * 2] if record.get("design") else [],
        "marker": [(k, markers.display.get(k, k)) for k in marker_keys(record, markers)],
        "year": [(str(record["year"]),) * 2],
        "sex": [(record["sex"],) * 2] if record.get("sex") else [],
        "topic": [(tag_key(t), t) for t in record.get("topics") or []],
        "intervention": [(tag_key(t), t) for t in record.get("interventions") or []],
        "evidence_level": [(record["evidence_level"],) * 2] if record.get("evidence_level") else [],
        "confidence": [(record["confidence"],) * 2] if record.get("confidence") else [],
        "peer_reviewed": (
            [(str(record["peer_reviewed"]).lower(),) * 2] if "peer_reviewed" in record else []
        ),
    }
    return out


def result_row(record: dict[str, Any], markers: MarkerDictionary) -> dict[str, Any]:
    """Return the fields a result list shows for a record, plus keys used for related studies."""
    return {
        "slug": record["slug"],
        "title": record["title"],
        "authors": record["authors"],
        "year": record["year"],
        "journal": record.get("journal"),
        "doi": record.get("doi"),
        "pmid": record.get("pmid"),
        "pem": record.get("pem", "unknown"),
        "criteria": record.get("criteria") or [],
        "design": record.get("design"),
        "markers": record.get("markers") or [],
        "retracted": bool(record.get("retracted", False)),
        "marker_keys": marker_keys(record, markers),
        "topic_keys": [tag_key(t) for t in record.get("topics") or []],
    }


# Each precomputed order's sort key; records and result rows both hold the fields it reads.
OrderKey = Callable[[Mapping[str, Any]], tuple[Any, ...]]
ORDER_KEYS: dict[str, OrderKey] = {
    "newest": lambda r: (-r["year"], r["title"].casefold(), r["slug"]),
    "oldest": lambda r: (r["year"], r["title"].casefold(), r["slug"]),
    "title": lambda r: (r["title"].casefold(), -r["year"], r["slug"]),
}


def _second(key: OrderKey) -> Callable[[tuple[int, Mapping[str, Any]]], tuple[Any, ...]]:
    """Return the sort key of a (docnum, record) pair: its record's."""
    return lambda pair: key(pair[1])


def _of_row(
    key: OrderKey, rows: Sequence[Mapping[str, Any] | None]
) -> Callable[[int], tuple[Any, ...]]:
    """Return the sort key of a docnum: its result row's (every document in an order has one)."""

    def of(docnum: int) -> tuple[Any, ...]:
        row = rows[docnum]
        assert row is not None, docnum
        return key(row)

    return of


def sort_orders(records_by_doc: Sequence[dict[str, Any] | None]) -> dict[str, list[int]]:
    """Return docnums in each precomputed order: newest, oldest and title (slug breaks ties)."""
    live = [(d, r) for d, r in enumerate(records_by_doc) if r is not None]
    return {
        name: [d for d, _ in sorted(live, key=_second(key))] for name, key in ORDER_KEYS.items()
    }


_VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,}")


def word_counts(records: Iterable[dict[str, Any]]) -> Counter[str]:
    """Return how often each word (folded, three letters or more) occurs in the records' prose.

    The vocabulary that spelling suggestions draw on. Counts add up, so an incremental build
    updates them by subtracting old versions of records and adding new ones.
    """
    raw: Counter[str] = Counter()
    for record in records:  # record by record: one string of a whole corpus needs gigabytes
        text = " ".join(
            [
                record["title"],
                record.get("summary", ""),
                record.get("significance", ""),
                record.get("limitations", ""),
                *(record.get("topics") or []),
                *(record.get("interventions") or []),
            ]
        )
        raw.update(_VOCABULARY_WORD.findall(text.lower()))
    counts: Counter[str] = Counter()
    for word, n in raw.items():
        folded = fold_word(word)
        if folded.isalpha() and folded not in STOP_WORDS:
            counts[folded] += n
    return counts


def _add_bits(
    docnum: int,
    record: dict[str, Any],
    markers: MarkerDictionary,
    facets: dict[str, dict[str, int]],
    labels: dict[str, dict[str, str]],
    evidence: dict[str, dict[str, int]],
) -> None:
    """Set a document's bit in the bitsets of its facet values and evidence directions."""
    bit = 1 << docnum
    for facet, pairs in facet_values(record, markers).items():
        values = facets.setdefault(facet, {})
        names = labels.setdefault(facet, {})
        for key, label in pairs:
            values[key] = values.get(key, 0) | bit
            names.setdefault(key, label)
    for finding in record.get("findings") or []:
        slot = evidence.setdefault(markers.key_of(finding["marker"]), {})
        slot[finding["direction"]] = slot.get(finding["direction"], 0) | bit


def _vocabulary(
    given: dict[str, int] | None, records_by_doc: Sequence[dict[str, Any] | None]
) -> dict[str, int]:
    if given is not None:
        return dict(given)
    return word_counts(r for r in records_by_doc if r is not None)


@dataclass(frozen=True)
class TableInputs:
    """What the serving tables are made from, whether built afresh or updated: the records
    by Whoosh document number and what the build worked out about the corpus and layout."""

    generation: str
    records_by_doc: Sequence[dict[str, Any] | None]  # None: a deleted document number
    offsets: Sequence[tuple[int, int]]  # (offset, length) of each record in records.jsonl
    markers: MarkerDictionary
    corpus_forms: dict[str, str]
    corpus_labels: dict[str, str]
    field_lengths: dict[str, bytes]
    vocabulary: dict[str, int] | None = None  # None: counted from the records

    def tables(
        self,
        slugs: list[str | None],
        rows: Sequence[dict[str, Any] | None],
        all_docs: int,
        facets: dict[str, dict[str, int]],
        labels: dict[str, dict[str, str]],
        orders: dict[str, list[int]],
        evidence: dict[str, dict[str, int]],
    ) -> IndexTables:
        """Return the tables: these inputs with the per-document parts worked out from them."""
        return IndexTables(
            generation=self.generation,
            doc_count=len(self.records_by_doc),
            slugs=slugs,
            rows=rows,
            offsets=list(self.offsets),
            all_docs=all_docs,
            facets=facets,
            facet_labels=labels,
            orders=orders,
            evidence=evidence,
            marker_forms=self.corpus_forms,
            marker_labels=self.corpus_labels,
            vocabulary=_vocabulary(self.vocabulary, self.records_by_doc),
            field_lengths=self.field_lengths,
        )


def build_tables(inputs: TableInputs) -> IndexTables:
    """Return the serving tables for records laid out by Whoosh document number."""
    records_by_doc, markers = inputs.records_by_doc, inputs.markers
    facets: dict[str, dict[str, int]] = {}
    labels: dict[str, dict[str, str]] = {}
    evidence: dict[str, dict[str, int]] = {}
    all_docs = 0
    rows: list[dict[str, Any] | None] = []
    slugs: list[str | None] = []
    for docnum, record in enumerate(records_by_doc):
        if record is None:
            rows.append(None)
            slugs.append(None)
            continue
        all_docs |= 1 << docnum
        rows.append(result_row(record, markers))
        slugs.append(record["slug"])
        _add_bits(docnum, record, markers, facets, labels, evidence)
    for facet in FACETS:
        facets.setdefault(facet, {})
        labels.setdefault(facet, {})
    return inputs.tables(
        slugs, rows, all_docs, facets, labels, sort_orders(records_by_doc), evidence
    )


def _lowest(bits: int) -> int:
    return (bits & -bits).bit_length() - 1


def _without_facets(
    old: IndexTables, removed_bits: int
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]], dict[str, set[str]]]:
    """Return the old facets and labels without the removed documents, and per facet the keys
    whose label came from a removed document (the first one holding it)."""
    relabel: dict[str, set[str]] = {}
    facets: dict[str, dict[str, int]] = {}
    labels: dict[str, dict[str, str]] = {}
    for facet, values in old.facets.items():
        names = old.facet_labels[facet]
        facets[facet] = out = {}
        labels[facet] = out_names = {}
        for key, bits in values.items():
            if bits & removed_bits:
                if (removed_bits >> _lowest(bits)) & 1:
                    relabel.setdefault(facet, set()).add(key)
                bits &= ~removed_bits
                if not bits:
                    continue
            out[key] = bits
            out_names[key] = names[key]
    return facets, labels, relabel


def _without_evidence(old: IndexTables, removed_bits: int) -> dict[str, dict[str, int]]:
    """Return the old evidence bitsets without the removed documents."""
    evidence: dict[str, dict[str, int]] = {}
    for marker, directions in old.evidence.items():
        kept_directions = {d: b & ~removed_bits for d, b in directions.items()}
        kept_directions = {d: b for d, b in kept_directions.items() if b}
        if kept_directions:
            evidence[marker] = kept_directions
    return evidence


def _relabel(
    relabel: dict[str, set[str]],
    facets: dict[str, dict[str, int]],
    labels: dict[str, dict[str, str]],
    records_by_doc: Sequence[dict[str, Any] | None],
    markers: MarkerDictionary,
) -> None:
    """Label each value whose labelling document was removed from its first document now."""
    for facet, keys in relabel.items():
        for key in keys:
            if key in facets[facet]:
                first = records_by_doc[_lowest(facets[facet][key])]
                assert first is not None
                pairs = facet_values(first, markers)[facet]
                labels[facet][key] = next(label for k, label in pairs if k == key)


def _merged_orders(
    old: dict[str, list[int]],
    removed: list[int],
    added: list[int],
    rows: Sequence[dict[str, Any] | None],
) -> dict[str, list[int]]:
    """Return the old sort orders without the removed documents, the added ones inserted."""
    orders = {}
    dropped = set(removed)
    for name, order in old.items():
        by_row = ORDER_KEYS[name]
        merged = [d for d in order if d not in dropped] if dropped else list(order)
        for docnum in added:
            insort(merged, docnum, key=_of_row(by_row, rows))
        orders[name] = merged
    return orders


def update_tables(old: IndexTables, inputs: TableInputs) -> IndexTables:
    """Return the same tables as `build_tables`, derived from the tables of the generation
    an incremental build extends.

    Whoosh keeps the document numbers of old segments (deleted ones stay deleted) and appends
    the new segment after them, so every document below `old.doc_count` is either one of the
    old tables' unchanged records at the same number, or gone. Only removed and added documents
    are touched; re-deriving everything would take most of an incremental build of a large index.
    """
    records_by_doc, markers = inputs.records_by_doc, inputs.markers
    kept = old.doc_count
    removed = [d for d in range(kept) if old.slugs[d] is not None and records_by_doc[d] is None]
    added = [d for d in range(kept, len(records_by_doc)) if records_by_doc[d] is not None]
    removed_bits = sum(1 << d for d in removed)
    added_bits = sum(1 << d for d in added)

    facets, labels, relabel = _without_facets(old, removed_bits)
    evidence = _without_evidence(old, removed_bits)

    changed_rows: dict[int, dict[str, Any] | None] = dict.fromkeys(removed)
    slugs = list(old.slugs)
    for docnum in removed:
        slugs[docnum] = None
    for docnum in range(kept, len(records_by_doc)):
        record = records_by_doc[docnum]
        changed_rows[docnum] = result_row(record, markers) if record is not None else None
        slugs.append(record["slug"] if record is not None else None)
        if record is None:
            continue
        _add_bits(docnum, record, markers, facets, labels, evidence)
    rows = updated_rows(old.rows, changed_rows, len(records_by_doc))
    _relabel(relabel, facets, labels, records_by_doc, markers)
    # marker labels come from the corpus, which may name a marker differently now
    labels["marker"] = {k: markers.display.get(k, k) for k in facets["marker"]}

    orders = _merged_orders(old.orders, removed, added, rows)
    all_docs = (old.all_docs & ~removed_bits) | added_bits
    return inputs.tables(slugs, rows, all_docs, facets, labels, orders, evidence)


def updated_vocabulary(
    old: dict[str, int],
    old_records: Mapping[str, dict[str, Any]],
    changed: Sequence[dict[str, Any]],
    replaced: Sequence[str],
) -> dict[str, int] | None:
    """Return the previous vocabulary with the old versions of `replaced` slugs taken out and
    `changed` records added (None when an old version is not known)."""
    if any(slug not in old_records for slug in replaced):
        return None
    counts = Counter(old)
    counts.subtract(word_counts(old_records[s] for s in replaced))
    counts.update(word_counts(changed))
    return {w: n for w, n in counts.items() if n > 0}
