"""`snippets.txt` and `snippets.idx`: per document, the texts its snippets are cut from and
the marker mentions the build found in them, so a results page neither parses whole records
nor scans prose for markers.

A line of snippets.txt is `slug<TAB>mentions<TAB>texts`: mentions a JSON list of
[text number, start, end, marker key], texts the SNIPPET_TEXTS joined by UNIT (their line
breaks made spaces, one character for one, so the spans stay right). Lines are in document
number order; snippets.idx holds little-endian int64 where each document's line starts, one
more than there are documents (a deleted document's line is empty: two equal starts).
"""

from __future__ import annotations

import json
import os
import sys
from array import array
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

SNIPPETS_FILE = "snippets.txt"
SNIPPETS_INDEX_FILE = "snippets.idx"
SNIPPET_TEXTS = ("summary", "significance", "limitations", "title")
UNIT = "\x1f"  # separates the texts of a snippet line


def encode_line(slug: str, texts: Sequence[str], where: Sequence[Sequence[Any]]) -> bytes:
    """Return the snippet line of a document: its texts and the mentions found in them."""
    shown = UNIT.join(t.replace("\n", " ").replace("\r", " ").replace(UNIT, " ") for t in texts)
    mentions = json.dumps(where, ensure_ascii=False, separators=(",", ":"))
    return f"{slug}\t{mentions}\t{shown}".encode()


def write_snippets(
    generation: Path,
    slugs_by_doc: Sequence[str | None],
    lines: Mapping[str, bytes],
    make_line: Callable[[str], bytes],
) -> None:
    """Write each document's snippet line in docnum order (`make_line` for a slug without
    one), and where each line starts."""
    starts = array("q", bytes(8 * (len(slugs_by_doc) + 1)))
    with (generation / SNIPPETS_FILE).open("wb") as handle:
        at = 0
        for docnum, slug in enumerate(slugs_by_doc):
            if slug is not None:
                line = lines.get(slug) or make_line(slug)
                handle.write(line + b"\n")
                at += len(line) + 1
            starts[docnum + 1] = at
        handle.flush()
        os.fsync(handle.fileno())
    if sys.byteorder != "little":
        starts.byteswap()
    with (generation / SNIPPETS_INDEX_FILE).open("wb") as handle:
        handle.write(starts.tobytes())
        handle.flush()
        os.fsync(handle.fileno())


def read_lines(generation: Path) -> dict[str, bytes]:
    """Return the snippet line of each slug in a generation (empty when it cannot be read)."""
    try:
        with (generation / SNIPPETS_FILE).open("rb") as handle:
            return {line.partition(b"\t")[0].decode(): line.rstrip(b"\n") for line in handle}
    except OSError:
        return {}


class SnippetsReader:
    """Reads one document's snippet texts at a time; safe to share by threads."""

    def __init__(self, generation: Path, doc_count: int) -> None:
        starts = array("q")
        starts.frombytes((generation / SNIPPETS_INDEX_FILE).read_bytes())
        if sys.byteorder != "little":
            starts.byteswap()
        self.starts = starts.tolist()
        if len(self.starts) != doc_count + 1:
            raise ValueError(f"the snippets of {generation.name} do not match its documents")
        self.fd = os.open(generation / SNIPPETS_FILE, os.O_RDONLY)

    def texts(self, docnum: int) -> tuple[list[str], str]:
        """Return the texts a snippet is cut from, and the marker mentions in them as JSON."""
        start, end = self.starts[docnum], self.starts[docnum + 1]
        line = os.pread(self.fd, end - start - 1, start).decode("utf-8")
        _, mentions, texts = line.split("\t", 2)
        return texts.split(UNIT), mentions
