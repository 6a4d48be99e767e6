"""Projection of GeoJSON areas and points to inline SVG: equirectangular, fitted to a width.

x is longitude scaled by cos(middle latitude of the extent), y is latitude flipped so north is up.
Each feature becomes one path `d` string with a closed subpath per ring, so holes and
multipolygons draw correctly with `fill-rule: evenodd`. Coordinates are rounded to 0.1 px.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gbvwatch.analysis.geo import FloatArray, Geometry, polygons_of

_MIN_RING_VERTICES = 3  # fewer distinct vertices after rounding draw nothing


@dataclass(frozen=True)
class MapFit:
    """Equirectangular transform in SVG user units (px): x = margin + (lon - min_lon) * x_scale."""

    min_lon: float
    max_lat: float
    x_px_per_deg: float
    y_px_per_deg: float
    margin_px: float


@dataclass(frozen=True)
class SvgMap:
    """Projected map: viewBox, one path `d` per feature (input order), one (x, y) per point."""

    view_box: str
    width_px: float
    height_px: float
    paths_d: tuple[str, ...]
    points_xy: tuple[tuple[float, float], ...]
    fit: MapFit


def project(
    features: Sequence[Geometry],
    points: ArrayLike,
    width_px: float,
    *,
    margin_px: float = 10.0,
) -> SvgMap:
    """Fit features (Polygon/MultiPolygon) and (lon, lat) points into an SVG box width_px wide."""
    rings = [[ring[:-1] for poly in polygons_of(f) for ring in poly] for f in features]
    flat = [ring for feature_rings in rings for ring in feature_rings]
    vertices = np.concatenate(flat) if flat else np.empty((0, 2), dtype=np.float64)
    lonlat = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    fit, height_px = fit_extent(np.vstack([vertices, lonlat]), width_px, margin_px=margin_px)
    xy = project_lonlat(fit, vertices)
    counts = [len(ring) for ring in flat]
    ring_d = _rings_to_subpaths(xy, counts)
    paths, start = [], 0
    for feature_rings in rings:
        paths.append("".join(ring_d[start : start + len(feature_rings)]))
        start += len(feature_rings)
    points_xy = tuple((float(x), float(y)) for x, y in project_lonlat(fit, lonlat).tolist())
    return SvgMap(
        view_box=f"0 0 {_number(width_px)} {_number(height_px)}",
        width_px=float(width_px),
        height_px=height_px,
        paths_d=tuple(paths),
        points_xy=points_xy,
        fit=fit,
    )


def fit_extent(lonlat: FloatArray, width_px: float, *, margin_px: float) -> tuple[MapFit, float]:
    """Transform fitting (n, 2) lon/lat degrees into width_px, and the resulting height in px."""
    if len(lonlat) == 0:
        raise ValueError("nothing to project: no features and no points")
    lo, hi = lonlat.min(axis=0), lonlat.max(axis=0)
    x_stretch = float(np.cos(np.radians((lo[1] + hi[1]) / 2.0)))
    span_x_deg = float(hi[0] - lo[0]) * x_stretch
    inner_px = width_px - 2.0 * margin_px
    if inner_px <= 0:
        raise ValueError(f"width_px {width_px} leaves no room inside margins of {margin_px}")
    scale = inner_px / span_x_deg if span_x_deg > 0 else 1.0
    height_px = round(float(hi[1] - lo[1]) * scale + 2.0 * margin_px, 1)
    fit = MapFit(float(lo[0]), float(hi[1]), scale * x_stretch, scale, margin_px)
    return fit, height_px


def project_lonlat(fit: MapFit, lonlat: FloatArray) -> FloatArray:
    """(n, 2) SVG coordinates in px, rounded to 0.1, of (n, 2) lon/lat degrees."""
    x = fit.margin_px + (lonlat[:, 0] - fit.min_lon) * fit.x_px_per_deg
    y = fit.margin_px + (fit.max_lat - lonlat[:, 1]) * fit.y_px_per_deg
    # Adding 0.0 turns -0.0 into 0.0 so it never prints as "-0.0".
    return np.asarray(np.round(np.column_stack([x, y]), 1) + 0.0, dtype=np.float64)


def _rings_to_subpaths(xy: FloatArray, counts: list[int]) -> list[str]:
    starts = np.cumsum([0, *counts])[:-1]
    keep = np.ones(len(xy), dtype=np.bool_)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)  # drop vertices that rounding made repeats
    keep[starts] = True
    subpaths: list[str] = []
    for start, count in zip(starts.tolist(), counts, strict=True):
        ring = xy[start : start + count][keep[start : start + count]]
        if len(ring) < _MIN_RING_VERTICES:
            subpaths.append("")
            continue
        template = "M" + " ".join(["%.1f %.1f"] * len(ring)) + "Z"
        subpaths.append(template % tuple(ring.ravel().tolist()))
    return subpaths


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
