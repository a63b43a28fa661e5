"""The files of an index generation: one module per file writes it and reads it back (its
codec), so each format is defined once. Nothing here is a pickle: loading a generation runs
no code from disk.

```
index/
  CURRENT              current.py   the served generation's name
  .build.lock                       held by the one running build (indexer/commit.py)
  gen-…/
    whoosh/                         Whoosh's own index (its codec, see search/whoosh_compat.py)
    postings/          postings.py  each segment's postings again, as plain arrays
    records.jsonl      records.py   the full cleaned records, one JSON line each
    snippets.txt/.idx  snippets.py  per document the texts snippets are cut from, and where
                                    each document's line starts
    tables.json/.bin   tables.py    the serving tables: facet bitsets, orders, result rows
    meta.json          meta.py      what the build recorded; the index format
    hashes.json        reuse.py     content hash per slug, for incremental builds
    digests.json       reuse.py     digest of each record's raw text, for incremental builds
```
"""

from __future__ import annotations

# Bump when any file of a generation changes shape: older generations are then rebuilt.
INDEX_FORMAT = 12

LOCK_FILE = ".build.lock"
GENERATION_PREFIX = "gen-"
BUILDING_PREFIX = ".build-"
WHOOSH_DIR = "whoosh"
POSTINGS_DIR = "postings"
