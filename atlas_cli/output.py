"""What the `atlas` command prints: record and reader text with invisible characters spelled out.

Record text and readers' corrections come from outside. Printed raw, an ESC, OSC or BEL in a
title could clear a terminal, retitle its window or forge lines; a bidi override could show
text reordered. Every command prints through `echo`, which spells such characters as \\uXXXX.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import click

# Controls (C0, DEL, C1), format characters (zero-width, bidi), lone surrogates (file names
# that are not UTF-8 arrive as those) and the Unicode line and paragraph separators.
_INVISIBLE = ("Cc", "Cf", "Cs", "Zl", "Zp")


def _is_invisible(char: str) -> bool:
    return unicodedata.category(char) in _INVISIBLE and char not in "\n\t"


def _escape(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:  # JSON spells characters outside the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """Return text with control and format characters spelled out as \\uXXXX."""
    return "".join(_escape(c) if _is_invisible(c) else c for c in text)


def as_json(value: Any) -> str:
    """Return value as indented JSON that is safe to print on a terminal."""
    # Outside strings JSON has only ASCII punctuation, so every replaced character was inside
    # a string, where \uXXXX means the same character: the JSON still decodes to the value.
    return visible(json.dumps(value, ensure_ascii=False, indent=2))


json_text = as_json  # for commands whose --json flag is named as_json


def echo(text: str = "", err: bool = False) -> None:
    """Print one line (to stderr with err), invisible characters spelled out."""
    click.echo(visible(text), err=err)
