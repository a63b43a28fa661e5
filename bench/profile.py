"""Profiling our search with pyinstrument: where the time of the query mix goes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Hotspot:
    """One function's share of the profiled time."""

    function: str
    location: str  # file:line, shortened
    seconds: float
    percent: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _key(frame: Any) -> tuple[str, str]:
    name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
    return name, f"{frame.file_path_short}:{frame.line_no}"


def _frames(
    frame: Any, ancestors: frozenset[tuple[str, str]] = frozenset()
) -> Iterator[tuple[Any, bool]]:
    """Yield every real frame with whether the same function is already on the stack above it."""
    if not frame.is_synthetic:
        key = _key(frame)
        yield frame, key in ancestors
        ancestors = ancestors | {key}
    for child in frame.children:
        yield from _frames(child, ancestors)


def profile(
    work: Callable[[], None], text_out: Path | None = None, top: int = 15, interval: float = 0.0005
) -> dict[str, Any]:
    """Run `work` under pyinstrument; return the top functions by own time and by total time."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=interval)
    profiler.start()
    work()
    profiler.stop()
    if text_out is not None:
        text_out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    if root is None:  # nothing was sampled
        raise RuntimeError("pyinstrument recorded no samples")
    total = root.time or 1e-9
    own: dict[tuple[str, str], float] = {}
    inclusive: dict[tuple[str, str], float] = {}
    for frame, is_recursive in _frames(root):
        key = _key(frame)
        children = sum(c.time for c in frame.children if not c.is_synthetic)
        own[key] = own.get(key, 0.0) + max(0.0, frame.time - children)
        if not is_recursive:
            inclusive[key] = inclusive.get(key, 0.0) + frame.time

    def ranked(table: dict[tuple[str, str], float]) -> list[dict[str, Any]]:
        best = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [
            Hotspot(name, where, round(seconds, 4), round(100 * seconds / total, 1)).to_json()
            for (name, where), seconds in best
        ]

    return {
        "seconds": round(total, 3),
        "interval": interval,
        "by_own_time": ranked(own),
        "by_total_time": ranked({k: v for k, v in inclusive.items() if v < total * 0.999}),
    }
