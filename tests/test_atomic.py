"""curation.atomic.write_atomically: the old file or the new one whole, never a part.

The file system calls are watched (os.fsync and os.replace, wrapped, still doing their work)
to see the order a crash-safe write needs: the new text synced in a file beside the target,
then renamed over it, then the folder synced.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from curation.atomic import write_atomically


def test_writes_the_text_and_makes_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "curated" / "keller-2024-il6.json"
    write_atomically(target, '{"title": "Müller — IL-6"}\n')
    assert target.read_text(encoding="utf-8") == '{"title": "Müller — IL-6"}\n'
    assert sorted(p.name for p in target.parent.iterdir()) == ["keller-2024-il6.json"]


def test_replaces_the_file_by_a_rename_not_in_place(tmp_path: Path) -> None:
    target = tmp_path / "study.json"
    target.write_text("old\n", encoding="utf-8")
    reader = tmp_path / "a-reader-of-the-old-file"
    os.link(target, reader)  # a reader that opened the old file keeps it whole
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert reader.read_text(encoding="utf-8") == "old\n"
    assert not os.path.samefile(target, reader)


def test_syncs_the_text_beside_the_target_then_renames_then_syncs_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "study.json"
    target.write_text("old\n", encoding="utf-8")
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        assert Path(src).parent == tmp_path
        assert Path(dst) == target
        assert Path(src).read_text(encoding="utf-8") == "new\n"
        calls.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomically(target, "new\n")
    assert calls == ["fsync file", "rename", "fsync folder"]
    assert target.read_text(encoding="utf-8") == "new\n"


@pytest.mark.parametrize(
    "failure",
    [
        "text",  # a lone surrogate cannot be written as UTF-8
        "sync",  # the disk refuses, after the text was written
    ],
)
def test_an_error_leaves_the_old_file_and_no_partial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    target = tmp_path / "study.json"
    target.write_text("old\n", encoding="utf-8")
    text = "new \ud800\n" if failure == "text" else "new\n"
    if failure == "sync":

        def fsync(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises((UnicodeEncodeError, OSError)):
        write_atomically(target, text)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["study.json"]
