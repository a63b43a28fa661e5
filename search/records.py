"""Record schemas (marshmallow): every check and clean-up of a study record, in one place.

Code after `validate_record` trusts its input. The format is documented in
docs/record-format.md; it is a public contract, so this module may accept more, never less.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from marshmallow import (
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from search.vocabularies import (
    CONFIDENCE_VALUES,
    DESIGNS,
    DIRECTIONS,
    EVIDENCE_LEVELS,
    PEM_REQUIRING,
    PEM_VALUES,
    SEX_VALUES,
    canonical_criterion,
)

SLUG = re.compile(r"^[a-z0-9-]{3,120}$")
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
# Lines of text are tidied (runs of white space become one space); prose keeps paragraphs.
LINE_FIELDS = ("title", "journal", "publication_type", "url")
PROSE_FIELDS = ("summary", "significance", "limitations")
# A lone UTF-16 surrogate (JSON "\\ud800") is no character: it cannot be written as UTF-8, so
# it would break the build's hashes, every page and every export that met it.
_SURROGATE = re.compile("[\ud800-\udfff]")
URL_SCHEMES = ("http", "https")


def _surrogate_errors(value: Any) -> dict[Any, Any] | list[str] | None:
    """Return marshmallow-shaped messages for each lone surrogate in a value, or None."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            return ["holds a lone surrogate (\\ud800-\\udfff), which is not a character"]
        return None
    if isinstance(value, list):
        listed = {i: e for i, v in enumerate(value) if (e := _surrogate_errors(v)) is not None}
        return listed or None
    if isinstance(value, dict):
        found: dict[Any, Any] = {}
        for key, item in value.items():
            name = _SURROGATE.sub("\ufffd", key) if isinstance(key, str) else key
            error = _surrogate_errors(key) if isinstance(key, str) else None
            found[name] = error if error is not None else _surrogate_errors(item)
        return {k: e for k, e in found.items() if e is not None} or None
    return None


# Characters that show nothing but change what is shown: controls (ESC starts terminal escape
# sequences), bidi embeddings, overrides and isolates (they reorder the text after them) and
# zero-width spaces. Kept as written (the format promises text unchanged; pages escape it and
# the CLI spells it out), but a curator is told, since they are almost never meant.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _invisible_fields(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Return (field path, first invisible character) for each string that holds one."""
    if isinstance(value, str):
        found = _INVISIBLE.search(value)
        return [(path, found.group())] if found else []
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in _invisible_fields(v, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [
            hit
            for k, v in value.items()
            for hit in _invisible_fields(v, f"{path}.{k}" if path else str(k))
        ]
    return []


def _web_url(value: str) -> None:
    scheme, sep, rest = value.partition(":")
    if not sep or scheme.lower() not in URL_SCHEMES or not rest.startswith("//") or len(rest) < 3:
        raise ValidationError("must be an http or https URL such as https://example.org/study")


def one_of(values: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(values, error="must be one of: {choices}")


def tidy(text: str) -> str:
    return " ".join(text.split())


def tidy_prose(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(tidy(p) for p in paragraphs if p.strip())


class StrictInteger(fields.Integer):
    """An integer that refuses booleans and numeric strings (the format says integer)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class NonEmptyString(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text.strip():
            raise ValidationError("must not be empty")
        return text


class FindingSchema(Schema):
    class Meta:
        unknown = INCLUDE

    marker = NonEmptyString(required=True)
    direction = fields.String(required=True, validate=one_of(DIRECTIONS))
    sample = fields.String()


class ParticipantsSchema(Schema):
    class Meta:
        unknown = INCLUDE

    patients = StrictInteger(validate=validate.Range(min=0, error="must be 0 or more"))
    controls = StrictInteger(validate=validate.Range(min=0, error="must be 0 or more"))


def _iso_date(value: str) -> None:
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError("must be an ISO date such as 2026-05-29") from exc


class SnapshotSchema(Schema):
    class Meta:
        unknown = INCLUDE

    generator = fields.String()
    scanner = fields.String()
    policy = fields.String()
    accessed = fields.String(validate=_iso_date)


class StudyRecordSchema(Schema):
    """A study record, version 1 of the record format."""

    class Meta:
        unknown = INCLUDE  # unknown fields are kept, shown and returned, never searched
        ordered = True

    slug = fields.String(
        required=True,
        validate=validate.Regexp(SLUG, error="must be 3-120 characters of a-z, 0-9 and -"),
    )
    title = NonEmptyString(required=True)
    authors = fields.List(
        NonEmptyString(),
        required=True,
        validate=validate.Length(min=1, error="must list at least one author"),
    )
    year = StrictInteger(
        required=True, validate=validate.Range(min=1900, max=2100, error="must be 1900-2100")
    )
    journal = fields.String()
    doi = fields.String()
    pmid = fields.String(validate=validate.Regexp(r"^\d{1,10}$", error="must be digits only"))
    summary = fields.String()
    significance = fields.String()
    limitations = fields.String()
    pem = fields.String(validate=one_of(PEM_VALUES), load_default="unknown")
    criteria = fields.List(NonEmptyString())
    design = fields.String(validate=one_of(DESIGNS))
    markers = fields.List(NonEmptyString())
    findings = fields.List(fields.Nested(FindingSchema))
    participants = fields.Nested(ParticipantsSchema)
    sex = fields.String(validate=one_of(SEX_VALUES))
    interventions = fields.List(NonEmptyString())
    topics = fields.List(NonEmptyString())
    evidence_level = fields.String(validate=one_of(EVIDENCE_LEVELS))
    confidence = fields.String(validate=one_of(CONFIDENCE_VALUES))
    publication_type = fields.String()
    peer_reviewed = StrictBoolean()
    retracted = StrictBoolean()
    url = fields.String(validate=_web_url)
    snapshot = fields.Nested(SnapshotSchema)

    @pre_load
    def normalise(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError("a study record must be a JSON object", "_schema")
        if (surrogates := _surrogate_errors(data)) is not None:
            raise ValidationError(surrogates)
        return _tidy_values(dict(data))

    @validates_schema
    def check_doi(self, data: dict[str, Any], **kwargs: Any) -> None:
        doi = data.get("doi")
        if doi is not None and doi and not _DOI.match(doi):
            raise ValidationError("must be a DOI such as 10.1186/s12967-017-1371-9", "doi")

    @post_load
    def drop_empty_optional(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for name in ("doi", "journal", "pmid"):
            if data.get(name) == "":
                del data[name]
        return data


# How each string field is tidied before validation: white space, case, a DOI's URL prefix.
_STRING_TIDIERS: dict[str, Any] = {
    **{name: tidy for name in LINE_FIELDS},
    **{name: tidy_prose for name in PROSE_FIELDS},
    "slug": str.strip,
    "doi": lambda doi: _DOI_PREFIX.sub("", doi).strip(),
    "pmid": str.strip,
    **{name: (lambda v: v.strip().lower()) for name in ("pem", "design", "sex", "confidence")},
    "evidence_level": lambda v: v.strip().upper(),
}
_LIST_FIELDS = ("authors", "markers", "interventions", "topics", "criteria")


def _tidy_values(data: dict[str, Any]) -> dict[str, Any]:
    """Return a raw record with its strings tidied and its criteria in canonical form."""
    for name, tidier in _STRING_TIDIERS.items():
        if isinstance(data.get(name), str):
            data[name] = tidier(data[name])
    for name in _LIST_FIELDS:
        if isinstance(data.get(name), list):
            data[name] = [tidy(v) if isinstance(v, str) else v for v in data[name]]
    if isinstance(data.get("criteria"), list):
        data["criteria"] = [
            (canonical_criterion(c) or c) if isinstance(c, str) else c for c in data["criteria"]
        ]
    return data


RECORD_SCHEMA = StudyRecordSchema()


@dataclass(frozen=True)
class Problem:
    """Something wrong with a record: where it is, which record and field, and what was expected."""

    file: str
    line: int | None
    slug: str | None
    field: str | None
    message: str
    is_warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where, self.slug or "-"]
        if self.field:
            parts.append(self.field)
        prefix = "warning: " if self.is_warning else ""
        return ": ".join(parts) + ": " + prefix + self.message


def _flatten(messages: Any, path: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error messages into (field path, message) pairs."""
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                out.extend(_flatten(value, path))
                continue
            sub = (
                f"{path}[{key}]"
                if isinstance(key, int)
                else (f"{path}.{key}" if path else str(key))
            )
            out.extend(_flatten(value, sub))
    elif isinstance(messages, list):
        for item in messages:
            out.extend(_flatten(item, path))
    else:
        text = str(messages)
        text = {
            "Missing data for required field.": "is required",
            "Not a valid string.": "must be a string",
            "Not a valid integer.": "must be an integer",
            "Not a valid list.": "must be a list",
            "Not a valid boolean.": "must be true or false",
            "Invalid input type.": "must be an object",
        }.get(text, text)
        out.append((path, text))
    return out


def validate_record(
    raw: Any, file: str, line: int | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Return the cleaned record (or None when invalid) and its problems and warnings."""
    slug = raw.get("slug") if isinstance(raw, dict) and isinstance(raw.get("slug"), str) else None
    if slug is not None:
        slug = slug.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        record = RECORD_SCHEMA.load(raw)
    except ValidationError as exc:
        return None, [
            Problem(file, line, slug, name or None, message)
            for name, message in _flatten(exc.messages)
        ]
    return record, record_warnings(record, file, line)


def record_warnings(record: dict[str, Any], file: str, line: int | None) -> list[Problem]:
    """Return the warnings for a valid record: unknown criteria, invisible characters,
    PEM/criteria mismatch."""
    criteria = record.get("criteria") or []
    found: list[tuple[str, str]] = []  # (field, message)
    for value in criteria:
        if canonical_criterion(value) is None:
            found.append(("criteria", f"unknown criteria {value!r} kept as written"))
    for name, char in _invisible_fields(record):
        found.append(
            (
                name,
                f"holds an invisible character (U+{ord(char):04X}) that can hide or reorder "
                "text where it is shown; kept as written",
            )
        )
    known = [c for c in criteria if canonical_criterion(c)]
    pem = record.get("pem", "unknown")
    if known and pem == "required" and not any(c in PEM_REQUIRING for c in known):
        found.append(("pem", "pem is 'required' but none of the criteria requires PEM"))
    if known and pem == "not-required" and all(c in PEM_REQUIRING for c in known):
        found.append(("pem", "pem is 'not-required' but every listed criterion requires PEM"))
    return [Problem(file, line, record["slug"], field, message, True) for field, message in found]
