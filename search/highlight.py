"""Snippets: a short passage of a record with the matched words wrapped in <mark>.

This is the one place that builds markup from record text: everything else is escaped, so a
snippet can be inserted into a page as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from search.analysis import WORD, fold_word, prose_term
from search.markers import MarkerDictionary, find_mentions

SNIPPET_CHARS = 240
_NON_ASCII_WORD = re.compile(r"(?<!\w)\w*[^\x00-\x7f]")


class Highlighter:
    """Finds what one query matched in record text; built once per search, used for every hit."""

    def __init__(
        self, prose: set[str], names: set[str], keys: set[str], markers: MarkerDictionary
    ) -> None:
        self.prose, self.names, self.keys, self.markers = prose, names, keys, markers
        # A regex of word beginnings finds candidate words in C; each candidate is then checked
        # with the real analysis. Stems are not always prefixes ("easili"), so drop their last
        # letter.
        starts = {t[:-1] if len(t) > 3 else t for t in prose} | set(names)
        alternatives = "|".join(re.escape(w) for w in sorted(starts, key=len, reverse=True) if w)
        self.pattern = (
            re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE) if alternatives else None
        )

    @property
    def is_empty(self) -> bool:
        return not (self.prose or self.names or self.keys)

    def _is_match(self, word: str) -> bool:
        return prose_term(word) in self.prose or fold_word(word) in self.names

    def spans(self, text: str, within: int | None = None) -> list[tuple[int, int]]:
        """Return the merged character spans of the matches in a text.

        With `within`, only the matches up to that many characters after the first one: all
        that a snippet shows, and much less work on long texts that match often.
        """
        spans: list[tuple[int, int]] = []
        if self.keys:
            for m in find_mentions(text, self.markers):
                if m.key in self.keys:
                    spans.append((m.start, m.end))
                    if within is not None and m.start > spans[0][0] + within:
                        break
        if self.pattern is not None:
            found = len(spans)
            starts = [c.start() for c in self.pattern.finditer(text)]
            if not text.isascii():  # words with accents or Greek letters fold: check them too
                starts = sorted({*starts, *(m.start() for m in _NON_ASCII_WORD.finditer(text))})
            for match in (WORD.match(text, i) for i in starts):
                if match and self._is_match(match.group()):
                    spans.append((match.start(), match.end()))
                    if within is not None and match.start() > spans[found][0] + within:
                        break
        spans.sort()
        if within is not None and spans:
            spans = [s for s in spans if s[0] <= spans[0][0] + within]
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def snippet(self, texts: Sequence[str], size: int = SNIPPET_CHARS) -> str:
        """Return an HTML snippet from the first text with a match (or the first text)."""
        texts = [t for t in texts if t]
        if not texts:
            return ""
        best_text, best_spans = texts[0], []
        if not self.is_empty:
            # The first text with a match wins (the summary, usually): scanning every text of
            # every hit was most of the cost of a results page.
            for text in texts:
                spans = self.spans(text, within=size)
                if spans:
                    best_text, best_spans = text, spans
                    break
        start, end = _window(best_text, best_spans, size)
        html = mark(best_text, best_spans, start, end)
        prefix = "… " if start > 0 else ""
        suffix = " …" if end < len(best_text) else ""
        return str(escape(prefix) + html + escape(suffix))


def _window(text: str, spans: Sequence[tuple[int, int]], size: int) -> tuple[int, int]:
    """Return the stretch of `size` characters holding the most matches, on word boundaries."""
    if len(text) <= size:
        return 0, len(text)
    best_start, best_count = 0, -1
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, e in spans[i:] if e <= start + size)
        if count > best_count:
            best_start, best_count = start, count
    start = max(0, best_start - size // 4)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def mark(
    text: str, spans: Iterable[tuple[int, int]], start: int = 0, end: int | None = None
) -> Markup:
    """Return text[start:end] escaped, with each span wrapped in <mark>."""
    end = len(text) if end is None else end
    out = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return Markup("".join(out))  # every piece of record text above went through html.escape
