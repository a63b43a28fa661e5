"""What a run measured on: the machine, the software versions and the commit of the code."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.workspace import ROOT

VERSIONED = ("whoosh-reloaded", "tantivy", "waitress", "flask", "pyinstrument")
# The code a run measures; changes elsewhere (bench/, docs) leave a commit's figures valid.
MEASURED_CODE = ("search", "indexer", "web", "atlas_cli")


def _proc_line(path: str, prefix: str) -> str | None:
    """Return the first line of a /proc file that starts with prefix (None off Linux)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    """Return a description of the machine and software the run used."""
    cpu_line = _proc_line("/proc/cpuinfo", "model name")
    cpu = cpu_line.split(":", 1)[1].strip() if cpu_line else "unknown"
    memory_line = _proc_line("/proc/meminfo", "MemTotal")  # in kB
    memory = round(int(memory_line.split()[1]) / 1024 / 1024, 1) if memory_line else None
    versions = {"sqlite": sqlite3.sqlite_version}
    for package in VERSIONED:
        try:
            versions[package] = version(package)
        except Exception:
            versions[package] = "not installed"
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    return {
        "uname": uname or " ".join(platform.uname()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "python": platform.python_version(),
        "versions": versions,
    }


def commit() -> str:
    """Return HEAD's short hash, marked when the measured code has uncommitted changes."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", *MEASURED_CODE],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return done.stdout.strip() + ("+uncommitted changes" if dirty else "")
