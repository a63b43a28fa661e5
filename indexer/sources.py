"""Reading study records from sources: directories of *.json files and JSON Lines files."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.forked import ChildFailed, Forked
from search.records import Problem, record_warnings, validate_record

# One record is a few kilobytes; anything this large is not a study record.
MAX_RECORD_BYTES = 5 * 1024 * 1024
# Records are validated this many at a time; a batch with at least PARALLEL_FROM records to
# validate has half of them validated by a second process when there is a second core.
BATCH = 5000
PARALLEL_FROM = 1000


@dataclass(frozen=True)
class RawRecord:
    """A parsed JSON value and where it came from."""

    value: Any
    file: str
    line: int | None
    digest: str = ""  # hash of the raw text, so unchanged records need not be validated again


@dataclass
class LoadResult:
    """Valid records in source order, plus every problem and warning found."""

    records: list[dict[str, Any]] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)  # slug -> "file[:line]"
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    digests: dict[str, str] = field(default_factory=dict)  # slug -> digest of its raw text

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.is_warning]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, Problem(
            file,
            None,
            None,
            None,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8",
        )


def _json_error(exc: json.JSONDecodeError) -> str:
    return f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def read_json_file(path: Path, known: Container[str] = ()) -> Iterator[RawRecord | Problem]:
    """Yield the one record of a *.json file, or the problem that stops it being read.

    A file whose digest is `known` is not parsed: its value is None, the caller has it.
    """
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_RECORD_BYTES:
            yield Problem(
                file,
                None,
                None,
                None,
                f"file is {size / 1e6:.1f} MB, too large for one study record "
                f"(limit {MAX_RECORD_BYTES // 1_000_000} MB)",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Problem(file, None, None, None, f"cannot read file: {exc.strerror}")
        return
    digest = _digest(data)
    if digest in known:
        yield RawRecord(None, file, None, digest)
        return
    text, problem = _decode(data, file)
    if problem:
        yield problem
        return
    assert text is not None
    if not text.strip():
        yield Problem(file, None, None, None, "empty file; expected one JSON object")
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Problem(file, None, None, None, _json_error(exc))
        return
    except RecursionError:
        yield Problem(file, None, None, None, "not valid JSON: nested too deeply")
        return
    if isinstance(value, list):
        yield Problem(
            file,
            None,
            None,
            None,
            "expected one JSON object, found an array; put several records in a "
            ".jsonl file, one per line",
        )
        return
    if not isinstance(value, dict):
        yield Problem(
            file, None, None, None, f"expected one JSON object, found {type(value).__name__}"
        )
        return
    yield RawRecord(value, file, None, digest)


def read_jsonl_file(path: Path, known: Container[str] = ()) -> Iterator[RawRecord | Problem]:
    """Yield each record of a JSON Lines file, or a problem naming its line.

    Lines whose digest is `known` are not parsed: their value is None, the caller has them.
    """
    file = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Problem(file, None, None, None, f"cannot read file: {exc.strerror}")
        return
    seen_any = False
    with handle:
        for number, data in enumerate(handle, start=1):
            if len(data) > MAX_RECORD_BYTES:
                yield Problem(
                    file,
                    number,
                    None,
                    None,
                    f"line is {len(data) / 1e6:.1f} MB, too large for one study record",
                )
                continue
            digest = _digest(data.rstrip(b"\r\n"))
            if digest in known:
                seen_any = True
                yield RawRecord(None, file, number, digest)
                continue
            text, problem = _decode(data, file)
            if problem:
                yield Problem(file, number, None, None, problem.message)
                continue
            assert text is not None
            if not text.strip():
                continue
            seen_any = True
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Problem(
                    file, number, None, None, f"not valid JSON: {exc.msg} at column {exc.colno}"
                )
                continue
            except RecursionError:
                yield Problem(file, number, None, None, "not valid JSON: nested too deeply")
                continue
            if not isinstance(value, dict):
                yield Problem(
                    file,
                    number,
                    None,
                    None,
                    f"expected one JSON object per line, found {type(value).__name__}",
                )
                continue
            yield RawRecord(value, file, number, digest)
    if not seen_any:
        yield Problem(file, None, None, None, "empty file; expected one JSON object per line")


def source_files(source: Path) -> Iterator[Path]:
    """Yield the record files of a source: itself, or every *.json and *.jsonl below it."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.suffix in (".json", ".jsonl") and path.is_file():
                yield path
    else:
        yield source


def read_source(source: Path, known: Container[str] = ()) -> Iterator[RawRecord | Problem]:
    """Yield the raw records (and reading problems) of one source path."""
    if not source.exists():
        yield Problem(str(source), None, None, None, "no such file or directory")
        return
    for path in source_files(source):
        if path.suffix == ".jsonl":
            yield from read_jsonl_file(path, known)
        else:
            yield from read_json_file(path, known)


def _validate_each(raws: Sequence[RawRecord]) -> list[tuple[dict[str, Any] | None, list[Problem]]]:
    return [validate_record(raw.value, raw.file, raw.line) for raw in raws]


def _validate_all(raws: Sequence[RawRecord]) -> list[tuple[dict[str, Any] | None, list[Problem]]]:
    """Return the cleaned record (or None) and the problems of each raw record, in order.

    Validation is most of a full build's reading and uses one core; with two, a forked process
    validates the second half (it inherits the raw records) and sends its results back pickled.
    """
    if len(raws) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return _validate_each(raws)
    half = len(raws) // 2
    second_half = Forked(lambda: _validate_each(raws[half:]))
    first = _validate_each(raws[:half])
    try:
        second = second_half.result()
    except ChildFailed:  # do its half here
        second = _validate_each(raws[half:])
    return first + second


def load_records(
    sources: Iterable[Path], known: Mapping[str, dict[str, Any]] | None = None
) -> LoadResult:
    """Return every valid record of the sources, with all problems found (none are fatal here).

    `known` maps raw-text digests to records already cleaned by this same record schema (an
    earlier build's); those are taken as they are instead of being validated again.
    """
    known = known or {}
    result = LoadResult()
    files: set[str] = set()
    items = itertools.chain.from_iterable(read_source(Path(s), known) for s in sources)
    while batch := list(itertools.islice(items, BATCH)):
        fresh = [
            item
            for item in batch
            if isinstance(item, RawRecord) and (not item.digest or item.digest not in known)
        ]
        validated = iter(_validate_all(fresh))
        for item in batch:
            files.add(item.file)
            if isinstance(item, Problem):
                result.problems.append(item)
                continue
            cleaned = known.get(item.digest) if item.digest else None
            record: dict[str, Any] | None
            if cleaned is not None:
                record, problems = cleaned, record_warnings(cleaned, item.file, item.line)
            else:
                record, problems = next(validated)
            if record is not None and item.digest:
                result.digests[record["slug"]] = item.digest
            result.problems.extend(problems)
            if record is None:
                continue
            where = item.file if item.line is None else f"{item.file}:{item.line}"
            slug = record["slug"]
            if slug in result.locations:
                result.problems.append(
                    Problem(
                        item.file,
                        item.line,
                        slug,
                        "slug",
                        f"duplicate slug; first defined at {result.locations[slug]}",
                    )
                )
                continue
            result.locations[slug] = where
            result.records.append(record)
    result.files_read = len(files)
    return result
