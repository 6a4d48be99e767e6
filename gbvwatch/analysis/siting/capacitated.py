"""Capacity-aware covering: open K sites so that most women are within the radius of a site
that still has room for them, each site (new or existing) loaded no more than its places allow
at the target turn-away probability of the Erlang-B loss model (`analysis.capacity`).

Demand is survivors per year arriving from each point (women x arrivals per woman); a site's
offered load is its arrivals x mean stay / 365 days, in erlangs; a site with c places may carry
at most the load A(c) at which Erlang-B blocking equals the target. A point's demand may be
split between sites within the radius (a planning model, not a referral rule).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, hstack

from gbvwatch.analysis.capacity import erlang_b
from gbvwatch.analysis.siting.highs import Mip, mip_solve
from gbvwatch.analysis.siting.median import result_status
from gbvwatch.analysis.siting.problem import (
    FloatArray,
    IndexArray,
    SitingError,
    SitingProblem,
    SitingResult,
    gap_of,
    k_check,
)


@dataclass(frozen=True)
class Demand:
    """Survivors needing a place: arrivals per woman per year, stay in days, target blocking."""

    arrivals_per_woman_year: float
    mean_stay_days: float
    target_probability: float


@dataclass(frozen=True)
class SiteLoad:
    """One open site: women it serves, offered load in erlangs, places, turn-away probability."""

    site: int  # candidate index, or -1 - i for existing service i
    women: float
    load_erlangs: float
    places: int
    turn_away_probability: float


def max_load_erlangs(places: int, target_probability: float) -> float:
    """Largest offered load (erlangs) whose Erlang-B blocking with `places` stays <= target."""
    if places <= 0:
        return 0.0
    low, high = 0.0, float(places) * 2.0 + 10.0
    while erlang_b(high, places) <= target_probability:
        high *= 2.0
    for _ in range(60):
        mid = (low + high) / 2.0
        if erlang_b(mid, places) <= target_probability:
            low = mid
        else:
            high = mid
    return low


def capacitated_covering(
    problem: SitingProblem,
    k: int,
    *,
    places_per_site: int,
    existing_covers: csr_matrix,
    existing_places: IndexArray,
    demand: Demand,
    exact: bool = True,
    time_limit_s: float = 60.0,
) -> tuple[SitingResult, tuple[SiteLoad, ...]]:
    """Open k sites maximising women served within the radius and within capacity."""
    started = time.perf_counter()
    k = k_check(k, problem)
    if problem.covers is None:
        raise SitingError("radius: the capacity objective needs a radius in km")
    if existing_covers.shape != (problem.n_points, existing_places.size):
        raise SitingError("existing: the coverage of existing services has the wrong shape")
    if places_per_site < 1:
        raise SitingError("places: a new site needs at least one place")
    load_per_woman = demand.arrivals_per_woman_year * demand.mean_stay_days / 365.0
    covers = csr_matrix(hstack([problem.covers, existing_covers]), dtype=np.bool_)
    m = problem.n_candidates
    places = np.concatenate([np.full(m, places_per_site), existing_places]).astype(np.int64)
    limit = np.array([max_load_erlangs(int(c), demand.target_probability) for c in places])
    mip, pairs = _mip(problem, covers=covers, limit=limit, load_per_woman=load_per_woman, k=k, m=m)
    none = np.zeros(0, dtype=np.int64)
    before, _ = _served(
        problem, covers=covers, limit=limit, load_per_woman=load_per_woman, m=m, chosen=none
    )
    answer = mip_solve(mip, time_limit_s=time_limit_s, gap_tolerance=0.0, relax=not exact)
    if exact:
        chosen = np.flatnonzero(answer.values[:m] > 0.5).astype(np.int64)
    else:  # round the LP: the k largest site values, then the best assignment for them
        chosen = np.sort(np.argsort(-answer.values[:m])[:k]).astype(np.int64)
    value, x = _served(
        problem, covers=covers, limit=limit, load_per_woman=load_per_woman, m=m, chosen=chosen
    )
    bound = answer.bound
    bound = max(bound, value)
    gap = gap_of(value, bound)
    loads = _loads(
        problem, pairs=pairs, x=x, places=places, load_per_woman=load_per_woman, m=m, chosen=chosen
    )
    # Locked sites first, then by the women each serves (the gain this objective reports).
    served = {load.site: load.women for load in loads if load.site >= 0}
    order = sorted(
        (int(j) for j in chosen), key=lambda j: (j not in problem.locked, -served.get(j, 0.0), j)
    )
    by_site = {load.site: load for load in loads}
    loads = tuple(by_site[j] for j in order) + tuple(load for load in loads if load.site < 0)
    result = SitingResult(
        objective="capacity",
        sites=tuple(order),
        gains=tuple(served.get(j, 0.0) for j in order),
        objective_value=value,
        bound=bound,
        gap=gap,
        status=result_status(gap, solver_done=answer.optimal and exact, method="highs-mip"),
        method="highs-mip" if exact else "lp-rounding+lp-bound",
        seconds=time.perf_counter() - started,
        value_before=before,
        unreachable_women=float(problem.women[np.diff(covers.indptr) == 0].sum()),
        notes=(
            "women served within the radius by a site whose Erlang-B turn-away probability "
            f"stays at or below {demand.target_probability:g}",
        ),
    )
    return result, loads


def _mip(
    problem: SitingProblem,
    *,
    covers: csr_matrix,
    limit: FloatArray,
    load_per_woman: float,
    k: int,
    m: int,
) -> tuple[Mip, tuple[IndexArray, IndexArray]]:
    # Columns: y (m new candidates, binary), x (one per point-site pair within the radius).
    # Rows: sum_j x_ij <= 1 (points); sum_i load_i x_ij - A_j y_j <= 0 (new) or <= A_j
    # (existing); x_ij - y_j <= 0 (new pairs); sum y <= k; locked y fixed to 1.
    n = problem.n_points
    coo = covers.tocoo()
    pi, pj = coo.row.astype(np.int64), coo.col.astype(np.int64)
    p = pi.size
    load = problem.women * load_per_woman
    new = np.flatnonzero(pj < m)
    x_col = m + np.arange(p)
    site_rows = n + pj
    link_rows = n + limit.size + np.arange(new.size)
    budget_row = n + limit.size + new.size
    rows = np.concatenate(
        [pi, site_rows, n + np.arange(m), link_rows, link_rows, np.full(m, budget_row)]
    )
    cols = np.concatenate([x_col, x_col, np.arange(m), x_col[new], pj[new], np.arange(m)])
    vals = np.concatenate(
        [np.ones(p), load[pi], -limit[:m], np.ones(new.size), -np.ones(new.size), np.ones(m)]
    )
    shape = (budget_row + 1, m + p)
    matrix = csc_matrix(coo_matrix((vals, (rows, cols)), shape=shape))
    row_upper = np.concatenate([np.ones(n), np.zeros(m), limit[m:], np.zeros(new.size), [k]])
    lower = np.zeros(m + p)
    lower[list(problem.locked)] = 1.0
    mip = Mip(
        cost=np.concatenate([np.zeros(m), problem.women[pi]]),
        matrix=matrix,
        row_lower=np.full(shape[0], -math.inf),
        row_upper=row_upper.astype(np.float64),
        lower=lower,
        upper=np.ones(m + p),
        integer=np.concatenate([np.ones(m, dtype=np.bool_), np.zeros(p, dtype=np.bool_)]),
        maximise=True,
    )
    return mip, (pi, pj)


def _served(
    problem: SitingProblem,
    *,
    covers: csr_matrix,
    limit: FloatArray,
    load_per_woman: float,
    m: int,
    chosen: IndexArray,
) -> tuple[float, FloatArray]:
    """Women served by the best assignment to the chosen sites plus the existing ones (an LP)."""
    fixed = np.zeros(m)
    fixed[chosen] = 1.0
    mip, _ = _mip(
        problem, covers=covers, limit=limit, load_per_woman=load_per_woman, k=int(chosen.size), m=m
    )
    pinned = Mip(
        cost=mip.cost,
        matrix=mip.matrix,
        row_lower=mip.row_lower,
        row_upper=mip.row_upper,
        lower=np.concatenate([fixed, mip.lower[m:]]),
        upper=np.concatenate([fixed, mip.upper[m:]]),
        integer=np.zeros(mip.cost.size, dtype=np.bool_),
        maximise=True,
    )
    answer = mip_solve(pinned, time_limit_s=60.0, gap_tolerance=0.0, relax=True)
    return float(answer.objective), answer.values[m:]


def _loads(
    problem: SitingProblem,
    *,
    pairs: tuple[IndexArray, IndexArray],
    x: FloatArray,
    places: IndexArray,
    load_per_woman: float,
    m: int,
    chosen: IndexArray,
) -> tuple[SiteLoad, ...]:
    pi, pj = pairs
    women = np.bincount(pj, weights=problem.women[pi] * x, minlength=places.size)
    open_sites = list(chosen) + list(range(m, places.size))
    rows = []
    for j in open_sites:
        load = float(women[j] * load_per_woman)
        rows.append(
            SiteLoad(
                site=int(j) if j < m else -1 - (int(j) - m),
                women=float(women[j]),
                load_erlangs=load,
                places=int(places[j]),
                turn_away_probability=erlang_b(load, int(places[j])),
            )
        )
    return tuple(rows)
