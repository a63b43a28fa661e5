"""The release hash in ETags (web/etags.py) changes with any code an answer is made from, so a
deploy that changes ranking, snippets, synonyms or the store codecs never answers 304 with a
page the old code made."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from web import etags

ROOT = Path(__file__).resolve().parent.parent


def test_release_covers_web_search_and_indexer() -> None:
    assert {d.relative_to(ROOT).as_posix() for d in etags.CODE_DIRS} >= {"web", "search", "indexer"}


@pytest.mark.parametrize(
    "changed",
    [
        "search/scoring.py",
        "search/store/snippets.py",
        "search/data/marker-synonyms.tsv",
        "search/records.py",
        "web/pages/study.py",
    ],
)
def test_a_change_to_any_of_them_changes_the_release(
    changed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = []
    for directory in etags.CODE_DIRS:
        copy = tmp_path / directory.relative_to(ROOT)
        shutil.copytree(directory, copy, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(copy)
    monkeypatch.setattr(etags, "CODE_DIRS", tuple(copies))
    etags.release.cache_clear()
    try:
        before = etags.release()
        etags.release.cache_clear()
        assert etags.release() == before
        with (tmp_path / changed).open("a", encoding="utf-8") as handle:
            handle.write("\n")
        etags.release.cache_clear()
        assert etags.release() != before
    finally:
        etags.release.cache_clear()
