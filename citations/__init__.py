"""How a study is cited: author lists, the primary citation, snapshot references, BibTeX and RIS.

Flask-free, so that the web pages, the exports and the command line share one writer of each.
All functions take a record as the index stores it (a validated dict, DOI without prefix)
and return plain text; pages escape it like any other text.
"""

from citations.bibtex_writer import bibtex
from citations.ris_writer import ris
from citations.text import (
    DEFAULT_KEY_PREFIX,
    byline_authors,
    citation_key,
    doi_url,
    family_name,
    initials_name,
    link_url,
    primary_citation,
    pubmed_url,
    sentence,
    short_authors,
    snapshot_citation,
)

__all__ = [
    "DEFAULT_KEY_PREFIX",
    "bibtex",
    "byline_authors",
    "citation_key",
    "doi_url",
    "family_name",
    "initials_name",
    "link_url",
    "primary_citation",
    "pubmed_url",
    "ris",
    "sentence",
    "short_authors",
    "snapshot_citation",
]
