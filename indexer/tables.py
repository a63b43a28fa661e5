"""Precomputing what serving needs (facet bitsets, sort orders, result rows) at build time."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from search.analysis import fold_word
from search.schema import (
    FACETS,
    STOP_WORDS,
    IndexTables,
    MarkerDictionary,
    criterion_key,
    tag_key,
)


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


def sort_orders(records_by_doc: Sequence[dict[str, Any] | None]) -> dict[str, list[int]]:
    """Return docnums in each precomputed order: newest, oldest and title (slug breaks ties)."""
    live = [(d, r) for d, r in enumerate(records_by_doc) if r is not None]

    def title_key(r: dict[str, Any]) -> str:
        return r["title"].casefold()

    return {
        "newest": [
            d for d, r in sorted(live, key=lambda p: (-p[1]["year"], title_key(p[1]), p[1]["slug"]))
        ],
        "oldest": [
            d for d, r in sorted(live, key=lambda p: (p[1]["year"], title_key(p[1]), p[1]["slug"]))
        ],
        "title": [
            d for d, r in sorted(live, key=lambda p: (title_key(p[1]), -p[1]["year"], p[1]["slug"]))
        ],
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


def build_tables(
    generation: str,
    records_by_doc: Sequence[dict[str, Any] | None],
    offsets: Sequence[tuple[int, int]],
    markers: MarkerDictionary,
    corpus_forms: dict[str, str],
    corpus_labels: dict[str, str],
    field_lengths: dict[str, bytes],
    vocabulary: dict[str, int] | None = None,
) -> IndexTables:
    """Return the serving tables for records laid out by Whoosh document number."""
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
        bit = 1 << docnum
        all_docs |= bit
        rows.append(result_row(record, markers))
        slugs.append(record["slug"])
        for facet, pairs in facet_values(record, markers).items():
            values = facets.setdefault(facet, {})
            names = labels.setdefault(facet, {})
            for key, label in pairs:
                values[key] = values.get(key, 0) | bit
                names.setdefault(key, label)
        seen: set[tuple[str, str]] = set()
        for finding in record.get("findings") or []:
            pair = (markers.key_of(finding["marker"]), finding["direction"])
            if pair not in seen:
                seen.add(pair)
                slot = evidence.setdefault(pair[0], {})
                slot[pair[1]] = slot.get(pair[1], 0) | bit
    for facet in FACETS:
        facets.setdefault(facet, {})
        labels.setdefault(facet, {})
    return IndexTables(
        generation=generation,
        doc_count=len(records_by_doc),
        slugs=slugs,
        rows=rows,
        offsets=list(offsets),
        all_docs=all_docs,
        facets=facets,
        facet_labels=labels,
        orders=sort_orders(records_by_doc),
        evidence=evidence,
        marker_forms=corpus_forms,
        marker_labels=corpus_labels,
        vocabulary=dict(vocabulary)
        if vocabulary is not None
        else word_counts(r for r in records_by_doc if r is not None),
        field_lengths=field_lengths,
    )
