"""The year histogram of a match set: bar geometry for an inline SVG, worked out in Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 600
HEIGHT = 60
MIN_BAR = 2  # a year with one study must still show
# A short span is widened to this many years, so a few years do not make a few huge bars; the
# widening never runs past the current year (no study is from the future), so it falls before
# the data when the data is recent.
MIN_YEARS = 20


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

    @property
    def years(self) -> str:
        """Return the data's years for the caption: "2019", or "2021–2023"."""
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"

    def bars_svg(self) -> Markup:
        """Return the bars as SVG links, every attribute escaped.

        Made here rather than in a template: forty bars of a template loop with a macro call
        each would be the largest part of rendering a results page.
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


def _axis(first: int, last: int, this_year: int) -> tuple[int, int]:
    """Return the axis's first and last year: the data's, widened to MIN_YEARS, half on each
    side, but never past this year (the rest goes before the data)."""
    short = MIN_YEARS - (last - first + 1)
    if short <= 0:
        return first, last
    after = min(short - short // 2, max(0, this_year - last))
    return first - (short - after), last + after


def year_histogram(
    year_counts: Iterable[tuple[int, int]],
    selected: Collection[int],
    url_of: Callable[[int], str],
    this_year: int | None = None,
) -> Histogram | None:
    """Return the histogram of (year, count) pairs on a continuous year axis, or None if empty."""
    counts = {year: count for year, count in year_counts if count > 0}
    if not counts:
        return None
    first_year, last_year = min(counts), max(counts)
    first, last = _axis(first_year, last_year, this_year or dt.date.today().year)
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
