"""The rules a reader's correction must meet: what can be wrong, the sizes, the rate limit.

Pure Python, no Flask: the form (web/corrections/views.py) reads its fields here, and the store
(web/corrections/store.py) enforces the rate limit (`search.settings.RateLimit`, a setting).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# What a reader can say is wrong: form value -> label.
KINDS: dict[str, str] = {
    "citation": "Citation",
    "summary": "Summary",
    "pem": "PEM status",
    "criteria": "Criteria",
    "findings": "Markers / findings",
    "other": "Other",
}
MAX_TEXT = 5_000  # characters
MAX_NAME = 200  # characters
MAX_EMAIL = 254  # characters: the longest address SMTP can carry

# Light on purpose: one @, something on each side, a dot in the domain, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# Browsers send a textarea's line breaks as CRLF; the reader typed one character per break.
_LINE_BREAK = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Draft:
    """The reader's fields, line breaks normalised and otherwise as typed."""

    kind: str
    text: str
    name: str | None
    email: str | None


def _text(value: str | None) -> str:
    return _LINE_BREAK.sub("\n", value or "")


def _optional(value: str | None) -> str | None:
    text = _text(value)
    return text if text.strip() else None


def read_draft(fields: Mapping[str, str]) -> tuple[Draft, list[str]]:
    """Return the reader's fields as a Draft, and the problems that stop it being stored."""
    draft = Draft(
        kind=fields.get("kind") or "",
        text=_text(fields.get("text")),
        name=_optional(fields.get("name")),
        email=_optional(fields.get("email")),
    )
    problems: list[str] = []
    if draft.kind not in KINDS:
        choices = ", ".join(label for label in KINDS.values())
        problems.append(f"Choose what is wrong: one of {choices}.")
    if not draft.text.strip():
        problems.append("Write your suggested correction; it cannot be empty.")
    elif len(draft.text) > MAX_TEXT:
        problems.append(
            f"Your suggested correction is {len(draft.text):,} characters long; "
            f"the limit is {MAX_TEXT:,}. Please shorten it."
        )
    if draft.name is not None and len(draft.name) > MAX_NAME:
        problems.append(f"The name can be at most {MAX_NAME} characters.")
    if draft.email is not None and (
        len(draft.email) > MAX_EMAIL or not _EMAIL.fullmatch(draft.email)
    ):
        problems.append(
            "The email does not look like an address (name@example.org). "
            "It is optional: leave it empty if you prefer."
        )
    return draft, problems
