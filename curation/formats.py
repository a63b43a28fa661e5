"""Which format a file is in, told from its content, and reading it into papers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from curation.bibtex import is_bibtex, read_bibtex
from curation.csv_export import is_csv, read_csv
from curation.medline import is_medline, read_medline
from curation.papers import Paper, UnreadableFile
from curation.pubmed_xml import is_pubmed_xml, read_pubmed_xml
from curation.ris import is_ris, read_ris

MAX_FILE_BYTES = 512 * 1024 * 1024  # a PubMed XML of 10,000 records is ~100 MB
HEAD = 8_192  # characters looked at to tell the format

FORMATS = ("pubmed-xml", "medline", "ris", "bibtex", "csv")
_TEXT_READERS: dict[str, Callable[[str, str], list[Paper]]] = {
    "medline": read_medline,
    "ris": read_ris,
    "bibtex": read_bibtex,
    "csv": read_csv,
}


def detect_format(head: str) -> str | None:
    """Return the format the start of a file is in, or None when it is none the importers read."""
    head = head.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return "pubmed-xml" if is_pubmed_xml(head) else None
    if is_ris(head):
        return "ris"
    if is_medline(head):
        return "medline"
    if is_bibtex(head):
        return "bibtex"
    if is_csv(head):
        return "csv"
    return None


def _decode(data: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{source}: not UTF-8 text")


def read_papers(path: Path) -> tuple[str, list[Paper]]:
    """Return a file's format and its papers; raises UnreadableFile with the reason."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(f"{path}: {size:,} bytes, more than {MAX_FILE_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path}: {exc.strerror or exc}") from exc
    return read_data(data, path.name)


def read_data(data: bytes, source: str) -> tuple[str, list[Paper]]:
    """Return the format and papers of a file's bytes; raises UnreadableFile with the reason."""
    head = data[:HEAD].decode("utf-8", errors="replace")
    kind = detect_format(head)
    if kind is None:
        raise UnreadableFile(
            f"{source}: not PubMed XML, MEDLINE, RIS, BibTeX or CSV with a header row"
        )
    try:
        if kind == "pubmed-xml":
            return kind, read_pubmed_xml(data, source)
        return kind, _TEXT_READERS[kind](_decode(data, source), source)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{source}: {exc}") from exc
