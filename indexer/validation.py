"""The first step of a build: read the sources and validate every record, reusing what the
served generation already cleaned (a record whose raw text is unchanged is not validated,
hashed or serialised again)."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.sources import LoadResult, load_records
from search.store.meta import current_generation
from search.store.records import read_records
from search.store.reuse import read_digests, read_hashes
from search.store.tables import IndexTables, read_tables


@contextmanager
def long_lived() -> Iterator[None]:
    """Hide the objects a block makes from Python's cyclic garbage collector until the build
    ends (`build` unfreezes them).

    Records and tables, once read, live to the end of a build and hold no reference cycles, yet
    the collector walked all of their millions of objects again at every full pass: a sixth of
    an incremental build. They are made with the collector paused, then frozen (gc.freeze).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def validator_hash() -> str:
    """Return a hash of the code that cleans records: a change to it invalidates reuse."""
    from search import records as record_module
    from search import schema as schema_module
    from search import vocabularies as vocabulary_module

    modules = (record_module, schema_module, vocabulary_module)
    code = b"".join(Path(m.__file__ or "").read_bytes() for m in modules)
    return hashlib.sha256(code).hexdigest()[:16]


@dataclass
class Previous:
    """What a build reuses from the served generation."""

    name: str | None = None
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> cleaned record
    lines: dict[str, bytes] = field(default_factory=dict)  # slug -> its line in records.jsonl
    digests: dict[str, str] = field(default_factory=dict)  # slug -> digest of its raw text
    hashes: dict[str, str] = field(default_factory=dict)  # slug -> content hash

    def known(self) -> dict[str, dict[str, Any]]:
        """Return cleaned records by the digest of the raw text they were cleaned from."""
        return {self.digests[s]: r for s, r in self.records.items() if s in self.digests}

    def is_unchanged(self, slug: str, digest: str | None) -> bool:
        """Return whether a slug's raw text is the one the served generation cleaned."""
        return digest is not None and self.digests.get(slug) == digest and slug in self.hashes

    def tables(self, index_dir: Path) -> IndexTables | None:
        """Return the served generation's tables, or None when they cannot be read."""
        try:
            with long_lived():
                return read_tables(index_dir / (self.name or ""))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _previous(index_dir: Path) -> Previous:
    """Return the served generation's cleaned records with the digests of their raw text.

    Nothing is reused when the cleaning code has changed since, or anything is missing or
    unreadable.
    """
    generation = current_generation(index_dir)
    if generation is None:
        return Previous()
    try:
        validator, digests = read_digests(generation)
        if validator != validator_hash():
            return Previous()
        previous = Previous(generation.name, digests=digests)
        previous.hashes = read_hashes(generation)
        for record, line in read_records(generation):
            previous.records[record["slug"]] = record
            previous.lines[record["slug"]] = line
        return previous
    except (OSError, ValueError, KeyError, TypeError):
        return Previous()


def validate(
    index_dir: Path, sources: Sequence[Path], *, reuse: bool
) -> tuple[Previous, LoadResult]:
    """Return what the served generation lets this build reuse (nothing unless `reuse`) and
    the sources' records, validated."""
    with long_lived():
        previous = _previous(index_dir) if reuse else Previous()
        return previous, load_records(sources, previous.known())
