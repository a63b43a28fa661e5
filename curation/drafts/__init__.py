"""Drafts: imported papers waiting for a curator, kept private in SQLite in the instance data.

Pure Python, no Flask, so the `atlas drafts` commands and a web workspace share one API:
`DraftStore.list/get/accept/reject/export`. Nothing here is in the index or public until a
curator accepts a draft, which writes a record file into the curated source directory.

`draft` holds the data (a new draft, a stored one, what accepting wrote) and the JSON of its
columns, `record` the record a draft becomes, `store` the SQLite file. Like the other stores
of the instance data (curation/database.py), every operation opens its own connection.
"""

from curation.drafts.draft import Accepted, Draft, NewDraft
from curation.drafts.record import RECORD_FIELDS, SUGGESTED_FIELDS, citation_record, record_for
from curation.drafts.store import (
    DB_FILE,
    MAX_NOTE,
    STATUSES,
    AlreadyDecided,
    DraftStore,
    InvalidDraft,
    SlugTaken,
    UnknownDraft,
    known_papers,
)

__all__ = [
    "DB_FILE",
    "MAX_NOTE",
    "RECORD_FIELDS",
    "STATUSES",
    "SUGGESTED_FIELDS",
    "Accepted",
    "AlreadyDecided",
    "Draft",
    "DraftStore",
    "InvalidDraft",
    "NewDraft",
    "SlugTaken",
    "UnknownDraft",
    "citation_record",
    "known_papers",
    "record_for",
]
