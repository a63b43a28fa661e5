"""Half of a build's work in a forked second process, for machines with a second core.

The child inherits this process's memory (the records are not copied or pickled to it), runs
one function, and sends its result back pickled through a pipe. It dies with the process that
started it (on Linux; elsewhere long-running work checks `parent_alive`), so a killed build
leaves no worker behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ChildFailed(Exception):
    """The second process ended without sending its result."""


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def parent_alive(pid: int) -> bool:
    """Return whether the process `pid` still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Forked(Generic[T]):
    """`work()` running in a forked child; `result()` waits for what it returns."""

    def __init__(self, work: Callable[[], T], on_start: Callable[[], None] | None = None) -> None:
        parent = os.getpid()
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)

        def run() -> None:
            self._receiver.close()
            if on_start is not None:
                on_start()
            _die_with_parent()
            if not parent_alive(parent):
                os._exit(1)
            data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
            with contextlib.suppress(BrokenPipeError):  # else the parent is gone
                sender.send_bytes(data)
            sender.close()

        self._child = context.Process(target=run, daemon=True)
        self._child.start()
        sender.close()

    def result(self) -> T:
        """Return what `work()` returned; raise ChildFailed when the child died first."""
        try:
            result: T = pickle.loads(self._receiver.recv_bytes())
            return result
        except EOFError:
            raise ChildFailed(f"the second process ended ({self._child.exitcode})") from None
        finally:
            self._receiver.close()
            self._child.join()
