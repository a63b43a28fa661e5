"""The documentation names the code as it is: docs/architecture.md's module map and the
README's folder table.

The module map's rule, readable from the table itself: every Python module of a product
package is named either

- by a row of its own whose first cell is its path (`search/engine.py`), or
- in the row of its folder (`web/pages/`), by its file name or its name without `.py` in
  backticks (`labels` or `labels.py`); a package's `__init__.py` is named by its folder's row.

And every path either table names (a backticked name with a `/` or a file suffix) exists,
read from the checkout's root or from the row's folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("search", "indexer", "web", "curation", "citations", "atlas_cli")
# Files outside Python whose names a row may cite.
SUFFIXES = (".py", ".md", ".tsv", ".json", ".jsonl", ".html", ".txt")


def table_rows(text: str, heading: str) -> list[tuple[str, str]]:
    """The (first cell, rest of the row) of each body row of the table under `heading`."""
    section = text.split(heading, 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first, _, rest = line[2:].partition(" | ")
        rows.append((first.strip().strip("`"), rest))
    return rows


def backticked(text: str) -> list[str]:
    """The texts between backticks in `text`."""
    return re.findall(r"`([^`]+)`", text)


def is_path(name: str) -> bool:
    """Whether a backticked name reads as a file or folder path (a URL's path does not)."""
    if not re.fullmatch(r"[\w./-]+", name) or name.startswith((".", "/")):
        return False
    return "/" in name or name.endswith(SUFFIXES)


def product_modules() -> list[str]:
    """Every Python module of the product packages, as a path from the checkout's root."""
    return sorted(
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    )


def module_map() -> list[tuple[str, str]]:
    return table_rows((ROOT / "docs" / "architecture.md").read_text("utf-8"), "## Module map")


def is_named(module: str, rows: list[tuple[str, str]]) -> bool:
    """Whether the module map names `module` by the rule in this file's docstring."""
    folder, _, file_name = module.rpartition("/")
    for first, rest in rows:
        if first == module:
            return True
        if first == folder + "/":
            if file_name == "__init__.py":
                return True
            names = backticked(rest)
            if file_name in names or file_name.removesuffix(".py") in names:
                return True
    return False


def test_the_module_map_names_every_module() -> None:
    rows = module_map()
    assert [module for module in product_modules() if not is_named(module, rows)] == []


def test_the_module_map_has_a_row_per_package_folder() -> None:
    # A folder of modules is described as a whole somewhere, not only module by module.
    firsts = {first for first, _ in module_map()}
    folders = sorted(
        str(path.parent.relative_to(ROOT)) + "/"
        for package in PACKAGES
        for path in (ROOT / package).rglob("__init__.py")
    )
    assert [folder for folder in folders if folder not in firsts] == []


def named_paths(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(row, path) for every path a table names, its first cell included."""
    return [
        (first, name)
        for first, rest in rows
        for name in [first, *backticked(rest)]
        if is_path(name)
    ]


def missing(rows: list[tuple[str, str]]) -> list[str]:
    found = []
    for first, name in named_paths(rows):
        folder = first if first.endswith("/") else first.rpartition("/")[0] + "/"
        candidates = [ROOT / name, ROOT / folder / name]
        if not any(candidate.exists() for candidate in candidates):
            found.append(f"{first}: {name}")
    return found


def test_every_path_the_module_map_names_exists() -> None:
    rows = module_map()
    assert len(named_paths(rows)) > len(rows)  # the rows' own paths and more
    assert missing(rows) == []


def test_every_path_the_readme_folder_table_names_exists() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    rows = table_rows(readme, "| folder | what it does |")
    assert {first for first, _ in rows} >= {f"{package}/" for package in PACKAGES}
    assert missing(rows) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("search/engine.py", True),
        ("index.py", True),
        ("pages/", True),
        ("search/data/concepts.tsv", True),
        ("labels", False),
        ("Atlas.search()", False),
        ("ATLAS_<NAME>", False),
        (".build.lock", False),
        ("/api/v1/", False),
    ],
)
def test_what_reads_as_a_path(name: str, expected: bool) -> None:
    assert is_path(name) is expected
