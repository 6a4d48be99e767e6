"""Great-circle distances, point-in-polygon for GeoJSON geometries, and point-to-area assignment.

Coordinates are degrees; GeoJSON positions are (lon, lat) while the distance functions take
latitude first, as people write them. Rings are tested with the even-odd rule, so holes count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
_NEAREST_CHUNK_POINTS = 256  # bounds the (points x vertices) distance block kept in memory

Geometry = Mapping[str, Any]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
LocateMethod = Literal["contains", "nearest_vertex"]


@dataclass(frozen=True)
class BBox:
    """Axis-aligned bounding box in degrees."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class Located:
    """Feature assigned to each point, how it was found, and the distance when not contained."""

    feature_index: NDArray[np.intp]
    method: tuple[LocateMethod, ...]
    nearest_vertex_km: FloatArray  # 0.0 where the point lies inside its feature


@overload
def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...
@overload
def haversine_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> FloatArray: ...
def haversine_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> float | FloatArray:
    """Great-circle distance in km between points in degrees; broadcasts arrays, floats -> float."""
    phi1, lam1, phi2, lam2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((phi2 - phi1) / 2.0) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2.0) ** 2
    )
    distance = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    if distance.ndim == 0:
        return float(distance)
    return np.asarray(distance, dtype=np.float64)


def distance_matrix_km(
    lats_a: ArrayLike, lons_a: ArrayLike, lats_b: ArrayLike, lons_b: ArrayLike
) -> FloatArray:
    """Great-circle distances in km, shape (len(a), len(b)), between two point sets in degrees."""
    la, oa = np.atleast_1d(lats_a).astype(np.float64), np.atleast_1d(lons_a).astype(np.float64)
    lb, ob = np.atleast_1d(lats_b).astype(np.float64), np.atleast_1d(lons_b).astype(np.float64)
    return haversine_km(la[:, None], oa[:, None], lb[None, :], ob[None, :])


def polygons_of(geometry: Geometry) -> list[list[FloatArray]]:
    """Polygons of a GeoJSON Polygon/MultiPolygon (or Feature) as lists of closed (n, 2) rings."""
    geometry = _unwrap_feature(geometry)
    kind = geometry.get("type")
    if kind == "Polygon":
        raw = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        raw = list(geometry["coordinates"])
    else:
        raise ValueError(f"unsupported geometry type {kind!r}; expected Polygon or MultiPolygon")
    return [[_closed_ring(ring) for ring in polygon if len(ring) > 0] for polygon in raw]


def bbox(geometry: Geometry) -> BBox:
    """Bounding box in degrees of a GeoJSON Polygon/MultiPolygon."""
    return _bbox_of(polygons_of(geometry))


def geometry_contains(geometry: Geometry, lon: float, lat: float) -> bool:
    """Whether the point (lon, lat) in degrees is inside the geometry, outside its holes."""
    inside = points_in_geometry(geometry, np.array([lon]), np.array([lat]))
    return bool(inside[0])


def points_in_geometry(geometry: Geometry, lons: ArrayLike, lats: ArrayLike) -> BoolArray:
    """Vectorised containment test of many points (degrees) in one geometry, holes respected."""
    x = np.atleast_1d(np.asarray(lons, dtype=np.float64))
    y = np.atleast_1d(np.asarray(lats, dtype=np.float64))
    return _contains(polygons_of(geometry), x, y)


def locate(points: ArrayLike, features: Sequence[Geometry]) -> Located:
    """Index of the feature containing each (lon, lat) point, else of the nearest vertex."""
    if not features:
        raise ValueError("locate needs at least one feature")
    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    shapes = [polygons_of(f) for f in features]
    index = np.full(len(xy), -1, dtype=np.intp)
    for i, polygons in enumerate(shapes):
        todo = np.flatnonzero(index < 0)
        if todo.size == 0:
            break
        sub = todo[_in_bbox(_bbox_of(polygons), xy[todo, 0], xy[todo, 1])]
        index[sub[_contains(polygons, xy[sub, 0], xy[sub, 1])]] = i
    contained = index >= 0
    distance_km = np.zeros(len(xy), dtype=np.float64)
    missing = np.flatnonzero(~contained)
    if missing.size:
        index[missing], distance_km[missing] = _nearest_vertex(xy[missing], shapes)
    method: tuple[LocateMethod, ...] = tuple(
        "contains" if c else "nearest_vertex" for c in contained.tolist()
    )
    return Located(feature_index=index, method=method, nearest_vertex_km=distance_km)


def _unwrap_feature(obj: Geometry) -> Geometry:
    if obj.get("type") == "Feature":
        geometry: Geometry = obj["geometry"]
        return geometry
    return obj


def _closed_ring(ring: Sequence[Sequence[float]]) -> FloatArray:
    xy = np.asarray(ring, dtype=np.float64)[:, :2]
    if not np.array_equal(xy[0], xy[-1]):
        xy = np.vstack([xy, xy[:1]])
    return xy


def _bbox_of(polygons: list[list[FloatArray]]) -> BBox:
    rings = [ring for poly in polygons for ring in poly]
    if not rings:
        raise ValueError("geometry has no coordinates")
    vertices = np.concatenate(rings)
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    return BBox(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def _contains(polygons: list[list[FloatArray]], x: FloatArray, y: FloatArray) -> BoolArray:
    inside = np.zeros(x.shape, dtype=np.bool_)
    for rings in polygons:
        if rings:
            inside |= _polygon_contains(rings, x, y)
    return inside


def _in_bbox(box: BBox, x: FloatArray, y: FloatArray) -> BoolArray:
    return (x >= box.min_lon) & (x <= box.max_lon) & (y >= box.min_lat) & (y <= box.max_lat)


def _polygon_contains(rings: list[FloatArray], x: FloatArray, y: FloatArray) -> BoolArray:
    # Even-odd over all rings at once: a point in a hole crosses the outer ring and the hole.
    crossings = np.zeros(x.shape, dtype=np.int64)
    for ring in rings:
        crossings += _ray_crossings(ring, x, y)
    return np.asarray(crossings % 2 == 1, dtype=np.bool_)


def _ray_crossings(ring: FloatArray, x: FloatArray, y: FloatArray) -> NDArray[np.int64]:
    # Count edges crossed by a ray going east from each point (points x edges at once).
    x0, y0, x1, y1 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    straddles = (y0[None, :] > y[:, None]) != (y1[None, :] > y[:, None])
    dy = np.where(y1 == y0, 1.0, y1 - y0)  # flat edges never straddle; avoid dividing by 0
    x_cross = x0[None, :] + (y[:, None] - y0[None, :]) * ((x1 - x0) / dy)[None, :]
    crossed: NDArray[np.int64] = np.count_nonzero(straddles & (x[:, None] < x_cross), axis=1)
    return crossed


def _nearest_vertex(
    xy: FloatArray, shapes: list[list[list[FloatArray]]]
) -> tuple[NDArray[np.intp], FloatArray]:
    rings = [(i, ring) for i, polygons in enumerate(shapes) for poly in polygons for ring in poly]
    vertices = np.concatenate([ring for _, ring in rings])
    owner = np.concatenate([np.full(len(ring), i, dtype=np.intp) for i, ring in rings])
    index = np.empty(len(xy), dtype=np.intp)
    distance_km = np.empty(len(xy), dtype=np.float64)
    for start in range(0, len(xy), _NEAREST_CHUNK_POINTS):
        chunk = xy[start : start + _NEAREST_CHUNK_POINTS]
        d = distance_matrix_km(chunk[:, 1], chunk[:, 0], vertices[:, 1], vertices[:, 0])
        best = d.argmin(axis=1)
        index[start : start + len(chunk)] = owner[best]
        distance_km[start : start + len(chunk)] = d[np.arange(len(chunk)), best]
    return index, distance_km
