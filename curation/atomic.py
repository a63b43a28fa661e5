"""Writing a file atomically: a reader, or the disk after a crash, holds the old file or the
new one whole, never a part.

The text is written to a temporary file in the target's own folder (a rename is atomic only
within one file system), synced, renamed over the target, and the folder synced so that the
rename itself survives a crash. On any error the temporary file is removed and the target is
as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from search.store.current import fsync_dir


def write_atomically(path: Path, text: str) -> None:
    """Replace the file at `path` (its folder made if missing) with `text` in UTF-8, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, aside = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(aside, path)
    except BaseException:
        Path(aside).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
