"""The second step of a build: what to do. Nothing when the served generation holds exactly
these records; an incremental update when it can be extended (same format, synonyms and
corpus markers, not too many segments); a full build otherwise."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.sources import LoadResult
from indexer.validation import Previous
from search.markers import SYNONYMS_FILE, MarkerDictionary
from search.store import GENERATION_PREFIX, INDEX_FORMAT
from search.store.meta import read_meta
from search.store.reuse import read_hashes

# Incremental builds add a segment each; past this many, the next build is a full one.
MAX_SEGMENTS = 8


@dataclass
class Plan:
    """What a build will write: its mode, records and the hashes that describe them."""

    mode: str  # "unchanged", "incremental" or "full"
    records: list[dict[str, Any]]
    hashes: dict[str, str]  # slug -> content hash
    reused: set[str]  # slugs whose cleaned record and its line come from the served generation
    markers: MarkerDictionary  # the synonym table with the corpus's own markers
    forms: dict[str, str]
    labels: dict[str, str]
    content_hash: str
    synonyms_hash: str
    forms_hash: str
    served: Path | None
    old_meta: dict[str, Any] | None
    generation: str = ""
    stamp: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    changed: list[dict[str, Any]] = field(default_factory=list)  # incremental: to (re)index
    removed: list[str] = field(default_factory=list)  # incremental: slugs gone
    stale: list[str] = field(default_factory=list)  # incremental: slugs whose old docs go

    @property
    def stats(self) -> dict[str, int]:
        """Return how many records the build adds or changes, and removes."""
        if self.mode == "incremental":
            return {"added_or_changed": len(self.changed), "removed": len(self.removed)}
        return {"added_or_changed": len(self.records), "removed": 0}


def record_hash(record: dict[str, Any]) -> str:
    """Return a stable content hash of a cleaned record."""
    data = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def corpus_markers(
    records: Sequence[dict[str, Any]],
) -> tuple[MarkerDictionary, dict[str, str], dict[str, str]]:
    """Return the synonym table extended with every marker the records name."""
    base = MarkerDictionary.from_table()
    markers = MarkerDictionary(dict(base.forms), dict(base.display), set(base.prefixes))
    spellings: dict[str, dict[str, int]] = {}
    for record in records:
        names = list(record.get("markers") or []) + [
            f["marker"] for f in record.get("findings") or []
        ]
        for name in names:
            key = markers.add_corpus_marker(name)
            counts = spellings.setdefault(key, {})
            counts[name] = counts.get(name, 0) + 1
    forms = {f: k for f, k in markers.forms.items() if base.forms.get(f) != k}
    labels = {}
    for key, counts in spellings.items():
        if key not in base.display:
            # the most common spelling names a marker the table does not know
            labels[key] = max(counts.items(), key=lambda kv: (kv[1], -len(kv[0])))[0]
            markers.display[key] = labels[key]
    return markers, forms, labels


def make_plan(served: Path | None, load: LoadResult, previous: Previous, full: bool) -> Plan:
    """Return what a build of these records does to the served generation."""
    records = load.records
    reused = {
        r["slug"] for r in records if previous.is_unchanged(r["slug"], load.digests.get(r["slug"]))
    }
    hashes = {
        r["slug"]: previous.hashes[r["slug"]] if r["slug"] in reused else record_hash(r)
        for r in records
    }
    markers, forms, labels = corpus_markers(records)
    synonyms_hash = _file_hash(SYNONYMS_FILE)
    forms_hash = hashlib.sha256(json.dumps(sorted(forms.items())).encode()).hexdigest()[:16]
    content_hash = hashlib.sha256(
        json.dumps([INDEX_FORMAT, synonyms_hash, sorted(hashes.items())]).encode()
    ).hexdigest()[:32]
    old = read_meta(served) if served else None
    plan = Plan(
        "full",
        records,
        hashes,
        reused,
        markers,
        forms,
        labels,
        content_hash,
        synonyms_hash,
        forms_hash,
        served,
        old,
    )
    same_format = old is not None and old.get("format") == INDEX_FORMAT
    if not full and old is not None and same_format and old.get("content_hash") == content_hash:
        plan.mode = "unchanged"
        return plan
    plan.generation = f"{GENERATION_PREFIX}{plan.stamp:%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"
    can_update = (
        served is not None
        and old is not None
        and not full
        and same_format
        and old.get("synonyms_hash") == synonyms_hash
        and old.get("corpus_markers_hash") == forms_hash
        and old.get("segments", MAX_SEGMENTS) < MAX_SEGMENTS
    )
    if can_update and served is not None:
        old_hashes = read_hashes(served)
        plan.mode = "incremental"
        plan.changed = [r for r in records if old_hashes.get(r["slug"]) != hashes[r["slug"]]]
        plan.removed = [s for s in old_hashes if s not in hashes]
        plan.stale = plan.removed + [r["slug"] for r in plan.changed if r["slug"] in old_hashes]
    return plan
