"""Reading one corpus size's figures (an entry of bench/out/results.json) for the report."""

from __future__ import annotations

from typing import Any

Entry = dict[str, Any]


def figure(entry: Entry, *path: str) -> Any:
    """Return the value at a path of keys in an entry, or None where the path stops."""
    value: Any = entry
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def stage(entry: Entry, name: str) -> dict[str, Any]:
    """Return a stage's figures, or nothing when it failed or did not run."""
    value: dict[str, Any] = entry.get(name) or {}
    return {} if "error" in value else value
