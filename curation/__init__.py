"""Curation: papers from PubMed and reference managers become drafts that curators review.

Imports go one way: this package uses `search` (vocabularies, marker names) and `indexer`
(the record schema, sources); nothing in `search` or `indexer` imports it. The CLI wires it.
"""
