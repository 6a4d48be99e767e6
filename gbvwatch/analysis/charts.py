"""The report's charts and maps, drawn once with matplotlib and saved as SVG and PNG alike.

No pyplot: each chart is a `Figure` of its own, saved through the Agg and SVG canvases, so
nothing is shared between requests. Output is deterministic (fixed SVG hash salt, no dates in
metadata, glyphs drawn as paths in DejaVu Sans, which matplotlib ships and which has the
Azerbaijani and Cyrillic letters), so the same input gives byte-identical files and every
viewer sees the same drawing. Colours are colour-blind-safe (Okabe-Ito for categories,
ColorBrewer YlGnBu for ordered bands, whose lightness also orders them in greyscale), and
hatching doubles colour wherever it carries meaning. Callers pass every word already
translated; numbers are formatted here with the separators they pass.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

MM_PER_INCH = 25.4
PNG_DPI = 200
WIDTH_MM = 170.0  # the text width of an A4 page with 20 mm margins
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BAND_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")  # YlGnBu, near to far
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
SUPPRESSED_HATCH = "////"
SUPPRESSED_COLOUR = "#bdbdbd"
NO_DATA_COLOUR = "#f0f0f0"
_LABEL_WRAP_CHARS = 30
_STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "hatch.linewidth": 0.7,
    "svg.fonttype": "path",
    "svg.image_inline": True,
    "legend.frameon": False,
}


@dataclass(frozen=True)
class Chart:
    """One drawn chart: its words, the drawing as SVG text and PNG bytes, and its size in mm."""

    key: str
    title: str
    alt: str
    source_note: str
    svg: str
    png: bytes
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class NumberFormat:
    """Separators of the reader's language for numbers drawn in a chart."""

    thousands: str = ","
    decimal: str = "."

    def integer(self, value: float) -> str:
        """A rounded whole number with thousands separators."""
        return f"{round(value):,}".replace(",", self.thousands)

    def fixed(self, value: float, digits: int = 1) -> str:
        """A number with `digits` decimals and the language's separators."""
        text = f"{value:,.{digits}f}"
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)


@dataclass(frozen=True)
class ChartText:
    """The words of a chart in the reader's language: title, text alternative, source note."""

    title: str
    alt: str
    source_note: str


@dataclass(frozen=True)
class ShelterPlaces:
    """Shelter family places available and required by the standard (places)."""

    available_places: float
    required_places: float
    available_label: str
    required_label: str
    axis_label: str
    ratio_label: str  # e.g. "The standard requires 5.9 times the places available"
    numbers: NumberFormat = field(default_factory=NumberFormat)


@dataclass(frozen=True)
class Series:
    """One named row of numbers, in the order of the chart's categories."""

    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class WomenByDistance:
    """Women by distance band to the nearest accepting shelter, one series per profile."""

    band_labels: tuple[str, ...]
    series: tuple[Series, ...]
    axis_label: str
    numbers: NumberFormat = field(default_factory=NumberFormat)


@dataclass(frozen=True)
class DayCalendar:
    """Days of one year without a service; the longest run is outlined and labelled."""

    year: int
    days_without: tuple[bool, ...]  # one per day of the year, True = no open hour that day
    longest_start: dt.date | None
    longest_days: int
    month_labels: tuple[str, ...]  # 12
    without_label: str
    with_label: str
    longest_label: str


@dataclass(frozen=True)
class CountCell:
    """A published count: value None when suppressed, label as published ("12", "<5", "x")."""

    value: int | None
    label: str


@dataclass(frozen=True)
class CountSeries:
    """Published counts of one kind of case, in the order of the chart's years."""

    label: str
    cells: tuple[CountCell, ...]


@dataclass(frozen=True)
class CasesByYear:
    """Incidents and attacks by year, as published after small-cell suppression."""

    year_labels: tuple[str, ...]
    series: tuple[CountSeries, ...]
    axis_label: str
    suppressed_label: str  # legend entry for hidden cells
    k: int  # the suppression threshold: hidden markers are drawn this tall, whatever the count
    numbers: NumberFormat = field(default_factory=NumberFormat)


@dataclass(frozen=True)
class StackedCounts:
    """Counts of groups (rows) by status (segments), with a colour per status."""

    group_labels: tuple[str, ...]
    status_labels: tuple[str, ...]
    status_colours: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # groups x statuses
    axis_label: str
    numbers: NumberFormat = field(default_factory=NumberFormat)


Ring = tuple[tuple[float, float], ...]  # closed or open ring of (lon, lat) degrees
Polygon = tuple[Ring, ...]  # exterior ring first, then holes


@dataclass(frozen=True)
class MapArea:
    """An admin unit's polygons (lon/lat degrees) and its value (km; None = no value)."""

    polygons: tuple[Polygon, ...]
    value_km: float | None = None


@dataclass(frozen=True)
class PointGroup:
    """Points of one kind, (lon, lat) degrees, and their legend label."""

    label: str
    points_lonlat: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class DistanceMap:
    """Units coloured by distance band (km) with the services they are measured to."""

    areas: tuple[MapArea, ...]
    band_edges_km: tuple[float, ...]  # inner edges, e.g. (50, 100, 200, 300): 5 bands
    band_labels: tuple[str, ...]
    no_value_label: str
    legend_title: str
    points: PointGroup


@dataclass(frozen=True)
class PointsMap:
    """Points by kind over the unit boundaries."""

    areas: tuple[MapArea, ...]
    groups: tuple[PointGroup, ...]
    legend_title: str


# -- drawing and saving -----------------------------------------------------------------------


@contextmanager
def _style(key: str) -> Iterator[None]:
    # rcParams are read when text is created and when files are saved: hold them for both.
    salted: dict[RcKeyType, Any] = {**_STYLE, "svg.hashsalt": f"gbvwatch-chart-{key}"}
    with rc_context(salted):
        yield


def _figure(height_mm: float) -> Figure:
    return Figure(
        figsize=(WIDTH_MM / MM_PER_INCH, height_mm / MM_PER_INCH),
        dpi=PNG_DPI,
        layout="constrained",
    )


_SVG_ID = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')


def _svg_text(raw: str, key: str, text: ChartText) -> str:
    """Inline-ready SVG: no XML prolog or doctype, no metadata, ids prefixed with the chart's
    key (several charts share one HTML page), a title and a description for screen readers."""
    body = _SVG_ID.sub(lambda m: f"{m.group(1)}{key}-{m.group(2)}", raw[raw.index("<svg") :])
    body = re.sub(r"\s*<metadata>.*?</metadata>", "", body, count=1, flags=re.DOTALL)
    open_end = body.index(">") + 1
    accessible = f"\n <title>{escape(text.title)}</title>\n <desc>{escape(text.alt)}</desc>"
    return (
        body[: open_end - 1]
        + ' role="img"'
        + body[open_end - 1 : open_end]
        + accessible
        + body[open_end:]
    )


def _finish(key: str, fig: Figure, text: ChartText) -> Chart:
    """Save the figure as SVG and PNG (same drawing) and pack them with the chart's words."""
    svg_buffer, png_buffer = io.StringIO(), io.BytesIO()
    fig.savefig(svg_buffer, format="svg", metadata={"Date": None, "Creator": None})
    fig.savefig(png_buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    width_in, height_in = fig.get_size_inches()
    return Chart(
        key=key,
        title=text.title,
        alt=text.alt,
        source_note=text.source_note,
        svg=_svg_text(svg_buffer.getvalue(), key, text),
        png=png_buffer.getvalue(),
        width_mm=round(float(width_in) * MM_PER_INCH, 1),
        height_mm=round(float(height_in) * MM_PER_INCH, 1),
    )


def _wrap(label: str, width: int = _LABEL_WRAP_CHARS) -> str:
    return textwrap.fill(label, width=width, break_long_words=False) or label


def _thousands_axis(ax: Axes, numbers: NumberFormat, axis: str = "y") -> None:
    # Counts: whole-number ticks only, with the reader's thousands separator.
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(lambda value, _pos: numbers.integer(value))


def no_data_chart(key: str, text: ChartText, message: str) -> Chart:
    """A chart that says in the drawing (and its alt text) that its data are missing."""
    with _style(key):
        fig = _figure(45.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(_wrap(text.title, 90))
        ax.add_patch(
            Rectangle(
                (0.0, 0.0),
                1.0,
                1.0,
                transform=ax.transAxes,
                facecolor=NO_DATA_COLOUR,
                edgecolor="#999999",
                hatch=SUPPRESSED_HATCH,
                linewidth=0.8,
            )
        )
        ax.text(
            0.5,
            0.5,
            _wrap(message, 80),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            bbox={"facecolor": "white", "edgecolor": "none"},
        )
        return _finish(key, fig, text)


# -- the charts ---------------------------------------------------------------------------------


def shelter_places_chart(data: ShelterPlaces, text: ChartText) -> Chart:
    """Two bars: shelter places available and required by the standard, with the ratio."""
    key = "shelter_places"
    with _style(key):
        fig = _figure(62.0)
        ax = fig.add_subplot()
        labels = [_wrap(data.available_label), _wrap(data.required_label)]
        values = [data.available_places, data.required_places]
        bars = ax.barh(
            labels,
            values,
            color=[OKABE_ITO[0], "white"],
            edgecolor="#333333",
            hatch=["", "//"],
            height=0.6,
        )
        ax.bar_label(bars, labels=[data.numbers.integer(v) for v in values], padding=4)
        ax.invert_yaxis()
        ax.set_xlim(0, max([*values, 1.0]) * 1.15)
        ax.set_xlabel(data.axis_label)
        _thousands_axis(ax, data.numbers, "x")
        ax.set_title(_wrap(text.title, 90))
        fig.supxlabel(
            _wrap(data.ratio_label, 100), x=0.01, ha="left", fontsize=9, fontweight="bold"
        )
        return _finish(key, fig, text)


def women_by_distance_chart(data: WomenByDistance, text: ChartText) -> Chart:
    """Grouped bars: women in each distance band to the nearest shelter, one colour a profile."""
    key = "women_by_distance"
    with _style(key):
        fig = _figure(80.0)
        ax = fig.add_subplot()
        n = max(len(data.series), 1)
        width = 0.8 / n
        x = np.arange(len(data.band_labels), dtype=np.float64)
        top = max((v for s in data.series for v in s.values), default=1.0) or 1.0
        for i, series in enumerate(data.series):
            total = sum(series.values) or 1.0
            bars = ax.bar(
                x + (i - (n - 1) / 2) * width,
                series.values,
                width * 0.95,
                label=series.label,
                color=OKABE_ITO[i % len(OKABE_ITO)],
                edgecolor="#333333",
                hatch=HATCHES[i % len(HATCHES)],
            )
            ax.bar_label(
                bars,
                labels=[
                    f"{data.numbers.integer(v)}\n({data.numbers.fixed(100 * v / total)}%)"
                    for v in series.values
                ],
                padding=2,
                fontsize=7 if n > 1 else 8,
            )
        ax.set_xticks(x, data.band_labels)
        ax.set_ylim(0, top * 1.25)
        ax.set_ylabel(data.axis_label)
        _thousands_axis(ax, data.numbers)
        ax.set_title(_wrap(text.title, 90))
        if n > 1 or data.series:
            ax.legend(loc="upper right", fontsize=8)
        return _finish(key, fig, text)


def _calendar_grid(data: DayCalendar) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """(12, 31) grid: 0 not a date, 1 a day with service, 2 without; and the longest run cells."""
    grid = np.zeros((12, 31), dtype=np.float64)
    first = dt.date(data.year, 1, 1)
    run: list[tuple[int, int]] = []
    for index, without in enumerate(data.days_without):
        day = first + dt.timedelta(days=index)
        grid[day.month - 1, day.day - 1] = 2.0 if without else 1.0
        if data.longest_start is not None and 0 <= (day - data.longest_start).days < (
            data.longest_days
        ):
            run.append((day.month - 1, day.day - 1))
    return grid, run


def forensic_calendar_chart(data: DayCalendar, text: ChartText) -> Chart:
    """A year as months x days, days without the service dark, the longest run outlined."""
    key = "forensic_calendar"
    with _style(key):
        fig = _figure(82.0)
        ax = fig.add_subplot()
        grid, run = _calendar_grid(data)
        colours = ListedColormap(["white", "#e8e8e8", OKABE_ITO[5]])
        ax.pcolormesh(
            np.arange(32),
            np.arange(13),
            grid,
            cmap=colours,
            vmin=0,
            vmax=2,
            edgecolors="white",
            linewidth=0.6,
        )
        for row, col in run:
            ax.add_patch(
                Rectangle(
                    (col, row), 1, 1, fill=False, edgecolor="black", linewidth=1.4, hatch="xx"
                )
            )
        ax.set_xlim(0, 31)
        ax.set_ylim(12, 0)
        ax.set_yticks(np.arange(12) + 0.5, data.month_labels)
        ax.set_xticks(np.arange(31) + 0.5, [str(d) for d in range(1, 32)], fontsize=6.5)
        ax.tick_params(length=0)
        ax.set_aspect("equal")
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(_wrap(text.title, 90))
        handles = [
            Patch(facecolor=OKABE_ITO[5], label=data.without_label),
            Patch(facecolor="#e8e8e8", label=data.with_label),
            Patch(facecolor="none", edgecolor="black", hatch="xx", label=data.longest_label),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
        return _finish(key, fig, text)


def cases_by_year_chart(data: CasesByYear, text: ChartText) -> Chart:
    """Grouped bars by year; a suppressed cell is a hatched marker of fixed height and its label."""
    key = "cases_by_year"
    with _style(key):
        fig = _figure(78.0)
        ax = fig.add_subplot()
        n = max(len(data.series), 1)
        width = 0.8 / n
        x = np.arange(len(data.year_labels), dtype=np.float64)
        shown = [c.value for s in data.series for c in s.cells if c.value is not None]
        top = float(max([*shown, data.k]))
        handles = []
        for i, series in enumerate(data.series):
            offsets = x + (i - (n - 1) / 2) * width
            colour, hatch = OKABE_ITO[i % len(OKABE_ITO)], HATCHES[i % len(HATCHES)]
            for xi, cell in zip(offsets, series.cells, strict=True):
                _count_bar(ax, float(xi), width * 0.95, cell, look=(colour, hatch), data=data)
            handles.append(
                Patch(facecolor=colour, edgecolor="#333333", hatch=hatch, label=series.label)
            )
        handles.append(
            Patch(
                facecolor=SUPPRESSED_COLOUR,
                edgecolor="#333333",
                hatch=SUPPRESSED_HATCH,
                label=data.suppressed_label,
            )
        )
        ax.set_xticks(x, data.year_labels)
        ax.set_ylim(0, top * 1.2)
        ax.set_ylabel(data.axis_label)
        _thousands_axis(ax, data.numbers)
        ax.set_title(_wrap(text.title, 90))
        fig.legend(handles=handles, loc="outside lower center", ncols=min(3, n + 1), fontsize=8)
        return _finish(key, fig, text)


def _count_bar(
    ax: Axes, x: float, width: float, cell: CountCell, *, look: tuple[str, str], data: CasesByYear
) -> None:
    # The marker of a hidden cell is k tall whatever the count: its height reveals nothing.
    if cell.value is None:
        ax.bar(
            x, data.k, width, color=SUPPRESSED_COLOUR, edgecolor="#333333", hatch=SUPPRESSED_HATCH
        )
        ax.text(x, data.k, cell.label, ha="center", va="bottom", fontsize=8, fontweight="bold")
        return
    ax.bar(x, cell.value, width, color=look[0], edgecolor="#333333", hatch=look[1])
    ax.text(x, cell.value, data.numbers.integer(cell.value), ha="center", va="bottom", fontsize=8)


def recommendations_chart(data: StackedCounts, text: ChartText) -> Chart:
    """Horizontal stacked bars: recommendations of each group by status, totals at the end."""
    key = "recommendations"
    with _style(key):
        height = 35.0 + 11.0 * max(len(data.group_labels), 1)
        fig = _figure(height)
        ax = fig.add_subplot()
        counts = np.array(data.counts, dtype=np.float64).reshape(
            len(data.group_labels), len(data.status_labels)
        )
        y = np.arange(len(data.group_labels))
        left = np.zeros(len(y))
        top = float(counts.sum(axis=1).max(initial=0.0)) or 1.0
        for j, (label, colour) in enumerate(
            zip(data.status_labels, data.status_colours, strict=True)
        ):
            bars = ax.barh(
                y,
                counts[:, j],
                left=left,
                color=colour,
                edgecolor="#333333",
                hatch=HATCHES[j % len(HATCHES)],
                label=label,
                height=0.6,
            )
            ax.bar_label(
                bars,
                labels=[data.numbers.integer(v) if v >= top * 0.06 else "" for v in counts[:, j]],
                label_type="center",
                fontsize=7.5,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )
            left += counts[:, j]
        for yi, total in zip(y.tolist(), left.tolist(), strict=True):
            ax.text(total + top * 0.01, yi, data.numbers.integer(total), va="center", fontsize=8)
        ax.set_yticks(y, [_wrap(g) for g in data.group_labels])
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.1)
        ax.set_xlabel(data.axis_label)
        _thousands_axis(ax, data.numbers, "x")
        ax.set_title(_wrap(text.title, 90))
        fig.legend(loc="outside lower center", ncols=min(3, len(data.status_labels)), fontsize=8)
        return _finish(key, fig, text)


# -- maps -------------------------------------------------------------------------------------


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _area_path(area: MapArea) -> Path:
    """One compound path: exteriors counter-clockwise, holes clockwise (non-zero fill)."""
    vertices, codes = [], []
    for polygon in area.polygons:
        for index, ring in enumerate(polygon):
            points = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
            if len(points) < 3:
                continue
            if (_signed_area(points) > 0) != (index == 0):
                points = points[::-1]
            vertices.append(np.vstack([points, points[:1]]))
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(points) - 1) + [Path.CLOSEPOLY])
    if not vertices:
        return Path(np.empty((0, 2)))
    return Path(np.vstack(vertices), np.concatenate(codes).astype(np.uint8))


def _area_size(area: MapArea) -> float:
    return sum(
        abs(_signed_area(np.asarray(p[0], dtype=np.float64).reshape(-1, 2)))
        for p in area.polygons
        if len(p[0]) >= 3
    )


def _map_axes(fig: Figure, areas: Sequence[MapArea]) -> Axes:
    """Axes in lon/lat with the aspect of an equirectangular map at the middle latitude."""
    ax = fig.add_subplot()
    lats = [pt[1] for a in areas for p in a.polygons for r in p for pt in r]
    middle = (min(lats) + max(lats)) / 2 if lats else 0.0
    ax.set_aspect(1.0 / max(np.cos(np.radians(middle)), 0.1))
    ax.set_axis_off()
    return ax


def _draw_areas(ax: Axes, areas: Sequence[MapArea], styles: Sequence[dict[str, object]]) -> None:
    # Largest first, so a city drawn over its surrounding district stays visible.
    order = sorted(range(len(areas)), key=lambda i: -_area_size(areas[i]))
    for i in order:
        style: dict[str, object] = {"linewidth": 0.4, "edgecolor": "white", **styles[i]}
        ax.add_patch(PathPatch(_area_path(areas[i]), **style))
    ax.autoscale_view()


def _spread(points: Sequence[tuple[float, float]], radius_deg: float) -> np.ndarray:
    """Points at the same place set around a small circle, in input order, so each shows."""
    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    out = xy.copy()
    keys = [(round(x, 3), round(y, 3)) for x, y in xy.tolist()]
    for key in set(keys):
        members = [i for i, k in enumerate(keys) if k == key]
        if len(members) > 1:
            for n, i in enumerate(members):
                angle = 2 * np.pi * n / len(members)
                out[i] += radius_deg * np.array([np.cos(angle), np.sin(angle)])
    return out


def band_index(value_km: float | None, edges_km: Sequence[float]) -> int | None:
    """The band a distance falls in (0 = below the first edge); None for no value."""
    if value_km is None:
        return None
    return int(np.searchsorted(np.asarray(edges_km, dtype=np.float64), value_km, side="right"))


def distance_map_chart(data: DistanceMap, text: ChartText) -> Chart:
    """Choropleth of units by distance band to the nearest service, the services as points."""
    key = "distance_map"
    with _style(key):
        fig = _figure(112.0)
        ax = _map_axes(fig, data.areas)
        styles: list[dict[str, object]] = []
        for area in data.areas:
            band = band_index(area.value_km, data.band_edges_km)
            styles.append(
                {"facecolor": "white", "hatch": "xxx", "edgecolor": "#888888"}
                if band is None
                else {"facecolor": BAND_COLOURS[band % len(BAND_COLOURS)]}
            )
        _draw_areas(ax, data.areas, styles)
        if data.points.points_lonlat:
            xy = _spread(data.points.points_lonlat, 0.08)
            ax.scatter(
                xy[:, 0],
                xy[:, 1],
                marker="^",
                s=70,
                color=OKABE_ITO[5],
                edgecolor="black",
                linewidth=0.9,
                zorder=3,
            )
        handles: list[Patch | Line2D] = [
            Patch(facecolor=c, edgecolor="#888888", label=label)
            for c, label in zip(BAND_COLOURS, data.band_labels, strict=False)
        ]
        handles.append(
            Patch(facecolor="white", edgecolor="#888888", hatch="xxx", label=data.no_value_label)
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="^",
                linestyle="none",
                markersize=8,
                markerfacecolor=OKABE_ITO[5],
                markeredgecolor="black",
                label=data.points.label,
            )
        )
        ax.legend(
            handles=handles,
            title=data.legend_title,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=8,
            title_fontsize=8.5,
        )
        ax.set_title(_wrap(text.title, 90))
        return _finish(key, fig, text)


def services_map_chart(data: PointsMap, text: ChartText) -> Chart:
    """Services by kind as marked points over the unit boundaries."""
    key = "services_map"
    with _style(key):
        fig = _figure(112.0)
        ax = _map_axes(fig, data.areas)
        _draw_areas(ax, data.areas, [{"facecolor": "#e4e4e4"} for _ in data.areas])
        located = [(i, p) for i, g in enumerate(data.groups) for p in g.points_lonlat]
        xy = _spread([p for _i, p in located], 0.1) if located else np.empty((0, 2))
        handles = []
        for i, group in enumerate(data.groups):
            mine = np.array([j for j, (g, _p) in enumerate(located) if g == i], dtype=np.intp)
            marker, colour = MARKERS[i % len(MARKERS)], OKABE_ITO[i % len(OKABE_ITO)]
            if mine.size:
                ax.scatter(
                    xy[mine, 0],
                    xy[mine, 1],
                    s=55,
                    zorder=3,
                    marker=marker,
                    color=colour,
                    edgecolor="black",
                    linewidth=0.7,
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=marker,
                    markersize=7,
                    markerfacecolor=colour,
                    markeredgecolor="black",
                    label=f"{group.label} ({len(group.points_lonlat)})",
                )
            )
        fig.legend(
            handles=handles,
            title=data.legend_title,
            loc="outside lower center",
            ncols=2,
            fontsize=8,
            title_fontsize=8.5,
        )
        ax.set_title(_wrap(text.title, 90))
        return _finish(key, fig, text)
