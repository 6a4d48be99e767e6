"""p-center: open K sites so that the farthest woman's road km to an open site or existing
service is as small as possible. Exact by bisection over the sorted distinct distances, each
step a set-covering test ("can K sites bring everyone within r?") answered by greedy when it
succeeds, by the LP bound when that already exceeds K, and by HiGHS otherwise. The heuristic
bisects with greedy covers only, and bounds the answer by a second bisection on the LP.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.sparse import csr_matrix

from gbvwatch.analysis.siting.coverage import _greedy_cover_all
from gbvwatch.analysis.siting.highs import mip_solve, set_cover_mip
from gbvwatch.analysis.siting.median import MedianData, median_data, result_status
from gbvwatch.analysis.siting.order import distance_order
from gbvwatch.analysis.siting.problem import (
    FloatArray,
    IndexArray,
    SitingProblem,
    SitingResult,
    gap_of,
    k_check,
    unreachable_components,
)
from gbvwatch.analysis.siting.reduce import dominated_columns, rows_merge


def p_center(
    problem: SitingProblem, k: int, *, exact: bool = True, time_limit_s: float = 60.0
) -> SitingResult:
    """Open k sites (locked ones included) minimising the farthest woman's km."""
    started = time.perf_counter()
    k = k_check(k, problem)
    data = median_data(problem)
    budget = k - len(problem.locked)
    everyone = _farthest_fallback(problem)  # points no candidate can improve still count
    deadline = started + time_limit_s
    chosen = _center_greedy(data, budget)
    upper = _radius_of(data, chosen)
    if not math.isfinite(upper):
        raise unreachable_components(k)
    lower = max(everyone, _lower_radius(data))
    values = np.concatenate([data.km[np.isfinite(data.km)], data.fallback_km])
    radii = np.unique(values[np.isfinite(values)])
    radii = radii[(radii >= lower) & (radii < upper)]
    if exact:
        value, bound, chosen = _exact_radius(data, radii, budget, deadline, chosen, upper=upper)
    else:
        value, bound, chosen = _heuristic_radius(data, radii, budget, deadline, chosen)
    value, bound = max(everyone, value), max(everyone, lower, bound)
    picked = tuple(problem.locked) + tuple(int(data.columns[j]) for j in chosen)
    order, gains = distance_order(problem, picked, farthest=True)
    gap = gap_of(value, bound)
    method = "bisection+highs" if exact else "greedy-bisection+lp-bound"
    return SitingResult(
        objective="center",
        sites=order,
        gains=gains,
        objective_value=value,
        bound=bound,
        gap=gap,
        status=result_status(gap, solver_done=False, method=method),
        method=method,
        seconds=time.perf_counter() - started,
        value_before=_farthest_existing(problem),
        unreachable_women=data.unreachable_women,
        notes=(f"{radii.size} distinct distances searched between the bounds",),
    )


def _exact_radius(
    data: MedianData,
    radii: FloatArray,
    budget: int,
    deadline: float,
    chosen: IndexArray,
    *,
    upper: float,
) -> tuple[float, float, IndexArray]:
    """Bisection over the radii, each step decided by `_feasible`: (radius, bound, sites)."""
    proven = True
    lo, hi = 0, radii.size  # answer index in [lo, hi]; radii.size stands for `upper`
    while lo < hi:
        mid = (lo + hi) // 2
        verdict, sites = _feasible(data, float(radii[mid]), budget, deadline)
        if verdict is None:
            proven = False
            break
        if verdict:
            hi, chosen = mid, sites
        else:
            lo = mid + 1
    value = _radius_of(data, chosen)
    if proven:
        return value, value, chosen  # every smaller distinct distance was shown infeasible
    return value, min(value, float(radii[lo]) if lo < radii.size else upper), chosen


def _heuristic_radius(
    data: MedianData,
    radii: FloatArray,
    budget: int,
    deadline: float,
    chosen: IndexArray,
) -> tuple[float, float, IndexArray]:
    """Two bisections without integer programs: the smallest radius a greedy cover reaches
    with the budget (the answer; greedy is not monotone in the radius, so this is the best
    radius it was seen to reach), and the smallest radius at which the set-covering LP does
    not need more than the budget (the bound: the LP bound only grows as the radius shrinks,
    so K sites cannot reach any smaller one). The second stops at the deadline with the
    bound proven so far."""
    lo, hi = 0, radii.size
    while lo < hi:
        mid = (lo + hi) // 2
        sites = _greedy_within(_cover_at(data, float(radii[mid])), budget)
        if sites is None:
            lo = mid + 1
        else:
            hi, chosen = mid, sites
    value = _radius_of(data, chosen)
    below = radii[radii < value]
    lo, hi = 0, below.size  # every radius below below[lo] needs more than the budget
    while lo < hi and time.perf_counter() < deadline:
        mid = (lo + hi) // 2
        if _lp_needs_more(data, float(below[mid]), budget, deadline):
            lo = mid + 1
        else:
            hi = mid
    return value, float(below[lo]) if lo < below.size else value, chosen


def _greedy_within(reached: bool | tuple[csr_matrix, IndexArray], budget: int) -> IndexArray | None:
    """Sites (at most the budget) a greedy cover of `_cover_at`'s rows opens; None when
    greedy needs more or a row cannot be reached."""
    if isinstance(reached, bool):
        return np.zeros(0, dtype=np.int64) if reached else None
    greedy = _greedy_cover_all(reached[0])
    return reached[1][greedy].astype(np.int64) if greedy.size <= budget else None


def _cover_at(data: MedianData, radius: float) -> bool | tuple[csr_matrix, IndexArray]:
    """The reduced set-covering rows of the points the existing services leave beyond
    `radius`, with the candidate columns kept; False when a point cannot be reached, True
    when none is left to reach."""
    need = data.fallback_km > radius
    covers = csr_matrix(data.km[need] <= radius)
    if (np.diff(covers.indptr) == 0).any():
        return False
    if covers.shape[0] == 0:
        return True
    merged, _ = rows_merge(covers, np.ones(covers.shape[0]))
    kept = np.flatnonzero(~dominated_columns(merged, np.ones(merged.shape[0])))
    merged, _ = rows_merge(csr_matrix(merged[:, kept]), np.ones(merged.shape[0]))
    return merged, kept


def _lp_needs_more(data: MedianData, radius: float, budget: int, deadline: float) -> bool:
    """Whether the set-covering LP at `radius` proves more than `budget` sites are needed."""
    reached = _cover_at(data, radius)
    if isinstance(reached, bool):
        return not reached
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return False
    lp = mip_solve(set_cover_mip(reached[0]), time_limit_s=remaining, gap_tolerance=0.0, relax=True)
    return math.isfinite(lp.bound) and math.ceil(lp.bound - 1e-6) > budget


def _feasible(
    data: MedianData, radius: float, budget: int, deadline: float
) -> tuple[bool | None, IndexArray]:
    """Whether budget sites bring every row within radius (None: no answer in time)."""
    reached = _cover_at(data, radius)
    sites = _greedy_within(reached, budget)
    if sites is not None:
        return True, sites
    if isinstance(reached, bool):
        return False, np.zeros(0, dtype=np.int64)
    merged, kept = reached
    mip = set_cover_mip(merged)
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return None, np.zeros(0, dtype=np.int64)
    lp = mip_solve(mip, time_limit_s=remaining, gap_tolerance=0.0, relax=True)
    if math.isfinite(lp.bound) and math.ceil(lp.bound - 1e-6) > budget:
        return False, np.zeros(0, dtype=np.int64)
    answer = mip_solve(mip, time_limit_s=max(remaining, 0.01), gap_tolerance=0.0)
    if math.isfinite(answer.bound) and math.ceil(answer.bound - 1e-6) > budget:
        return False, np.zeros(0, dtype=np.int64)
    if not np.isnan(answer.values).any():
        picked = np.flatnonzero(answer.values > 0.5)
        if picked.size <= budget:
            return True, kept[picked].astype(np.int64)
    return None, np.zeros(0, dtype=np.int64)


def _center_greedy(data: MedianData, budget: int) -> IndexArray:
    """Open, one at a time, the site that most reduces the farthest km (ties broken by the
    women-weighted km): the starting answer and the upper end of the bisections."""
    n, m = data.km.shape
    if n == 0 or budget == 0 or m == 0:
        return np.zeros(0, dtype=np.int64)
    dist = np.where(np.isfinite(data.km), data.km, math.inf)
    best = data.fallback_km.copy()
    chosen: list[int] = []
    for _ in range(min(budget, m)):
        after = np.minimum(best[:, None], dist)
        worst = after.max(axis=0)
        # Ties on the farthest km are broken by the women-weighted km.
        total = data.women @ np.where(np.isfinite(after), after, 1e12)
        worst[chosen] = math.inf
        candidates = np.flatnonzero(worst == worst.min())
        j = int(candidates[np.argmin(total[candidates])])
        chosen.append(j)
        best = np.minimum(best, dist[:, j])
    return np.asarray(sorted(chosen), dtype=np.int64)


def _radius_of(data: MedianData, chosen: IndexArray) -> float:
    if data.women.size == 0:
        return 0.0
    best = data.fallback_km
    if chosen.size:
        best = np.minimum(best, data.km[:, chosen].min(axis=1))
    return float(best.max())


def _lower_radius(data: MedianData) -> float:
    """Even with every candidate open, each row is at least its nearest option away."""
    if data.women.size == 0:
        return 0.0
    return float(np.minimum(data.fallback_km, data.km.min(axis=1)).max())


def _farthest_fallback(problem: SitingProblem) -> float:
    """Farthest km among women no new site can bring closer (they bound the answer below)."""
    data_rows = problem.cost_km
    assert data_rows is not None
    fallback = problem.existing_km.copy()
    if problem.locked:
        fallback = np.minimum(fallback, data_rows[:, list(problem.locked)].min(axis=1))
    best = np.minimum(fallback, data_rows.min(axis=1))
    stuck = np.isfinite(best) & (problem.women > 0) & (best >= fallback)
    return float(fallback[stuck].max()) if stuck.any() else 0.0


def _farthest_existing(problem: SitingProblem) -> float:
    finite = np.isfinite(problem.existing_km) & (problem.women > 0)
    return float(problem.existing_km[finite].max()) if finite.any() else math.inf
