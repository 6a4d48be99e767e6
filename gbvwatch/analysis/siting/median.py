"""p-median: open K sites to minimise women-weighted road km to the nearest open site or
existing service. Exact through HiGHS (strong assignment formulation, only the pairs that can
beat a point's existing service), or greedy plus vertex substitution with a Lagrangian bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix

from gbvwatch.analysis.siting.highs import Mip, mip_solve
from gbvwatch.analysis.siting.order import distance_order
from gbvwatch.analysis.siting.problem import (
    FloatArray,
    IndexArray,
    SitingError,
    SitingProblem,
    SitingResult,
    gap_of,
    k_check,
)

# Above this many (point, candidate) pairs the assignment MIP is not built; the heuristic and
# the Lagrangian bound answer instead, and the result says so.
MAX_MIP_PAIRS = 3_000_000
_BIG_KM = 1e9  # stands for "no site reaches this point" inside the heuristic only


@dataclass(frozen=True)
class MedianData:
    """Reduced p-median: per row the km to free candidates (inf: no better than the fallback)."""

    km: FloatArray  # rows x free candidates
    fallback_km: FloatArray  # existing service or locked site; inf if none
    women: FloatArray
    columns: IndexArray  # candidate index of each column
    constant: float  # women-km of rows no candidate can improve
    unreachable_women: float


def p_median(
    problem: SitingProblem,
    k: int,
    *,
    exact: bool = True,
    time_limit_s: float = 60.0,
    gap_tolerance: float = 0.0,
) -> SitingResult:
    """Open k sites (locked ones included) minimising women-weighted km; HiGHS or heuristic."""
    started = time.perf_counter()
    k = k_check(k, problem)
    data = median_data(problem)
    budget = k - len(problem.locked)
    picked = median_greedy_swap(data.km, data.fallback_km, data.women, budget)
    heuristic_value = median_value(data, picked)
    if not math.isfinite(heuristic_value):
        raise SitingError(
            f"k: {k} sites cannot reach every road-network component that has women "
            "and no existing service"
        )
    notes = [f"{data.km.shape[0]} demand rows x {data.km.shape[1]} candidates after reduction"]
    pairs = int(np.isfinite(data.km).sum())
    chosen, bound, solver_done = picked, None, False
    if exact and pairs <= MAX_MIP_PAIRS and data.km.shape[1] > budget:
        answer = mip_solve(
            _median_mip(data, budget),
            time_limit_s=time_limit_s,
            gap_tolerance=gap_tolerance,
            start=_median_start(data, picked),
        )
        if not np.isnan(answer.values).any():
            mip_chosen = np.flatnonzero(answer.values[: data.km.shape[1]] > 0.5).astype(np.int64)
            if median_value(data, mip_chosen) <= heuristic_value:
                chosen = mip_chosen
        bound, solver_done = answer.bound, answer.optimal
        method = "highs-mip"
    elif data.km.shape[1] <= budget:
        chosen, solver_done, method = np.arange(data.km.shape[1]), True, "all-candidates"
    else:
        if exact:
            notes.append(f"{pairs:,} pairs exceed {MAX_MIP_PAIRS:,}: heuristic with a bound")
        method = "greedy-swap+lagrangian-bound"
        bound = lagrangian_bound(data, budget, heuristic_value, time_limit_s=time_limit_s)
    value = data.constant + median_value(data, chosen)
    bound_total = value if bound is None else min(data.constant + bound, value)
    sites = tuple(problem.locked) + tuple(int(data.columns[j]) for j in chosen)
    order, gains = distance_order(problem, sites)
    gap = gap_of(value, bound_total)
    return SitingResult(
        objective="median",
        sites=order,
        gains=gains,
        objective_value=value,
        bound=bound_total,
        gap=gap,
        status=result_status(gap, solver_done=solver_done, method=method),
        method=method,
        seconds=time.perf_counter() - started,
        value_before=_before(problem),
        unreachable_women=data.unreachable_women,
        notes=tuple(notes),
    )


def result_status(gap: float, *, solver_done: bool, method: str) -> str:
    """optimal (gap 0), within_tolerance (solver stopped at its gap), time_limit or heuristic."""
    if gap <= 1e-9:
        return "optimal"
    if solver_done:
        return "within_tolerance"
    return "heuristic" if "greedy" in method else "time_limit"


def median_data(problem: SitingProblem) -> MedianData:
    """Reduce: fold locked sites into the fallback, drop rows nothing can improve."""
    if problem.cost_km is None:
        raise SitingError("costs: the median and center objectives need a cost matrix")
    costs = problem.cost_km
    free = np.setdiff1d(np.arange(problem.n_candidates), problem.locked).astype(np.int64)
    fallback = problem.existing_km.copy()
    if problem.locked:
        fallback = np.minimum(fallback, costs[:, list(problem.locked)].min(axis=1))
    km = costs[:, free]
    reachable = np.isfinite(np.minimum(fallback, km.min(axis=1) if free.size else np.inf))
    unreachable = float(problem.women[~reachable].sum())
    improvable = reachable & (problem.women > 0)
    if free.size:
        improvable &= (km < fallback[:, None]).any(axis=1)
    rest = reachable & ~improvable & (problem.women > 0)
    constant = float(problem.women[rest] @ fallback[rest]) if rest.any() else 0.0
    rows = np.flatnonzero(improvable)
    sub = km[rows]
    sub = np.where(sub < fallback[rows, None], sub, np.inf)
    return MedianData(
        km=sub,
        fallback_km=fallback[rows],
        women=problem.women[rows],
        columns=free,
        constant=constant,
        unreachable_women=unreachable,
    )


def median_value(data: MedianData, chosen: IndexArray) -> float:
    """Women-weighted km of the reduced rows with the chosen columns open (inf if any unserved)."""
    if data.women.size == 0:
        return 0.0
    best = data.fallback_km
    if chosen.size:
        best = np.minimum(best, data.km[:, chosen].min(axis=1))
    return float(data.women @ best) if np.isfinite(best).all() else math.inf


def median_greedy_swap(
    km: FloatArray, fallback_km: FloatArray, women: FloatArray, k: int
) -> IndexArray:
    """Greedy k columns, then best-improvement vertex substitution until no swap helps."""
    n, m = km.shape
    if n == 0 or m == 0 or k == 0:
        return np.zeros(0, dtype=np.int64)
    dist = np.where(np.isfinite(km), km, _BIG_KM)
    base = np.where(np.isfinite(fallback_km), fallback_km, _BIG_KM)
    chosen: list[int] = []
    best = base.copy()
    for _ in range(min(k, m)):
        saving = women @ np.maximum(best[:, None] - dist, 0.0)
        saving[chosen] = -1.0
        j = int(np.argmax(saving))
        if saving[j] <= 0:
            break
        chosen.append(j)
        np.minimum(best, dist[:, j], out=best)
    for _ in range(20 * k + 50):
        swap = _best_median_swap(dist, base, women, chosen)
        if swap is None:
            break
        chosen[swap[0]] = swap[1]
    return np.asarray(sorted(chosen), dtype=np.int64)


def _best_median_swap(
    dist: FloatArray, base: FloatArray, women: FloatArray, chosen: list[int]
) -> tuple[int, int] | None:
    # With d1/d2 the nearest and second-nearest open (fallback included) and b the owner of d1:
    # cost after swapping o out and j in = sum w * min(d_j, d1 if b != o else d2).
    n = dist.shape[0]
    options = np.column_stack([dist[:, chosen], base])
    order = np.argsort(options, axis=1)[:, :2]
    d1 = options[np.arange(n), order[:, 0]]
    d2 = options[np.arange(n), order[:, 1]] if options.shape[1] > 1 else d1
    owner = order[:, 0]  # == len(chosen) when the fallback is nearest
    add = women @ np.minimum(dist, d1[:, None])  # cost with j added, nothing removed
    change = np.minimum(dist, d2[:, None]) - np.minimum(dist, d1[:, None])
    owned = coo_matrix((women, (owner, np.arange(n))), shape=(len(chosen) + 1, n)).tocsr()[
        : len(chosen)
    ]
    cost = add[None, :] + np.asarray(owned @ change)  # (chosen x candidates)
    cost[:, chosen] = math.inf
    current = float(women @ d1)
    out, into = np.unravel_index(int(np.argmin(cost)), cost.shape)
    if cost[out, into] >= current - 1e-9 * max(1.0, current):
        return None
    return int(out), int(into)


def lagrangian_bound(
    data: MedianData, budget: int, upper: float, *, time_limit_s: float, iterations: int = 400
) -> float:
    """Lower bound on the reduced objective by subgradient on the assignment constraints."""
    n = data.km.shape[0]
    if n == 0:
        return 0.0
    weighted = data.women[:, None] * data.km  # inf where a candidate cannot help
    fallback = data.women * data.fallback_km
    u = np.minimum(fallback, np.min(weighted, axis=1))
    u = np.where(np.isfinite(u), u, 0.0)
    best, step, stall = -math.inf, 2.0, 0
    deadline = time.perf_counter() + time_limit_s
    for _ in range(iterations):
        reduced = np.minimum(weighted - u[:, None], 0.0)
        rho = reduced.sum(axis=0)
        opened = np.argsort(rho)[:budget]
        opened = opened[rho[opened] < 0]
        value = float(u.sum() + np.minimum(fallback - u, 0.0).sum() + rho[opened].sum())
        if value > best + 1e-9 * max(1.0, abs(best)):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 20:
                step, stall = step / 2.0, 0
        if upper - best <= 1e-7 * max(1.0, upper) or time.perf_counter() > deadline:
            break
        served = (weighted[:, opened] < u[:, None]).sum(axis=1) + (fallback < u)
        grad = 1.0 - served
        norm = float(grad @ grad)
        if norm == 0 or step < 1e-6:
            break
        u = u + step * (upper - value) / norm * grad
    return min(best, upper)


def _median_mip(data: MedianData, budget: int) -> Mip:
    # Columns: y (m, binary), x (one per finite pair), s (one per row with a fallback).
    # Rows: sum_j x_ij + s_i = 1 (per demand row); x_ij - y_j <= 0 (per pair); sum y <= budget.
    n, m = data.km.shape
    pi, pj = np.nonzero(np.isfinite(data.km))
    p = pi.size
    has_fallback = np.flatnonzero(np.isfinite(data.fallback_km))
    f = has_fallback.size
    x_col = m + np.arange(p)
    s_col = m + p + np.arange(f)
    link_row = n + np.arange(p)
    rows = np.concatenate([pi, has_fallback, link_row, link_row, np.full(m, n + p)])
    cols = np.concatenate([x_col, s_col, x_col, pj, np.arange(m)])
    vals = np.concatenate([np.ones(p + f), np.ones(p), -np.ones(p), np.ones(m)])
    matrix = csc_matrix(coo_matrix((vals, (rows, cols)), shape=(n + p + 1, m + p + f)))
    cost = np.concatenate(
        [
            np.zeros(m),
            data.women[pi] * data.km[pi, pj],
            data.women[has_fallback] * data.fallback_km[has_fallback],
        ]
    )
    return Mip(
        cost=cost,
        matrix=matrix,
        row_lower=np.concatenate([np.ones(n), np.full(p + 1, -math.inf)]),
        row_upper=np.concatenate([np.ones(n), np.zeros(p), [float(budget)]]),
        lower=np.zeros(m + p + f),
        upper=np.ones(m + p + f),
        integer=np.concatenate([np.ones(m, dtype=np.bool_), np.zeros(p + f, dtype=np.bool_)]),
    )


def _median_start(data: MedianData, chosen: IndexArray) -> FloatArray:
    n, m = data.km.shape
    pi, pj = np.nonzero(np.isfinite(data.km))
    has_fallback = np.flatnonzero(np.isfinite(data.fallback_km))
    options = np.full((n, m), math.inf)
    options[:, chosen] = data.km[:, chosen]
    nearest = options.argmin(axis=1)
    nearest_km = options[np.arange(n), nearest]
    use_site = nearest_km < data.fallback_km
    y = np.zeros(m)
    y[chosen] = 1.0
    x = (use_site[pi] & (pj == nearest[pi])).astype(np.float64)
    s = (~use_site[has_fallback]).astype(np.float64)
    return np.concatenate([y, x, s])


def _before(problem: SitingProblem) -> float:
    finite = np.isfinite(problem.existing_km)
    return float(problem.women[finite] @ problem.existing_km[finite])
