"""Geometry of the summary page's SVG charts, computed on the server (no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_HEIGHT_PX = 18
BAR_GAP_PX = 6
LABEL_WIDTH_PX = 260
PLOT_WIDTH_PX = 300
# Colours of the status segments, chosen to stay distinct for colour-blind readers.
STATUS_COLOURS = {
    "not_assessed": "#c9c9d4",
    "not_implemented": "#b2182b",
    "partial": "#f4a582",
    "implemented": "#2166ac",
    "regressed": "#4d004b",
}


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: label, count, and its position in px."""

    label: str
    count: int
    y_px: int
    width_px: float


@dataclass(frozen=True)
class BarChart:
    """Bars with the size of the SVG drawing them."""

    bars: tuple[Bar, ...]
    height_px: int
    width_px: int = LABEL_WIDTH_PX + PLOT_WIDTH_PX + 50
    label_width_px: int = LABEL_WIDTH_PX


def bar_chart(items: Sequence[tuple[str, int]]) -> BarChart:
    """Horizontal bars scaled to the largest count."""
    top = max((count for _label, count in items), default=0) or 1
    bars = tuple(
        Bar(label, count, i * (BAR_HEIGHT_PX + BAR_GAP_PX), PLOT_WIDTH_PX * count / top)
        for i, (label, count) in enumerate(items)
    )
    return BarChart(bars, max(1, len(bars) * (BAR_HEIGHT_PX + BAR_GAP_PX)))


@dataclass(frozen=True)
class Segment:
    """A part of a stacked bar: which status, how many, where."""

    status: str
    label: str
    count: int
    x_px: float
    width_px: float
    colour: str


@dataclass(frozen=True)
class StackedRow:
    """One month of the progress chart."""

    label: str
    y_px: int
    segments: tuple[Segment, ...]


def stacked_chart(
    rows: Sequence[tuple[str, dict[str, int]]], labels: dict[str, str]
) -> tuple[tuple[StackedRow, ...], int]:
    """Stacked 100% bars, one per row, segments in the order of STATUS_COLOURS."""
    out = []
    for i, (label, counts) in enumerate(rows):
        total = sum(counts.values()) or 1
        x = 0.0
        segments = []
        for status, colour in STATUS_COLOURS.items():
            count = counts.get(status, 0)
            width = PLOT_WIDTH_PX * count / total
            segments.append(Segment(status, labels.get(status, status), count, x, width, colour))
            x += width
        out.append(StackedRow(label, i * (BAR_HEIGHT_PX + BAR_GAP_PX), tuple(segments)))
    return tuple(out), max(1, len(out) * (BAR_HEIGHT_PX + BAR_GAP_PX))
