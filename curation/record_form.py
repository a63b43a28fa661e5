"""A study record as a form of plain text fields, and back, checked by the record schema.

The workspace shows one input per record field; lists are one item a line, findings one
`marker | direction | sample` a line, participants two numbers. Reading a form back gives the
record and the problems found, each named by the form field it belongs beside. No Flask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from search.records import validate_record
from search.vocabularies import (
    CONFIDENCE_VALUES,
    DESIGNS,
    DIRECTIONS,
    EVIDENCE_LEVELS,
    PEM_VALUES,
    SEX_VALUES,
)

MAX_FIELD = 20_000  # characters in one form field (a summary is a few hundred)
PROSE_FIELDS = ("summary", "significance", "limitations")


@dataclass(frozen=True)
class FormField:
    """One input: its name, label, kind (text, prose, lines, number, choice, flag), choices."""

    name: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    hint: str = ""


FIELDS: tuple[FormField, ...] = (
    FormField("slug", "Slug", "text", hint="lowercase a-z, 0-9 and '-': the study's URL"),
    FormField("title", "Title", "text"),
    FormField("authors", "Authors", "lines", hint="one a line, as 'Family, Given Initials'"),
    FormField("year", "Year", "number"),
    FormField("journal", "Journal", "text"),
    FormField("doi", "DOI", "text"),
    FormField("pmid", "PubMed id", "text"),
    FormField("summary", "Summary", "prose", hint="2-4 plain sentences: who, what, found"),
    FormField("significance", "Why it matters", "prose", hint="1-3 sentences"),
    FormField("limitations", "What it does not prove", "prose", hint="1-3 sentences"),
    # "unknown" first: a form opened without a value must never say "required" by default.
    FormField(
        "pem",
        "PEM required for inclusion",
        "choice",
        ("unknown", *(v for v in PEM_VALUES if v != "unknown")),
    ),
    FormField("criteria", "Diagnostic criteria", "lines", hint="one a line: CCC, ICC, Fukuda…"),
    FormField("design", "Design", "choice", ("", *DESIGNS)),
    FormField("markers", "Markers", "lines", hint="one a line, as written in the paper"),
    FormField(
        "findings",
        "Findings",
        "lines",
        hint=f"one a line: marker | {' / '.join(DIRECTIONS)} | sample (optional)",
    ),
    FormField("participants.patients", "Patients", "number"),
    FormField("participants.controls", "Controls", "number"),
    FormField("sex", "Sex", "choice", ("", *SEX_VALUES)),
    FormField("interventions", "Interventions", "lines", hint="one a line"),
    FormField("topics", "Topics", "lines", hint="one a line"),
    FormField("evidence_level", "Evidence level", "choice", ("", *EVIDENCE_LEVELS)),
    FormField("confidence", "Confidence", "choice", ("", *CONFIDENCE_VALUES)),
    FormField("publication_type", "Publication type", "text"),
    FormField("peer_reviewed", "Peer reviewed", "choice", ("", "yes", "no")),
    FormField("retracted", "Retracted", "choice", ("", "yes", "no")),
    FormField("url", "Page on the publishing site", "text"),
)
FIELD_NAMES = frozenset(f.name for f in FIELDS)

_INDEX = re.compile(r"\[\d+\]")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_values(record: Mapping[str, Any]) -> dict[str, str]:
    """Return the text of each form field for a record."""
    out: dict[str, str] = {}
    for spec in FIELDS:
        top, _, sub = spec.name.partition(".")
        value = record.get(top)
        if sub:
            value = (value or {}).get(sub) if isinstance(value, dict) else None
        if value is None:
            out[spec.name] = "unknown" if spec.name == "pem" else ""
        elif spec.name == "findings":
            out[spec.name] = "\n".join(
                " | ".join(
                    part
                    for part in (f.get("marker", ""), f.get("direction", ""), f.get("sample"))
                    if part
                )
                for f in value
            )
        elif spec.kind == "lines":
            out[spec.name] = "\n".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[spec.name] = "yes" if value else "no"
        else:
            out[spec.name] = str(value)
    return out


def _finding(line: str) -> dict[str, str]:
    parts = [p.strip() for p in line.split("|")]
    finding = {"marker": parts[0], "direction": parts[1] if len(parts) > 1 else ""}
    if len(parts) > 2 and parts[2]:
        finding["sample"] = " | ".join(parts[2:])
    return finding


def read_form(
    values: Mapping[str, str], keep: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return the record a form spells and its problems by form field (empty when valid).

    Fields the form does not show (a snapshot, unknown extra fields) are taken from `keep`.
    """
    record: dict[str, Any] = {
        k: v for k, v in (keep or {}).items() if k not in {f.name.split(".")[0] for f in FIELDS}
    }
    problems: dict[str, list[str]] = {}
    for spec in FIELDS:
        text = str(values.get(spec.name, "")).replace("\r\n", "\n")
        if len(text) > MAX_FIELD:
            problems.setdefault(spec.name, []).append(f"at most {MAX_FIELD:,} characters")
            continue
        text = text.strip()
        if not text:
            continue
        top, _, sub = spec.name.partition(".")
        value: Any
        if spec.name == "findings":
            value = [_finding(line) for line in _lines(text)]
        elif spec.kind == "lines":
            value = _lines(text)
        elif spec.kind == "number":
            if not text.isdigit():
                problems.setdefault(spec.name, []).append("must be a whole number")
                continue
            value = int(text)
        elif spec.name in ("peer_reviewed", "retracted"):
            value = text == "yes"
        else:
            value = text
        if sub:
            record.setdefault(top, {})[sub] = value
        else:
            record[top] = value
    if problems:
        return record, problems
    _, found = validate_record(record, "form")
    for problem in found:
        if problem.is_warning:
            continue
        name = _INDEX.sub("", problem.field or "")
        if name not in FIELD_NAMES:
            name = name.split(".")[0] if name.split(".")[0] in FIELD_NAMES else "slug"
        problems.setdefault(name, []).append(problem.message)
    return record, problems


def word_count(text: str) -> int:
    """Return the number of words in a text."""
    return len(text.split())
