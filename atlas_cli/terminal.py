"""Printing text from outside (readers, imported papers) safely on a curator's terminal."""

from __future__ import annotations

import json
import unicodedata
from typing import Any


def _is_invisible(char: str) -> bool:
    # Control and format characters (escape sequences, bidi overrides) could rewrite what a
    # curator's terminal shows; text from outside is printed with them spelled out instead.
    return unicodedata.category(char) in ("Cc", "Cf") and char not in "\n\t"


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
