"""The year histogram of a match set: bar geometry for an inline SVG, worked out in Python."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 600
HEIGHT = 60
MIN_BAR = 2  # a year with one study must still show
MIN_YEARS = 20  # a short span is widened, so a few years do not make a few huge bars


@dataclass(frozen=True)
class Bar:
    """One year's bar: where to draw it and where it links."""

    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    url: str
    is_selected: bool


@dataclass(frozen=True)
class Histogram:
    bars: tuple[Bar, ...]
    first_year: int  # of the data
    last_year: int
    axis_from: int  # of the axis, which may be wider
    axis_to: int
    max_count: int
    width: int = WIDTH
    height: int = HEIGHT

    def bars_svg(self) -> Markup:
        """Return the bars as SVG links, every attribute escaped.

        Made here rather than in a template: forty bars of a template loop with a macro call
        each were the largest part of rendering a results page.
        """
        out = []
        for bar in self.bars:
            label = f"{bar.year}: {_studies(bar.count)}"
            selected = " is-selected" if bar.is_selected else ""
            out.append(
                f'<a href="{escape(bar.url)}" aria-label="{label}'
                f'{" (selected)" if bar.is_selected else ""}">'
                f'<rect class="histogram__target" x="{bar.x}" y="0" width="{bar.width}" '
                f'height="{self.height}"/><rect class="histogram__bar{selected}" x="{bar.x}" '
                f'y="{bar.y}" width="{bar.width}" height="{bar.height}"><title>{label}</title>'
                "</rect></a>"
            )
        return Markup("\n".join(out))  # numbers and escaped URLs only


def _studies(n: int) -> str:
    return f"{n} study" if n == 1 else f"{n} studies"


def year_histogram(
    year_counts: Iterable[tuple[int, int]], selected: Collection[int], url_of: Callable[[int], str]
) -> Histogram | None:
    """Return the histogram of (year, count) pairs on a continuous year axis, or None if empty."""
    counts = {year: count for year, count in year_counts if count > 0}
    if not counts:
        return None
    first_year, last_year = min(counts), max(counts)
    first, last = first_year, last_year
    short = MIN_YEARS - (last - first + 1)
    if short > 0:
        first -= short // 2
        last += short - short // 2
    slot = WIDTH / (last - first + 1)
    gap = min(1.0, slot / 4)
    top = max(counts.values())
    bars = []
    for year in sorted(counts):
        count = counts[year]
        height = max(MIN_BAR, round(HEIGHT * count / top, 2))
        bars.append(
            Bar(
                year=year,
                count=count,
                x=round((year - first) * slot + gap / 2, 2),
                y=round(HEIGHT - height, 2),
                width=round(slot - gap, 2),
                height=height,
                url=url_of(year),
                is_selected=year in selected,
            )
        )
    return Histogram(
        tuple(bars), first_year, last_year, axis_from=first, axis_to=last, max_count=top
    )
