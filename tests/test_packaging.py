"""The wheel lists its packages by hand (see pyproject.toml): every package must be listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_the_project_is_in_the_wheel() -> None:
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(setup["setuptools"]["packages"])
    tops = {name for name in listed if "." not in name and name != "atlas_studies"}
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in tops
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set()  # a subpackage missing here is missing from the wheel
    assert (ROOT / "data" / "studies").is_dir()  # what atlas_studies maps to
