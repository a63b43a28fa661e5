"""The writers of downloads: records as CSV, BibTeX and RIS text, and as an Atom feed.

Pure functions of records (no Flask): the data comes from a page type's value in `web.index`,
and `web/pages/downloads.py` makes the responses around the text.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from citations import DEFAULT_KEY_PREFIX, bibtex, ris

ATOM_NS = "http://www.w3.org/2005/Atom"
LIST_SEPARATOR = "; "
CSV_FIELDS = (
    "slug",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "pmid",
    "pem",
    "criteria",
    "design",
    "markers",
    "sex",
    "patients",
    "controls",
    "topics",
    "interventions",
    "evidence_level",
    "confidence",
    "peer_reviewed",
    "retracted",
    "url",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_row(record: Mapping[str, Any], url: str) -> list[str]:
    """Return one CSV row of a record, in the order of CSV_FIELDS."""
    participants = record.get("participants") or {}
    values = {
        **record,
        "patients": participants.get("patients"),
        "controls": participants.get("controls"),
        "retracted": bool(record.get("retracted")),
        "url": url,
    }
    return [_cell(values.get(name)) for name in CSV_FIELDS]


def csv_text(records: Iterable[Mapping[str, Any]], url_of: Callable[[str], str]) -> str:
    """Return the records as CSV with a header row, starting with a BOM for spreadsheets."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 correctly only with the byte order mark
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for record in records:
        writer.writerow(csv_row(record, url_of(record["slug"])))
    return out.getvalue()


def bibtex_text(records: Iterable[Mapping[str, Any]], key_prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return the records as BibTeX entries separated by blank lines."""
    return "\n".join(bibtex(r, key_prefix) for r in records)


def ris_text(records: Iterable[Mapping[str, Any]], key_prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return the records as RIS entries."""
    return "\r\n".join(ris(r, key_prefix) for r in records)


def _xml(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml(text)
    return element


def atom_feed(
    records: Sequence[Mapping[str, Any]],
    *,
    title: str,
    feed_url: str,
    page_url: str,
    updated: str,
    url_of: Callable[[str], str],
    site_name: str = "ME/CFS Atlas",
) -> bytes:
    """Return an Atom feed (RFC 4287) of the records, in the order given."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(feed, "title", title)
    _sub(feed, "id", feed_url)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    _sub(feed, "updated", updated)
    _sub(_sub(feed, "author"), "name", site_name)
    for record in records:
        entry = _sub(feed, "entry")
        url = url_of(record["slug"])
        label = ("[RETRACTED] " if record.get("retracted") else "") + record["title"]
        _sub(entry, "title", label)
        _sub(entry, "id", url)
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        # Records carry a year only; its first day keeps the entry's date stable across builds.
        _sub(entry, "updated", f"{int(record['year']):04d}-01-01T00:00:00Z")
        for author in record.get("authors", ()):
            _sub(_sub(entry, "author"), "name", author)
        _sub(entry, "category", term=f"pem-{record.get('pem', 'unknown')}")
        summary = " ".join(
            str(part)
            for part in (record.get("journal"), record["year"], record.get("summary"))
            if part
        )
        _sub(entry, "summary", summary, type="text")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
