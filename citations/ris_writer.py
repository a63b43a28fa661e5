"""RIS entries of studies (the tagged format reference managers import)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from citations.text import DEFAULT_KEY_PREFIX, citation_key, link_url


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(str(value).split())}"


def ris(record: Mapping[str, Any], key_prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return a RIS entry for a study (lines end in CRLF, as the format asks)."""
    lines = [_ris_line("TY", "JOUR" if record.get("journal") else "GEN")]
    lines.append(_ris_line("ID", citation_key(record, key_prefix)))
    lines += [_ris_line("AU", a) for a in record.get("authors", ())]
    lines.append(_ris_line("TI", record["title"]))
    if record.get("journal"):
        lines.append(_ris_line("JO", record["journal"]))
    lines.append(_ris_line("PY", str(record["year"])))
    if record.get("doi"):
        lines.append(_ris_line("DO", record["doi"]))
    url = link_url(record)
    if url:
        lines.append(_ris_line("UR", url))
    if record.get("pmid"):
        lines.append(_ris_line("AN", f"PMID:{record['pmid']}"))
    if record.get("summary"):
        lines.append(_ris_line("AB", record["summary"]))
    lines += [_ris_line("KW", k) for k in _keywords(record)]
    if record.get("retracted"):
        lines.append(_ris_line("N1", "Retracted"))
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def _keywords(record: Mapping[str, Any]) -> Iterable[str]:
    seen: set[str] = set()
    for name in ("markers", "topics", "interventions"):
        for value in record.get(name) or ():
            if value.casefold() not in seen:
                seen.add(value.casefold())
                yield value
