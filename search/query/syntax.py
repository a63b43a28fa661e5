"""The query syntax: text → tokens → tree.

Words are AND-ed; "exact phrases", OR, NOT / -word and parentheses work; `field:value`
scopes a word. Text that cannot be read as written (an unclosed quote, `title:` with nothing
after it, `AND OR`) is never an error: `read` returns it as plain words with a notice.
"""

from __future__ import annotations

import re

from search.query.tree import FIELDS, YEAR_VALUE, All, Any_, Fielded, Node, Not, Phrase, Words

# A token: spaces, a parenthesis, a quoted phrase, a lone quote (unclosed), or a word.
_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"|"|[^\s()"]+')
# Parentheses and NOTs nest at most this deep; deeper text is read as plain words. Each level
# costs a few Python frames, and 250 of them used to exhaust the interpreter's stack.
MAX_DEPTH = 32


class Malformed(Exception):
    """The text cannot be read with the query syntax."""


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if not t.isspace()]


class _Reader:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | None:
        node = self.parse_or()
        if self.peek() is not None:
            raise Malformed("unbalanced parentheses")
        return node

    def parse_or(self) -> Node | None:
        parts = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                raise Malformed("OR with nothing after it")
            parts.append(self.parse_and())
        if any(p is None for p in parts):
            if len(parts) > 1:
                raise Malformed("OR with nothing before it")
            return None
        present = tuple(p for p in parts if p is not None)  # all of them, as checked above
        return present[0] if len(present) == 1 else Any_(present)

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        words: list[str] = []

        def flush() -> None:
            if words:
                parts.append(Words(" ".join(words)))
                words.clear()

        while True:
            token = self.peek()
            if token is None or token in (")", "OR"):
                break
            if token == "AND":
                self.take()
                if (not parts and not words) or self.peek() in (None, ")", "OR", "AND"):
                    raise Malformed("AND with nothing on one side")
                flush()
                continue
            unary = self.parse_unary()
            if isinstance(unary, Words):
                words.append(unary.text)
            else:
                flush()
                parts.append(unary)
        flush()
        if not parts:
            if self.peek() == "OR":
                raise Malformed("OR with nothing before it")
            return None
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Malformed(f"nested more than {MAX_DEPTH} deep")

    def parse_unary(self) -> Node:
        token = self.take()
        if token == "NOT" or (token.startswith("-") and len(token) > 1 and token != "--"):
            if token == "NOT":
                if self.peek() in (None, ")", "OR", "AND"):
                    raise Malformed("NOT with nothing after it")
                self.nested()
                node = Not(self.parse_unary())
                self.depth -= 1
                return node
            rest = token[1:]
            if rest == '"':
                raise Malformed("unclosed quote")
            return Not(self._primary(rest))
        return self._primary(token)

    def _primary(self, token: str) -> Node:
        if token == "(":
            self.nested()
            node = self.parse_or()
            if self.peek() != ")":
                raise Malformed("unclosed parenthesis")
            self.take()
            self.depth -= 1
            if node is None:
                raise Malformed("empty parentheses")
            return node
        if token == ")":
            raise Malformed("unbalanced parentheses")
        if token == '"':
            raise Malformed("unclosed quote")
        if token.startswith('"'):
            inner = token[1:-1].strip()
            if not inner:
                raise Malformed("empty quotes")
            return Phrase(inner)
        name, sep, value = token.partition(":")
        if sep and name.lower() in FIELDS:
            name = name.lower()
            if not value:
                nxt = self.peek()
                if nxt is not None and nxt.startswith('"') and len(nxt) > 1:
                    self.take()
                    inner = nxt[1:-1].strip()
                    if not inner:
                        raise Malformed(f"{name}: with nothing after it")
                    return Fielded(name, inner, is_phrase=True)
                raise Malformed(f"{name}: with nothing after it")
            if name == "year" and not YEAR_VALUE.match(value):
                raise Malformed(f"year:{value} is not a year or range")
            return Fielded(name, value)
        return Words(token)


def read(text: str) -> tuple[Node | None, str | None]:
    """Return the tree of a query text and a notice when it had to be read as plain words."""
    try:
        return _Reader(_tokens(text)).parse(), None
    except Malformed as exc:
        words = re.sub(r'[()"]', " ", text)
        words = re.sub(r"\b(AND|OR|NOT)\b", " ", words)
        words = re.sub(r"(^|\s)-+", " ", words)
        plain = " ".join(w.rstrip(":") for w in words.split() if w.rstrip(":"))
        node = Words(plain) if plain else None
        return (
            node,
            f"The query could not be read as written ({exc}); searched for the words instead.",
        )
