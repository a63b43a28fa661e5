"""The last step of a build, and the lock around it all: one build at a time, the new
generation verified, renamed into place and switched to with one atomic rename of CURRENT.

A crash or kill at any moment leaves the served generation whole: until the rename of
CURRENT nothing a server reads has changed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from search.store import BUILDING_PREFIX, GENERATION_PREFIX, LOCK_FILE, POSTINGS_DIR, WHOOSH_DIR
from search.store.current import fsync_dir, is_leftover_pointer, write_current


class BuildError(Exception):
    """A build could not run or complete; the served index is unchanged."""


class BuildLocked(BuildError):
    """Another build holds the index lock."""


# Descriptors of build locks this process holds: a forked second writer closes its copies, so
# the lock goes with the build that took it, not with whichever process dies last.
_HELD_LOCKS: set[int] = set()


def release_inherited_locks() -> None:
    """In a forked child: close its copies of the build lock's descriptors."""
    for fd in _HELD_LOCKS:
        os.close(fd)  # not flock(LOCK_UN): that would release the build's lock too
    _HELD_LOCKS.clear()


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's build lock, or raise BuildLocked when another build has it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_FILE
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildLocked(
                f"another build of {index_dir} is running (pid {holder}); "
                "wait for it to finish and try again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD_LOCKS.add(handle.fileno())
        yield
    finally:
        _HELD_LOCKS.discard(handle.fileno())
        handle.close()  # closing releases the lock, also when the process is killed


def remove_leftovers(index_dir: Path, keep: set[str]) -> None:
    """Delete unfinished builds and generations older than the previous one."""
    for path in index_dir.iterdir():
        name = path.name
        stale_build = name.startswith(BUILDING_PREFIX)
        old_gen = name.startswith(GENERATION_PREFIX) and name not in keep
        if (stale_build or old_gen) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif is_leftover_pointer(name) and path.is_file():
            path.unlink(missing_ok=True)


def start_generation(index_dir: Path, generation: str) -> Path:
    """Return a new, empty build folder for a generation (with its whoosh/ and postings/)."""
    work = index_dir / f"{BUILDING_PREFIX}{generation}"
    work.mkdir()
    (work / WHOOSH_DIR).mkdir()
    (work / POSTINGS_DIR).mkdir()
    return work


def verify(work: Path, unkept: list[str], documents: int, placed: int, expected: int) -> None:
    """Raise BuildError (and delete the build folder) unless every segment has its kept
    postings and the new index holds exactly the expected documents."""
    if unkept:
        shutil.rmtree(work, ignore_errors=True)
        raise BuildError(
            f"verification failed: no kept postings for segment(s) {', '.join(unkept)}; "
            "the served index is unchanged"
        )
    if documents != expected or placed != expected:
        shutil.rmtree(work, ignore_errors=True)
        raise BuildError(
            f"verification failed: the new index holds {documents} documents "
            f"({placed} known), expected {expected}; the served index is unchanged"
        )


def switch_to(index_dir: Path, work: Path, generation: str, served: Path | None) -> None:
    """Rename the build folder into place, point CURRENT at it, and delete older generations
    (the one served until now is kept for servers still answering from it)."""
    fsync_dir(work)
    os.rename(work, index_dir / generation)
    fsync_dir(index_dir)
    write_current(index_dir, generation)
    remove_leftovers(index_dir, {generation} | ({served.name} if served else set()))
