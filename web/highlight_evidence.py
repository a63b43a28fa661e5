"""The abstract of a draft with the passages behind each suggestion marked, escaped."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape


def _quoted(evidence: str) -> list[str]:
    """Return the evidence and, for "reason: quoted text", the quoted parts after each colon."""
    parts = [evidence.strip()]
    while ": " in parts[-1]:
        parts.append(parts[-1].split(": ", 1)[1].strip())
    return [p for p in parts if len(p) >= 3]


def highlight_passages(text: str, passages: Iterable[str]) -> Markup:
    """Return text as HTML with every occurrence of each passage in <mark>, all else escaped."""
    spans = [
        match.span()
        for passage in {q for p in passages for q in _quoted(p)}
        for match in re.finditer(re.escape(passage), text, re.IGNORECASE)
    ]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out, at = [], 0
    for start, end in merged:
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)
