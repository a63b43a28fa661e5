"""BibTeX entries of studies, written so that BibTeX, Biber, pybtex and bibtexparser read them.

The rules follow what those parsers accept:
- In a braced field value, braces must balance even when a backslash precedes them (BibTeX
  counts `\\{` as a brace), so a literal brace in text is `\\textbraceleft{}` or
  `\\textbraceright{}`, never `\\{` or `\\}`.
- Text fields (title, author, journal, note) escape LaTeX's special characters.
- `doi` and `url` are verbatim fields (biblatex; Biber rejects escapes there, and other
  parsers return `\\_` literally): they are written as they are, except that braces,
  backslashes and white space are percent-encoded, which keeps the link the same.
- An author without a comma (a group) or with a separate word "and" in it is wrapped in
  braces, so that it stays one name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from citations.text import DEFAULT_KEY_PREFIX, citation_key, link_url

_TEXT_SPECIAL = re.compile(r"[\\{}%&$#_~^]")
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_VERBATIM_UNSAFE = re.compile(r"[{}\\\s]")
_AND_WORD = re.compile(r"\band\b", re.IGNORECASE)


def text_value(text: str) -> str:
    """Return text as the value of a BibTeX text field: one line, special characters escaped."""
    text = " ".join(text.split())
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES.get(m.group(), "\\" + m.group()), text)


def verbatim_value(text: str) -> str:
    """Return a DOI or URL as the value of a verbatim field: as written, braces encoded."""
    return _VERBATIM_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), text)


def author_value(authors: Iterable[str]) -> str:
    """Return the value of an author field: names joined by "and", groups kept whole."""
    names = []
    for author in authors:
        name = text_value(author)
        if "," not in author or _AND_WORD.search(author):
            name = "{" + name + "}"
        names.append(name)
    return " and ".join(names)


def bibtex(record: Mapping[str, Any], key_prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """Return a BibTeX entry for a study, keyed "<key_prefix>-<slug>"."""
    kind = "article" if record.get("journal") else "misc"
    fields: list[tuple[str, str]] = [
        ("author", author_value(record.get("authors", ()))),
        # Double braces keep the title's capitals (IL-6, ME/CFS) as written.
        ("title", "{" + text_value(record["title"]) + "}"),
    ]
    if record.get("journal"):
        fields.append(("journal", text_value(record["journal"])))
    fields.append(("year", str(record["year"])))
    if record.get("doi"):
        fields.append(("doi", verbatim_value(record["doi"])))
    url = link_url(record)
    if url:
        fields.append(("url", verbatim_value(url)))
    notes = []
    if record.get("pmid"):
        notes.append(f"PubMed: {record['pmid']}")
    if record.get("retracted"):
        notes.append("Retracted")
    if notes:
        fields.append(("note", text_value(". ".join(notes))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{citation_key(record, key_prefix)},\n{body}\n}}\n"
