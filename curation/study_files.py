"""The file a published study's record lives in: found by slug, read as written, rewritten whole.

Editing a published study in the workspace writes its own file (a `*.json` file of a directory
source) and nothing else. A study kept in a JSON Lines file is edited where that file is made.
A write is atomic (a complete new file renamed over the old one) and refused when the file
changed after the curator opened it, so two curators cannot overwrite each other unseen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.atomic import write_atomically


class NotEditable(Exception):
    """The study is not in a file the workspace can rewrite; the text says why."""


class ChangedMeanwhile(Exception):
    """The file changed after it was read: reload and edit again."""


@dataclass(frozen=True)
class StudyFile:
    """A study's record as its file holds it, and the version (hash) of that file."""

    slug: str
    path: Path
    record: dict[str, Any]
    version: str


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _read(path: Path) -> tuple[dict[str, Any] | None, bytes]:
    try:
        data = path.read_bytes()
        record = json.loads(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None, b""
    return (record if isinstance(record, dict) else None), data


def _in_jsonl(path: Path, slug: str) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as lines:
            return any(f'"{slug}"' in line and _slug_of(line) == slug for line in lines)
    except OSError:
        return False


def _slug_of(line: str) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record.get("slug") if isinstance(record, dict) else None


def locate(slug: str, sources: Iterable[Path]) -> StudyFile:
    """Return the file holding the study; raises LookupError or NotEditable."""
    sources = list(sources)
    for source in sources:  # the usual layout first: <directory>/<slug>.json
        candidate = Path(source) / f"{slug}.json"
        record, data = _read(candidate) if Path(source).is_dir() else (None, b"")
        if record is not None and record.get("slug") == slug:
            return StudyFile(slug, candidate, record, _version(data))
    for source in map(Path, sources):
        if source.is_file() and _in_jsonl(source, slug):
            raise NotEditable(
                f"{slug} is kept in the JSON Lines file {source.name}; edit it where that "
                "file is made, then publish."
            )
        if source.is_dir():
            for path in sorted(source.rglob("*.json")):
                record, data = _read(path)
                if record is not None and record.get("slug") == slug:
                    return StudyFile(slug, path, record, _version(data))
    raise LookupError(slug)


def rewrite(study: StudyFile, record: dict[str, Any]) -> StudyFile:
    """Return the study as written: the record replaces the file, if unchanged since read."""
    _, current = _read(study.path)
    if _version(current) != study.version:
        raise ChangedMeanwhile(study.path.name)
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    write_atomically(study.path, text)
    return StudyFile(study.slug, study.path, record, _version(text.encode("utf-8")))
