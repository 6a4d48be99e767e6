"""Travel from demand points to candidate sites, in road km, as the gap analysis models it.

Straight-line km times a circuity factor within one road-network component (inf across), or
shortest paths through a road graph (points and sites snapped to their nearest node, the snap
km times the circuity). Covering problems at scale use `covers_within_km`, which finds the
pairs within a radius with a k-d tree and never holds the dense matrix.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from gbvwatch.analysis.access import RoadGraph
from gbvwatch.analysis.geo import EARTH_RADIUS_KM, distance_matrix_km
from gbvwatch.analysis.siting.problem import FloatArray, IndexArray, SitingError


def cost_matrix_km(  # noqa: PLR0917 - points, then sites, as in analysis.access
    point_lats: ArrayLike,
    point_lons: ArrayLike,
    point_components: ArrayLike,
    site_lats: ArrayLike,
    site_lons: ArrayLike,
    site_components: ArrayLike,
    *,
    circuity: float = 1.3,
) -> FloatArray:
    """(points x sites) great-circle km x circuity; inf between different components."""
    _check_circuity(circuity)
    km = distance_matrix_km(point_lats, point_lons, site_lats, site_lons) * circuity
    same = np.asarray(point_components)[:, None] == np.asarray(site_components)[None, :]
    return np.asarray(np.where(same, km, math.inf), dtype=np.float64)


def cost_matrix_by_road(
    graph: RoadGraph,
    point_lats: ArrayLike,
    point_lons: ArrayLike,
    site_lats: ArrayLike,
    site_lons: ArrayLike,
    *,
    snap_circuity: float = 1.3,
) -> FloatArray:
    """(points x sites) road km: snap x circuity at both ends plus the shortest graph path."""
    _check_circuity(snap_circuity)
    if len(graph.node_ids) == 0:
        raise SitingError("road graph: it has no nodes")
    tree = cKDTree(_unit_vectors(graph.node_lats, graph.node_lons))
    p_node, p_snap = _snap(tree, point_lats, point_lons)
    s_node, s_snap = _snap(tree, site_lats, site_lons)
    network = dijkstra(graph.matrix, directed=False, indices=s_node)  # (sites x nodes)
    km = network[:, p_node].T + p_snap[:, None] * snap_circuity + s_snap[None, :] * snap_circuity
    return np.asarray(km, dtype=np.float64)


def covers_within_km(  # noqa: PLR0917 - points, then sites, as in analysis.access
    point_lats: ArrayLike,
    point_lons: ArrayLike,
    point_components: ArrayLike,
    site_lats: ArrayLike,
    site_lons: ArrayLike,
    site_components: ArrayLike,
    *,
    radius_km: float,
    circuity: float = 1.3,
) -> csr_matrix:
    """Sparse (points x sites) booleans: road km (great-circle x circuity) <= radius_km."""
    _check_circuity(circuity)
    angle = min(math.pi, radius_km / circuity / EARTH_RADIUS_KM)
    chord = 2.0 * math.sin(angle / 2.0) * (1 + 1e-12)
    points = _unit_vectors(np.asarray(point_lats, float), np.asarray(point_lons, float))
    sites = _unit_vectors(np.asarray(site_lats, float), np.asarray(site_lons, float))
    pairs = cKDTree(sites).query_ball_point(points, r=chord)
    rows = np.repeat(np.arange(len(points)), [len(p) for p in pairs])
    cols = np.fromiter((j for p in pairs for j in p), dtype=np.int64, count=rows.size)
    p_comp, s_comp = np.asarray(point_components), np.asarray(site_components)
    keep = p_comp[rows] == s_comp[cols]
    rows, cols = rows[keep], cols[keep]
    km = distance_matrix_km_pairs(
        np.asarray(point_lats, float)[rows],
        np.asarray(point_lons, float)[rows],
        np.asarray(site_lats, float)[cols],
        np.asarray(site_lons, float)[cols],
    )
    inside = km * circuity <= radius_km  # the chord test is padded; the exact test decides
    matrix = coo_matrix(
        (np.ones(int(inside.sum()), dtype=np.bool_), (rows[inside], cols[inside])),
        shape=(len(points), len(sites)),
    )
    return csr_matrix(matrix)


def distance_matrix_km_pairs(
    lats_a: FloatArray, lons_a: FloatArray, lats_b: FloatArray, lons_b: FloatArray
) -> FloatArray:
    """Great-circle km between a[i] and b[i], element by element."""
    from gbvwatch.analysis.geo import haversine_km

    return np.asarray(haversine_km(lats_a, lons_a, lats_b, lons_b), dtype=np.float64)


def _snap(tree: cKDTree, lats: ArrayLike, lons: ArrayLike) -> tuple[IndexArray, FloatArray]:
    chord, node = tree.query(_unit_vectors(np.asarray(lats, float), np.asarray(lons, float)))
    angle = 2.0 * np.arcsin(np.clip(np.asarray(chord, float) / 2.0, 0.0, 1.0))
    return np.asarray(node, dtype=np.int64), np.asarray(EARTH_RADIUS_KM * angle, dtype=np.float64)


def _unit_vectors(lats: FloatArray, lons: FloatArray) -> FloatArray:
    phi, lam = np.radians(np.atleast_1d(lats)), np.radians(np.atleast_1d(lons))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _check_circuity(value: float) -> None:
    if not value >= 1.0 or math.isinf(value):
        raise SitingError(f"circuity: {value!r} must be a finite number >= 1")
