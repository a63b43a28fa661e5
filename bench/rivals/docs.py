"""The records as the rivals index them: flattened, with our marker keys and criteria ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.markers import MarkerDictionary, find_mentions
from search.vocabularies import criterion_key, tag_key


@dataclass(frozen=True)
class RivalDoc:
    """One record flattened into the fields both rivals index."""

    slug: str
    year: int
    title_key: str
    text: dict[str, str]  # TEXT_FIELDS
    markers: tuple[str, ...]
    mentions: tuple[str, ...]
    pem: str
    criteria: tuple[str, ...]
    design: str
    sex: str
    topics: tuple[str, ...]


def rival_docs(records: Sequence[dict[str, Any]], markers: MarkerDictionary) -> list[RivalDoc]:
    """Return the records as the rivals index them, with our marker keys and criteria ids."""
    from indexer.tables import marker_keys

    docs = []
    for r in records:
        body = "\n".join(r.get(k, "") for k in ("summary", "significance", "limitations"))
        prose = " \n ".join([r["title"], body, *(r.get("topics") or [])])
        docs.append(
            RivalDoc(
                slug=r["slug"],
                year=r["year"],
                title_key=r["title"].casefold(),
                text={
                    "title": r["title"],
                    "body": body,
                    "topic": " ; ".join(r.get("topics") or []),
                    "intervention": " ; ".join(r.get("interventions") or []),
                    "authors": " ; ".join(r["authors"]),
                    "journal": r.get("journal", ""),
                },
                markers=tuple(marker_keys(r, markers)),
                mentions=tuple(sorted({m.key for m in find_mentions(prose, markers)})),
                pem=r.get("pem", "unknown"),
                criteria=tuple(dict.fromkeys(criterion_key(c) for c in r.get("criteria") or [])),
                design=r.get("design", ""),
                sex=r.get("sex", ""),
                topics=tuple(dict.fromkeys(tag_key(t) for t in r.get("topics") or [])),
            )
        )
    return docs


def directory_size(path: Path) -> int:
    """Return the bytes on disk of a file, or of every file under a directory."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
