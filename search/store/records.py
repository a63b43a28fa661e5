"""`records.jsonl`: the full cleaned records, one compact JSON object a line, newest first.

Study pages and exports read one record at a time by its (offset, length), which the serving
tables keep per document.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

RECORDS_FILE = "records.jsonl"


def encode_record(record: Mapping[str, Any]) -> bytes:
    """Return a record's line (without its line break)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def write_records(
    generation: Path, records: Sequence[dict[str, Any]], lines: Mapping[str, bytes]
) -> dict[str, tuple[int, int]]:
    """Write the records (an unchanged one's line as it was) and return each slug's
    (offset, length)."""
    offsets: dict[str, tuple[int, int]] = {}
    with (generation / RECORDS_FILE).open("wb") as handle:
        for record in records:
            data = lines.get(record["slug"])
            if data is None:
                data = encode_record(record)
            offsets[record["slug"]] = (handle.tell(), len(data))
            handle.write(data + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return offsets


def read_records(generation: Path) -> Iterator[tuple[dict[str, Any], bytes]]:
    """Yield each record of a generation with its line as written."""
    with (generation / RECORDS_FILE).open("rb") as handle:
        for line in handle:
            yield json.loads(line), line.rstrip(b"\n")


class RecordsReader:
    """Reads single records of a generation by (offset, length); safe to share by threads."""

    def __init__(self, generation: Path) -> None:
        self.fd = os.open(generation / RECORDS_FILE, os.O_RDONLY)

    def read(self, offset: int, length: int) -> dict[str, Any]:
        """Return the record stored at offset."""
        record: dict[str, Any] = json.loads(os.pread(self.fd, length, offset))
        return record
