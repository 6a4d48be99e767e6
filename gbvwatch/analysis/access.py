"""Distance from where women live to the nearest support service, straight and by road.

Coordinates are degrees, distances km. Points and services carry a road-network component
(an island, an exclave such as Nakhchivan, a country behind a closed border): a point is only
ever served from its own component, so a closed border never looks like a short trip. Labels
compare as Python values, so 1 and "1" are different components. Without a road graph the
road distance is the great-circle distance times a circuity factor; with one
(`road_graph_from_csv`) it is the shortest path through the graph.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from gbvwatch.analysis.geo import EARTH_RADIUS_KM, haversine_km

__all__ = [
    "EARTH_RADIUS_KM",
    "Nearest",
    "RoadGraph",
    "RoadGraphError",
    "nearest_services",
    "nearest_services_bruteforce",
    "nearest_services_by_road",
    "road_graph_from_csv",
    "women_beyond_km",
]

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.int64]
Searcher = Callable[[FloatArray, FloatArray, FloatArray, FloatArray], tuple[IndexArray, FloatArray]]

# The brute-force baseline builds a few (points x services) float64 blocks per chunk; keep them
# near 100 MB together.
_BRUTE_FORCE_BYTES = 100_000_000
_HAVERSINE_BLOCKS = 4
NODE_COLUMNS = ("id", "lat", "lon")
EDGE_COLUMNS = ("from", "to", "km")


@dataclass(frozen=True)
class Nearest:
    """Nearest reachable service per point: road and great-circle km (inf if none), index (-1)."""

    road_km: FloatArray
    straight_km: FloatArray
    service_index: IndexArray


@dataclass(frozen=True)
class RoadGraph:
    """Road nodes in degrees, their connected-component labels, and a symmetric km matrix."""

    node_ids: tuple[str, ...]
    node_lats: FloatArray
    node_lons: FloatArray
    components: IndexArray
    matrix: csr_matrix


@dataclass(frozen=True)
class CsvProblem:
    """One problem in a road-graph CSV: file ("nodes"/"edges"), 1-based line, field, message."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f", field {self.field}" if self.field else ""
        return f"{self.file} line {self.line}{field}: {self.message}"


class RoadGraphError(ValueError):
    """The road-graph CSVs have problems; `problems` lists every one with its file and line."""

    def __init__(self, problems: Sequence[CsvProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def nearest_services(  # noqa: PLR0917 - the three point arrays, then the three service arrays
    point_lats: ArrayLike,
    point_lons: ArrayLike,
    point_components: ArrayLike,
    service_lats: ArrayLike,
    service_lons: ArrayLike,
    service_components: ArrayLike,
    *,
    circuity: float = 1.3,
) -> Nearest:
    """Nearest service on each point's component (k-d tree); road_km = great-circle x circuity."""
    return _nearest_by_component(
        point_lats=point_lats,
        point_lons=point_lons,
        point_components=point_components,
        service_lats=service_lats,
        service_lons=service_lons,
        service_components=service_components,
        circuity=circuity,
        search=_kdtree_search,
    )


def nearest_services_bruteforce(  # noqa: PLR0917 - same signature as nearest_services
    point_lats: ArrayLike,
    point_lons: ArrayLike,
    point_components: ArrayLike,
    service_lats: ArrayLike,
    service_lons: ArrayLike,
    service_components: ArrayLike,
    *,
    circuity: float = 1.3,
) -> Nearest:
    """Same result as `nearest_services` from haversine of every pair, chunked (~100 MB); slow."""
    return _nearest_by_component(
        point_lats=point_lats,
        point_lons=point_lons,
        point_components=point_components,
        service_lats=service_lats,
        service_lons=service_lons,
        service_components=service_components,
        circuity=circuity,
        search=_bruteforce_search,
    )


def women_beyond_km(
    road_km: ArrayLike, women: ArrayLike, thresholds_km: Sequence[int] = (50, 100, 200, 300)
) -> dict[int, float]:
    """Women (summed weights) whose road_km exceeds each threshold in km; inf exceeds all."""
    distance = np.atleast_1d(np.asarray(road_km, dtype=np.float64))
    weight = np.atleast_1d(np.asarray(women, dtype=np.float64))
    if distance.shape != weight.shape:
        raise ValueError(f"road_km has shape {distance.shape} but women has {weight.shape}")
    if np.isnan(distance).any():
        raise ValueError("road_km contains NaN")
    return {int(t): float(weight[distance > t].sum()) for t in thresholds_km}


def road_graph_from_csv(nodes_csv: str, edges_csv: str) -> RoadGraph:
    """Road graph from CSV texts (nodes `id,lat,lon`; edges `from,to,km`, km blank = straight)."""
    problems: list[CsvProblem] = []
    ids, lats, lons = _parse_nodes(nodes_csv, problems)
    index = {node_id: i for i, node_id in enumerate(ids)}
    heads, tails, km = _parse_edges(edges_csv, index, lats, lons, problems)
    if problems:
        raise RoadGraphError(problems)
    n = len(ids)
    heads, tails, km = _shortest_parallel_edges(heads, tails, km)
    matrix = coo_matrix(
        (
            np.concatenate([km, km]),
            (np.concatenate([heads, tails]), np.concatenate([tails, heads])),
        ),
        shape=(n, n),
    ).tocsr()
    _, labels = connected_components(matrix, directed=False)
    return RoadGraph(
        node_ids=tuple(ids),
        node_lats=np.asarray(lats, dtype=np.float64),
        node_lons=np.asarray(lons, dtype=np.float64),
        components=np.asarray(labels, dtype=np.int64),
        matrix=matrix,
    )


def nearest_services_by_road(
    graph: RoadGraph,
    point_lats: ArrayLike,
    point_lons: ArrayLike,
    service_lats: ArrayLike,
    service_lons: ArrayLike,
    *,
    snap_circuity: float = 1.3,
) -> Nearest:
    """Nearest service by road km: snap km x snap_circuity at both ends plus the graph path."""
    _check_circuity(snap_circuity, "snap_circuity")
    p_lat, p_lon = _coordinates(point_lats, point_lons, "point")
    s_lat, s_lon = _coordinates(service_lats, service_lons, "service")
    n_nodes = len(graph.node_ids)
    nearest = _unreachable(len(p_lat))
    if n_nodes == 0 or len(s_lat) == 0 or len(p_lat) == 0:
        return nearest
    tree = cKDTree(_unit_vectors(graph.node_lats, graph.node_lons))
    p_node, p_snap_km = _snap(tree, p_lat, p_lon)
    s_node, s_snap_km = _snap(tree, s_lat, s_lon)
    # One virtual source per service, joined to its snapped node by its snap distance, so a single
    # multi-source Dijkstra ranks services by network km plus the service's own snap km.
    n_services = len(s_lat)
    matrix = _with_service_sources(graph.matrix, s_node, s_snap_km * snap_circuity)
    sources = np.arange(n_nodes, n_nodes + n_services)
    network_km, _, source = dijkstra(
        matrix, directed=True, indices=sources, return_predecessors=True, min_only=True
    )
    reached = np.isfinite(network_km[p_node])
    service = np.where(reached, source[p_node] - n_nodes, -1).astype(np.int64)
    road_km = np.where(reached, p_snap_km * snap_circuity + network_km[p_node], np.inf)
    hit = np.flatnonzero(reached)
    nearest.road_km[:] = road_km
    nearest.service_index[:] = service
    nearest.straight_km[hit] = haversine_km(
        p_lat[hit], p_lon[hit], s_lat[service[hit]], s_lon[service[hit]]
    )
    return nearest


def _nearest_by_component(
    *,
    point_lats: ArrayLike,
    point_lons: ArrayLike,
    point_components: ArrayLike,
    service_lats: ArrayLike,
    service_lons: ArrayLike,
    service_components: ArrayLike,
    circuity: float,
    search: Searcher,
) -> Nearest:
    _check_circuity(circuity, "circuity")
    p_lat, p_lon = _coordinates(point_lats, point_lons, "point")
    s_lat, s_lon = _coordinates(service_lats, service_lons, "service")
    p_comp = _labels(point_components, len(p_lat), "point")
    s_comp = _labels(service_components, len(s_lat), "service")
    nearest = _unreachable(len(p_lat))
    services_of = dict(_groups(s_comp))
    for component, points in _groups(p_comp):
        services = services_of.get(component)
        if services is None:
            continue  # no service on this component: stays inf / -1
        best, km = search(p_lat[points], p_lon[points], s_lat[services], s_lon[services])
        nearest.service_index[points] = services[best]
        nearest.straight_km[points] = km
    nearest.road_km[:] = nearest.straight_km * circuity
    return nearest


def _kdtree_search(
    p_lat: FloatArray, p_lon: FloatArray, s_lat: FloatArray, s_lon: FloatArray
) -> tuple[IndexArray, FloatArray]:
    # Chord length between unit vectors grows with the great-circle angle, so the Euclidean
    # nearest neighbour in 3-D is the great-circle nearest; the chord converts back exactly.
    tree = cKDTree(_unit_vectors(s_lat, s_lon))
    chord, best = tree.query(_unit_vectors(p_lat, p_lon), k=1, workers=1)
    return np.asarray(best, dtype=np.int64), _chord_km(np.asarray(chord, dtype=np.float64))


def _bruteforce_search(
    p_lat: FloatArray, p_lon: FloatArray, s_lat: FloatArray, s_lon: FloatArray
) -> tuple[IndexArray, FloatArray]:
    chunk = max(1, _BRUTE_FORCE_BYTES // (8 * _HAVERSINE_BLOCKS * len(s_lat)))
    best = np.empty(len(p_lat), dtype=np.int64)
    km = np.empty(len(p_lat), dtype=np.float64)
    for start in range(0, len(p_lat), chunk):
        rows = slice(start, start + chunk)
        d = haversine_km(p_lat[rows, None], p_lon[rows, None], s_lat[None, :], s_lon[None, :])
        best[rows] = d.argmin(axis=1)
        km[rows] = d[np.arange(d.shape[0]), best[rows]]
    return best, km


def _snap(tree: cKDTree, lats: FloatArray, lons: FloatArray) -> tuple[IndexArray, FloatArray]:
    chord, node = tree.query(_unit_vectors(lats, lons), k=1, workers=1)
    return np.asarray(node, dtype=np.int64), _chord_km(np.asarray(chord, dtype=np.float64))


def _with_service_sources(matrix: csr_matrix, nodes: IndexArray, km: FloatArray) -> csr_matrix:
    # Directed edges service -> node only, so no path can pass through a service's virtual node.
    n_nodes, n_services = matrix.shape[0], len(nodes)
    graph = matrix.tocoo()
    rows = np.concatenate([graph.row, np.arange(n_nodes, n_nodes + n_services)])
    cols = np.concatenate([graph.col, nodes])
    size = n_nodes + n_services
    return coo_matrix((np.concatenate([graph.data, km]), (rows, cols)), shape=(size, size)).tocsr()


def _unit_vectors(lats: FloatArray, lons: FloatArray) -> FloatArray:
    phi, lam = np.radians(lats), np.radians(lons)
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


def _chord_km(chord: FloatArray) -> FloatArray:
    angle = 2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))
    return np.asarray(EARTH_RADIUS_KM * angle, dtype=np.float64)


def _unreachable(n: int) -> Nearest:
    return Nearest(
        road_km=np.full(n, np.inf),
        straight_km=np.full(n, np.inf),
        service_index=np.full(n, -1, dtype=np.int64),
    )


def _check_circuity(value: float, name: str) -> None:
    if not value >= 1.0 or math.isinf(value):  # `not >=` also rejects NaN
        raise ValueError(f"{name} must be a finite number >= 1, got {value!r}")


def _coordinates(lats: ArrayLike, lons: ArrayLike, what: str) -> tuple[FloatArray, FloatArray]:
    lat = np.atleast_1d(np.asarray(lats, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lons, dtype=np.float64))
    if lat.ndim != 1 or lat.shape != lon.shape:
        raise ValueError(
            f"{what} lats and lons must be 1-D of one length: {lat.shape}, {lon.shape}"
        )
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        raise ValueError(f"{what} coordinates must be finite")
    if (np.abs(lat) > 90.0).any() or (np.abs(lon) > 180.0).any():
        raise ValueError(f"{what} coordinates out of range (lat -90..90, lon -180..180)")
    return lat, lon


def _labels(components: ArrayLike, n: int, what: str) -> NDArray[np.generic]:
    labels = np.atleast_1d(np.asarray(components))
    if labels.shape != (n,):
        raise ValueError(f"{what} components have shape {labels.shape}, expected ({n},)")
    return labels


def _groups(labels: NDArray[np.generic]) -> list[tuple[object, IndexArray]]:
    """Distinct labels (as Python values) with the indices carrying each; no side effects."""
    if len(labels) == 0:
        return []
    if (labels == labels[0]).all():  # the common case of one network skips sorting
        return [(labels[0].item(), np.arange(len(labels), dtype=np.int64))]
    values, inverse = np.unique(labels, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(values)))[:-1]
    return [
        (v, np.asarray(idx, dtype=np.int64))
        for v, idx in zip(values.tolist(), np.split(order, bounds), strict=True)
    ]


def _parse_nodes(
    text: str, problems: list[CsvProblem]
) -> tuple[list[str], list[float], list[float]]:
    ids: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    first_line: dict[str, int] = {}
    for line, row in _csv_rows(text, "nodes", NODE_COLUMNS, problems):
        node_id = row["id"]
        lat = _number(row, "lat", line, "nodes", problems, lo=-90.0, hi=90.0)
        lon = _number(row, "lon", line, "nodes", problems, lo=-180.0, hi=180.0)
        if not node_id:
            problems.append(CsvProblem("nodes", line, "id", "the id is empty"))
            continue
        if node_id in first_line:
            message = f"duplicate id {node_id!r} (first on line {first_line[node_id]})"
            problems.append(CsvProblem("nodes", line, "id", message))
            continue
        first_line[node_id] = line
        ids.append(node_id)
        lats.append(math.nan if lat is None else lat)
        lons.append(math.nan if lon is None else lon)
    return ids, lats, lons


def _parse_edges(
    text: str,
    index: dict[str, int],
    lats: list[float],
    lons: list[float],
    problems: list[CsvProblem],
) -> tuple[IndexArray, IndexArray, FloatArray]:
    heads: list[int] = []
    tails: list[int] = []
    lengths: list[float] = []
    for line, row in _csv_rows(text, "edges", EDGE_COLUMNS, problems, optional=("km",)):
        ends = [_node(row, field, line, index, problems) for field in ("from", "to")]
        km = _number(row, "km", line, "edges", problems, lo=0.0, hi=math.inf, blank_ok=True)
        if ends[0] is None or ends[1] is None or (km is None and row.get("km", "") != ""):
            continue
        a, b = ends[0], ends[1]
        if km is None:
            km = haversine_km(lats[a], lons[a], lats[b], lons[b])
        if a != b:  # a loop never shortens a path
            heads.append(a)
            tails.append(b)
            lengths.append(km)
    return (
        np.asarray(heads, dtype=np.int64),
        np.asarray(tails, dtype=np.int64),
        np.asarray(lengths, dtype=np.float64),
    )


def _node(
    row: dict[str, str], field: str, line: int, index: dict[str, int], problems: list[CsvProblem]
) -> int | None:
    node_id = row[field]
    if node_id in index:
        return index[node_id]
    message = "the node id is empty" if not node_id else f"unknown node id {node_id!r}"
    problems.append(CsvProblem("edges", line, field, message))
    return None


def _number(
    row: dict[str, str],
    field: str,
    line: int,
    file: str,
    problems: list[CsvProblem],
    *,
    lo: float,
    hi: float,
    blank_ok: bool = False,
) -> float | None:
    """The field as a float in [lo, hi], else None and a problem noted; blank may be allowed."""
    text = row.get(field, "")
    if not text and blank_ok:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(CsvProblem(file, line, field, f"{text!r} is not a number"))
        return None
    if not math.isfinite(value) or not lo <= value <= hi:
        problems.append(CsvProblem(file, line, field, f"{text} is outside {lo:g}..{hi:g}"))
        return None
    return value


def _csv_rows(
    text: str,
    file: str,
    columns: Sequence[str],
    problems: list[CsvProblem],
    optional: Sequence[str] = (),
) -> list[tuple[int, dict[str, str]]]:
    """(1-based line, stripped cells by column) of each non-blank row; header problems noted."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in columns if c not in header and c not in optional]
        for name in missing:
            problems.append(CsvProblem(file, 1, name, "the column is missing"))
        for name in sorted({h for h in header if header.count(h) > 1}):
            problems.append(CsvProblem(file, 1, name, "the column appears more than once"))
        if missing:
            return rows
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                message = f"the row has {len(record)} cells but the header has {len(header)}"
                problems.append(CsvProblem(file, line, "", message))
                continue
            rows.append((line, dict(zip(header, (c.strip() for c in record), strict=True))))
    except csv.Error as exc:
        problems.append(CsvProblem(file, reader.line_num, "", str(exc)))
    return rows


def _shortest_parallel_edges(
    heads: IndexArray, tails: IndexArray, km: FloatArray
) -> tuple[IndexArray, IndexArray, FloatArray]:
    # A sparse matrix would add parallel edges up; keep the shortest of each undirected pair.
    lo, hi = np.minimum(heads, tails), np.maximum(heads, tails)
    order = np.lexsort((km, hi, lo))
    lo, hi, km = lo[order], hi[order], km[order]
    first = np.ones(len(lo), dtype=np.bool_)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return lo[first], hi[first], km[first]
