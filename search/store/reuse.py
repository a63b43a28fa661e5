"""`hashes.json` and `digests.json`: what an incremental build needs to know what changed.

hashes.json maps each slug to a hash of its cleaned record; digests.json holds the hash of
the validating code and, per slug, a digest of the raw text the record was cleaned from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HASHES_FILE = "hashes.json"
DIGESTS_FILE = "digests.json"


def write_hashes(generation: Path, hashes: dict[str, str]) -> None:
    """Write the content hash of each slug."""
    (generation / HASHES_FILE).write_text(json.dumps(hashes), encoding="utf-8")


def read_hashes(generation: Path) -> dict[str, str]:
    """Return the content hash of each slug (OSError or ValueError when unreadable)."""
    hashes: dict[str, str] = json.loads((generation / HASHES_FILE).read_text(encoding="utf-8"))
    return hashes


def write_digests(generation: Path, validator: str, digests: dict[str, str]) -> None:
    """Write the validating code's hash and each slug's raw-text digest."""
    data = {"validator": validator, "records": digests}
    (generation / DIGESTS_FILE).write_text(json.dumps(data), encoding="utf-8")


def read_digests(generation: Path) -> tuple[Any, dict[str, str]]:
    """Return the validating code's hash and each slug's raw-text digest (OSError, ValueError
    or KeyError when unreadable)."""
    data = json.loads((generation / DIGESTS_FILE).read_text(encoding="utf-8"))
    return data.get("validator"), data["records"]
