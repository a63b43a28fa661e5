"""Curation: what curators bring in and keep in the instance data, outside the index.

Papers from PubMed and reference managers become drafts that curators review (drafts,
importing, suggest); curator accounts and sessions (accounts), the audit trail (audit) and
background publishing (publish) serve the web workspace and the `atlas` commands alike.

Imports go one way: this package uses `search` (vocabularies, marker names, the record
schema, `fsync_dir`) and runs builds as a process of their own (`atlas index build`); nothing
in `search` or `indexer` imports it, and it imports no Flask. The CLI and web/workspace/ wire
it.
"""
