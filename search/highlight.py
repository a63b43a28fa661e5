"""Snippets: a short passage of a record with the matched words wrapped in <mark>.

This is the one place that builds markup from record text: everything else is escaped, so a
snippet can be inserted into a page as it is.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from search.analysis import WORD, fold_word, prose_term
from search.markers import MarkerDictionary, mention_spans

SNIPPET_CHARS = 240
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _non_ascii_words(text: str) -> set[int]:
    """Return where the words holding a letter outside ASCII begin (they fold: ü, α)."""
    found = set()
    for m in _NON_ASCII.finditer(text):
        i = m.start()
        if text[i].isalnum() or unicodedata.combining(text[i]):
            while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
                i -= 1
            found.add(i)
    return found


class Highlighter:
    """Finds what one query matched in record text; built once per search, used for every hit."""

    def __init__(
        self, prose: set[str], names: set[str], keys: set[str], markers: MarkerDictionary
    ) -> None:
        self.prose, self.names, self.keys, self.markers = prose, names, keys, markers
        # Word beginnings find candidate words quickly; each candidate is then checked with
        # the real analysis. Stems are not always prefixes ("easili"), so drop their last
        # letter.
        starts = sorted(w for w in {t[:-1] if len(t) > 3 else t for t in prose} | names if w)
        # a beginning that starts with another one finds nothing more ("fatig", "fatigue")
        self.starts = [w for i, w in enumerate(starts) if i == 0 or not w.startswith(starts[i - 1])]
        self._pattern: re.Pattern[str] | None = None
        # Short words without a vowel ("m" of "M-CSF", "csf") begin countless others. No
        # English stemming removes more than a plural from such a word (it needs a vowel in
        # what it keeps), so they are looked for as whole words, plural allowed, with one
        # regex; every other beginning ("us" of "using") with find.
        cut = {t[:-1] for t in prose if len(t) > 3}
        short = [
            w
            for w in self.starts
            if len(w) <= 3 and w not in cut and w.isalpha() and not set(w) & set("aeiouy")
        ]
        self.prefixes = [w for w in self.starts if w not in short]
        alternatives = "|".join(re.escape(w) for w in sorted(short, key=len, reverse=True))
        # (no \b in front: a pattern that begins with a letter is searched much faster)
        self._short = re.compile(rf"(?:{alternatives})(?:e?s)?\b") if short else None

    @property
    def is_empty(self) -> bool:
        return not (self.prose or self.names or self.keys)

    def _is_match(self, word: str) -> bool:
        return prose_term(word) in self.prose or fold_word(word) in self.names

    def _candidates(self, text: str) -> list[int]:
        """Return where words that may match begin: a word beginning found in the text."""
        lower = text.lower()
        if len(lower) != len(text):  # a rare letter whose lower case is longer: use a regex
            if self._pattern is None:
                alternatives = "|".join(re.escape(w) for w in sorted(self.starts, key=len)[::-1])
                self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)
            return [c.start() for c in self._pattern.finditer(text)]
        found = []
        if self._short is not None:
            for m in self._short.finditer(lower):
                i = m.start()
                if i == 0 or not (lower[i - 1].isalnum() or lower[i - 1] == "_"):
                    found.append(i)
        for start in self.prefixes:
            i = lower.find(start)
            while i != -1:
                if i == 0 or not (lower[i - 1].isalnum() or lower[i - 1] == "_"):
                    found.append(i)
                i = lower.find(start, i + 1)
        if len(self.starts) > 1:
            found = sorted(set(found))
        return found

    def spans(
        self,
        text: str,
        within: int | None = None,
        mentions: Sequence[tuple[int, int, str]] | None = None,
    ) -> list[tuple[int, int]]:
        """Return the merged character spans of the matches in a text.

        With `within`, only the matches up to that many characters after the first one: all
        that a snippet shows, and much less work on long texts that match often. `mentions`
        are the text's marker mentions (start, end, key) when the build has found them.
        """
        spans: list[tuple[int, int]] = []
        if self.keys:
            if mentions is None:
                mentions = mention_spans(text, self.markers)
            for start, end, key in mentions:
                if key in self.keys:
                    spans.append((start, end))
                    if within is not None and start > spans[0][0] + within:
                        break
        if self.starts:
            found = len(spans)
            starts = self._candidates(text)
            if not text.isascii():  # words with accents or Greek letters fold: check them too
                starts = sorted(_non_ascii_words(text).union(starts))
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

    def snippet(
        self,
        texts: Sequence[str],
        size: int = SNIPPET_CHARS,
        mentions: str | Sequence[Sequence[Any]] | None = None,
    ) -> str:
        """Return an HTML snippet from the first text with a match (or the first text).

        `mentions`, when given, are the marker mentions the build found in the texts:
        [text number, start, end, key] each, or that list as JSON (read only when needed).
        """
        found_mentions: Sequence[Sequence[Any]] | None
        if isinstance(mentions, str):
            found_mentions = json.loads(mentions) if self.keys else []
        else:
            found_mentions = mentions
        best_text, best_spans = "", []
        if not self.is_empty:
            # The first text with a match wins (the summary, usually): scanning every text of
            # every hit would be most of the cost of a results page.
            for i, text in enumerate(texts):
                if text:
                    found: list[tuple[int, int, str]] | None = None
                    if found_mentions is not None:
                        found = [
                            (int(m[1]), int(m[2]), str(m[3]))
                            for m in found_mentions
                            if m[0] == i and m[3] in self.keys
                        ]
                    spans = self.spans(text, size, found)
                    if spans:
                        best_text, best_spans = text, spans
                        break
        if not best_spans:
            best_text = next((t for t in texts if t), "")
            if not best_text:
                return ""
        start, end = _window(best_text, best_spans, size)
        prefix = "… " if start > 0 else ""
        suffix = " …" if end < len(best_text) else ""
        return prefix + _marked(best_text, best_spans, start, end) + suffix


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


def _marked(text: str, spans: Iterable[tuple[int, int]], start: int, end: int) -> str:
    """Return text[start:end] escaped, with each span wrapped in <mark>."""
    out = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s], quote=True))
        out.append("<mark>" + html.escape(text[s:e], quote=True) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end], quote=True))
    return "".join(out)  # every piece of record text above went through html.escape
