"""The chosen sites in the order a planner would open them, each with its marginal gain.

Locked sites come first; then, repeatedly, the chosen site that adds most given those already
open (and the existing services). The gains add up to the change the whole set makes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.sparse import csc_matrix

from gbvwatch.analysis.siting.problem import FloatArray, SitingProblem


def coverage_order(
    problem: SitingProblem, sites: Sequence[int]
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Sites ordered by women newly within the radius; gains in women."""
    if problem.covers is None:
        raise ValueError("coverage_order needs the covers matrix")
    by_col = csc_matrix(problem.covers, dtype=np.bool_)
    covered = problem.existing_covered().copy()

    def gain(j: int, state: FloatArray) -> tuple[float, float]:
        rows = by_col.indices[by_col.indptr[j] : by_col.indptr[j + 1]]
        return 0.0, float(problem.women[rows][state[rows] == 0].sum())

    def add(j: int, state: FloatArray) -> None:
        state[by_col.indices[by_col.indptr[j] : by_col.indptr[j + 1]]] = 1.0

    return _order(problem.locked, sites, covered.astype(np.float64), gain, add)


def distance_order(
    problem: SitingProblem, sites: Sequence[int], *, farthest: bool = False
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Sites ordered by the drop in women-weighted km (or in the farthest km, `farthest`);
    the gain is inf for a site that first reaches women with no service before it."""
    if problem.cost_km is None:
        raise ValueError("distance_order needs the cost matrix")
    costs = problem.cost_km
    weights = problem.women

    def gain(j: int, state: FloatArray) -> tuple[float, float]:
        after = np.minimum(state, costs[:, j])
        before_ok = np.isfinite(state)
        newly = weights[~before_ok & np.isfinite(after)].sum()  # first reached: ranks first
        if newly > 0:
            reported = math.inf  # women who had no service at all now have one
        elif farthest:
            reported = _farthest(state, weights) - _farthest(after, weights)
        else:
            reported = float(weights[before_ok] @ (state[before_ok] - after[before_ok]))
        return float(newly), reported

    def add(j: int, state: FloatArray) -> None:
        np.minimum(state, costs[:, j], out=state)

    return _order(problem.locked, sites, problem.existing_km.copy(), gain, add)


def _farthest(km: FloatArray, weights: FloatArray) -> float:
    reached = np.isfinite(km) & (weights > 0)
    return float(km[reached].max()) if reached.any() else 0.0


def _order(
    locked: Sequence[int],
    sites: Sequence[int],
    state: FloatArray,
    gain: Callable[[int, FloatArray], tuple[float, float]],
    add: Callable[[int, FloatArray], None],
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    order: list[int] = []
    gains: list[float] = []
    for j in locked:
        gains.append(gain(j, state)[1])
        order.append(j)
        add(j, state)
    rest = [j for j in sites if j not in set(locked)]
    while rest:
        values = [gain(j, state) for j in rest]
        best = max(range(len(rest)), key=lambda i: values[i])  # newly reached first, then gain
        j = rest.pop(best)
        gains.append(values[best][1])
        order.append(j)
        add(j, state)
    return tuple(order), tuple(gains)
