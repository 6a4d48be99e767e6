"""p-median: open K sites to minimise women-weighted road km to the nearest open site or
existing service. Greedy plus vertex substitution and the Lagrangian heuristic, bounded by the
Lagrangian relaxation (median_lagrangian); exact by branch and bound on sites (median_branch)
over the pairs that reduced-cost fixing keeps.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from gbvwatch.analysis.siting.median_branch import median_branch
from gbvwatch.analysis.siting.median_lagrangian import (
    Incumbent,
    Pairs,
    StepRule,
    dot,
    margin,
    site_deltas,
    subgradient,
)
from gbvwatch.analysis.siting.order import distance_order
from gbvwatch.analysis.siting.problem import (
    BoolArray,
    FloatArray,
    IndexArray,
    SitingError,
    SitingProblem,
    SitingResult,
    gap_of,
    k_check,
    unreachable_components,
)

# Above this many (point, candidate) pairs left after Lagrangian fixing there is no branching;
# the heuristic and the Lagrangian bound answer instead, and the result says so.
MAX_BRANCH_PAIRS = 2_000_000
_BIG_KM = 1e9  # stands for "no site reaches this point" inside the heuristic only
# Root subgradient steps: Polyak's rule with this factor, halved after this many steps without
# a better bound, until it is below the smallest; the branch and bound goes on from there.
# Measured at 20,000 x 500 in 30 s (with the tree's pair cut below): stopping at 1e-3 rather
# than 1e-4 took seed 2 from a 0.15% to a 0.11% gap; seeds 0 and 1 stayed within 0.1%.
# With the tree's split on the surest site and its steps on two threads, 1e-2 rather than
# 1e-3 certified seeds 0, 1 and 2 within 0.1% after 12.7, 9.1 and 19.8 s instead of 16.8,
# 13.4 and 20.5 s; the proofs at 2,000 x 200 took 0.42-0.53 s instead of 0.55-0.66 s.
_STEP_START = 2.0
_STALL_STEPS = 30
_STEP_SMALLEST = 1e-2
# The Lagrangian heuristic's first local search (see _Trials).
_POLISH_EVERY = 10
# Each point keeps this many times as many of its cheapest options as the rank its multiplier
# starts at (see _initial_multipliers), at least _DEPTH_LEAST; the rest are folded into its
# fallback (see median_lagrangian). At 20,000 x 500, K = 10 that is 80 of 500 options: a step
# costs a fifth of one over all pairs, and the pairs fixing keeps fit the branch and bound.
# Measured there on seed 2 in 30 s: 80 options left a 0.18% gap, 100 0.20% and 120 0.19%
# (fewer nodes); 60 left 0.53% (weak bounds; with 150 steps a node).
_DEPTH_PER_RANK = 2
_DEPTH_LEAST = 32
# Below this many (row, candidate) pairs every option is kept: a step costs well under a
# millisecond either way. Measured at 1,000 x 100, K = 10 (3 seeds): the heuristic first held
# the optimum after 12-15 ms with every option, 18-24 ms with 32 kept; at 2,000 x 200 the
# proofs took 0.5-0.7 s with 64 kept, 1.0-2.8 s with all 200.
_TRUNCATE_FROM = 200_000
# The branch and bound keeps, of the pairs fixing leaves, only those cheaper than 1.1 times
# their point's root multiplier (the rest folded into its fallback, as above): a node starts
# from its parent's multipliers, and a pair above them adds nothing until they rise past it.
# Measured at 20,000 x 500 on seed 2 in 30 s: slack 0 left a 0.21% gap (weak bounds), 0.03
# 0.17%, 0.1 0.135%, 0.15 0.15%, 0.3 0.17%, no cut 0.18%.
_TREE_SLACK = 0.1


@dataclass(frozen=True)
class MedianData:
    """Reduced p-median: per row the km to free candidates (inf: no better than the fallback)."""

    km: FloatArray  # rows x free candidates
    km_by_site: FloatArray  # the same, candidates x rows: a site's column is contiguous
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
    """Open k sites (locked ones included) minimising women-weighted km: the Lagrangian
    heuristic, then (if `exact`) branch and bound until the gap tolerance or the time limit."""
    started = time.perf_counter()
    k = k_check(k, problem)
    data = median_data(problem)
    budget = k - len(problem.locked)
    search = median_heuristic(
        data, budget, time_limit_s=max(0.0, time_limit_s - (time.perf_counter() - started))
    )
    picked, heuristic_value, lagrangian = search.chosen, search.value, search.lagrangian
    if not math.isfinite(heuristic_value):
        raise unreachable_components(k)
    notes = [f"{data.km.shape[0]} demand rows x {data.km.shape[1]} candidates after reduction"]
    chosen, bound, solver_done = picked, None, False
    method = "greedy-swap+lagrangian-bound"
    if data.km.shape[1] <= budget:
        chosen, solver_done, method = np.arange(data.km.shape[1]), True, "all-candidates"
    elif lagrangian is not None:
        deadline = started + time_limit_s
        bound = lagrangian.bound
        chosen = picked
        notes.append(
            f"Lagrangian heuristic: {lagrangian.iterations} subgradient steps, "
            f"{lagrangian.evaluated} distinct site sets tried as solutions"
        )
        total = data.constant + heuristic_value
        if exact and gap_of(total, data.constant + bound) > gap_tolerance:
            chosen, bound, solver_done, method = _median_exact(
                data,
                budget,
                lagrangian,
                heuristic_value,
                picked,
                time_limit_s=max(0.1, deadline - time.perf_counter()),
                gap_tolerance=gap_tolerance,
                notes=notes,
            )
        else:
            solver_done = exact
            notes.append("the heuristic meets the Lagrangian bound: proven without branching")
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


@dataclass(frozen=True)
class MedianSearch:
    """The heuristic's answer, the Lagrangian behind it (None when there was nothing to bound),
    and each time it held a better answer: (seconds since it started, reduced objective)."""

    chosen: IndexArray
    value: float
    lagrangian: Lagrangian | None
    improvements: tuple[tuple[float, float], ...]


def median_heuristic(data: MedianData, budget: int, *, time_limit_s: float) -> MedianSearch:
    """Greedy plus vertex substitution, then the Lagrangian heuristic: every site set the
    relaxation opens is tried as a solution, and the best one found is improved by substitution
    again. Returns the best answer with the bound that measures it."""
    started = time.perf_counter()
    bounded = data.km.shape[1] > budget and data.women.size > 0
    # The pairs first: their temporaries (several rows x candidates arrays) would otherwise
    # add to the substitution's own three (at 20,000 x 500 the peak went from 707 to 923 MB).
    prepared = median_pairs(data, budget) if bounded else None
    substitution = VertexSubstitution(data)
    picked = substitution.search(budget)
    value = median_value(data, picked)
    improvements = [(time.perf_counter() - started, value)]
    if prepared is None or not math.isfinite(value):
        return MedianSearch(picked, value, None, tuple(improvements))
    # A tenth of the time stays for the local searches after it and for the caller.
    lagrangian = lagrangian_bound(
        data,
        budget,
        picked,
        value,
        substitution=substitution,
        prepared=prepared,
        time_limit_s=max(0.0, 0.9 * time_limit_s - improvements[0][0]),
    )
    improvements.extend((at - started, cost) for at, cost in lagrangian.found)
    picked, value = lagrangian.best_set, lagrangian.best_value  # never worse than the start
    # Local search again from the cheapest set tried (unless it has been through one already)
    # and from the set opened at the best multipliers: they often lie in different basins.
    starts = [lagrangian.opened] if lagrangian.settled else [lagrangian.best_set, lagrangian.opened]
    for start in starts:
        polished = substitution.search(budget, start)
        polished_value = median_value(data, polished)
        if polished_value < value:
            picked, value = polished, polished_value
            improvements.append((time.perf_counter() - started, value))
    return MedianSearch(picked, value, lagrangian, tuple(improvements))


def _median_exact(
    data: MedianData,
    budget: int,
    lagrangian: Lagrangian,
    upper: float,
    picked: IndexArray,
    *,
    time_limit_s: float,
    gap_tolerance: float,
    notes: list[str],
) -> tuple[IndexArray, float, bool, str]:
    """Fix what the Lagrangian rules out, then branch and bound on the sites over the pairs
    left, for anything cheaper than `upper`. Returns (chosen, bound, proven, method)."""
    closed, forced, kept_pairs = median_fix(lagrangian, budget, upper)
    kept = kept_pairs.cost.size
    notes.append(
        f"Lagrangian fixing: {int(closed.sum())} sites closed, {int(forced.sum())} forced open, "
        f"{kept:,} of {lagrangian.pairs.cost.size:,} assignments kept"
    )
    if kept > MAX_BRANCH_PAIRS:
        notes.append(
            f"{kept:,} assignments exceed {MAX_BRANCH_PAIRS:,}: no branching, the bound stands"
        )
        return picked, lagrangian.bound, False, "greedy-swap+lagrangian-bound"
    tree_pairs = kept_pairs.below(lagrangian.u * (1.0 + _TREE_SLACK))
    tree = median_branch(
        tree_pairs,
        budget,
        u=lagrangian.u,
        incumbent=picked,
        upper=upper,
        evaluate=lambda sites: median_value(data, sites),
        opened=forced,
        closed=closed,
        time_limit_s=time_limit_s,
        gap_tolerance=gap_tolerance,
    )
    notes.append(
        f"branch and bound on sites with Lagrangian bounds over {tree_pairs.cost.size:,} "
        f"assignments: {tree.nodes:,} nodes"
        + ("" if tree.proven else ", stopped at the time limit")
    )
    bound = max(lagrangian.bound, min(upper, tree.bound))
    return tree.chosen, bound, tree.proven, "lagrangian-fixing+branch-and-bound"


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
        km_by_site=np.ascontiguousarray(sub.T),
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
    if chosen.size:  # (from the contiguous copy: measured 11x faster at 20,000 x 500)
        best = np.minimum(best, data.km_by_site[chosen].min(axis=0))
    return dot(data.women, best) if np.isfinite(best).all() else math.inf


class VertexSubstitution:
    """Greedy and best-improvement vertex substitution on one reduced instance. The distances
    (with a large finite stand-in for "cannot serve") and two rows x candidates work arrays are
    made once and reused by every search: a fresh array of this size costs page faults each
    time (measured at 20,000 x 500: a swap step took 45-47 ms with fresh arrays, 38-41 ms
    with reused ones, and each search also made its own 80 MB copy of the distances)."""

    def __init__(self, data: MedianData) -> None:
        self.dist = np.where(np.isfinite(data.km), data.km, _BIG_KM)
        self.base = np.where(np.isfinite(data.fallback_km), data.fallback_km, _BIG_KM)
        self.women = data.women
        self.work = (np.empty_like(self.dist), np.empty_like(self.dist))

    def search(self, k: int, start: IndexArray | None = None) -> IndexArray:
        """Greedy up to k columns (after `start`), then vertex substitution."""
        dist, women, work = self.dist, self.women, self.work
        n, m = dist.shape
        if n == 0 or m == 0 or k == 0:
            return np.zeros(0, dtype=np.int64)
        chosen: list[int] = [] if start is None else [int(j) for j in start][:k]
        best = self.base.copy()
        for j in chosen:
            np.minimum(best, dist[:, j], out=best)
        for _ in range(min(k, m) - len(chosen)):
            gain = np.subtract(best[:, None], dist, out=work[0])
            saving = women @ np.maximum(gain, 0.0, out=gain)
            saving[chosen] = -1.0
            j = int(np.argmax(saving))
            if saving[j] <= 0:
                break
            chosen.append(j)
            np.minimum(best, dist[:, j], out=best)
        for _ in range(20 * k + 50):
            swap = self._best_swap(chosen)
            if swap is None:
                break
            chosen[swap[0]] = swap[1]
        return np.asarray(sorted(chosen), dtype=np.int64)

    def _best_swap(self, chosen: list[int]) -> tuple[int, int] | None:
        # With d1/d2 the nearest and second-nearest open (fallback included) and b the owner
        # of d1: cost after swapping o out and j in = sum w * min(d_j, d1 if b != o else d2).
        dist, women, work = self.dist, self.women, self.work
        n, k = dist.shape[0], len(chosen)
        rows = np.arange(n)
        options = np.column_stack([dist[:, chosen], self.base])
        two = np.argpartition(options, 1, axis=1)[:, :2] if k else np.zeros((n, 2), np.int64)
        owner = two[:, 0]  # == k when the fallback is nearest
        d1 = options[rows, owner]
        d2 = options[rows, two[:, 1]]
        near = np.minimum(dist, d1[:, None], out=work[0])
        add = women @ near  # cost with j added, nothing removed
        change = np.minimum(dist, d2[:, None], out=work[1])
        change -= near
        # The women each open site serves, as a dense one-hot k x n matrix (k is small).
        owned = np.zeros((k, n))
        mine = owner < k
        owned[owner[mine], rows[mine]] = women[mine]
        cost = add[None, :] + owned @ change  # (chosen x candidates)
        cost[:, chosen] = math.inf
        current = float(women @ d1)
        out, into = np.unravel_index(int(np.argmin(cost)), cost.shape)
        if cost[out, into] >= current - margin(current):
            return None
        return int(out), int(into)


@dataclass(frozen=True)
class Lagrangian:
    """Best Lagrangian lower bound, its multipliers, what they say about each site, and the
    pairs it was computed on."""

    bound: float
    u: FloatArray  # one multiplier per demand row
    rho: FloatArray  # reduced cost of opening each site
    opened: IndexArray  # the sites the relaxation opens at the best multipliers
    best_set: IndexArray  # the cheapest set known: the start or one of the opened sets
    best_value: float  # its reduced objective
    settled: bool  # whether best_set has been through vertex substitution
    found: tuple[tuple[float, float], ...]  # (perf_counter, value) of each better set found
    iterations: int
    evaluated: int
    pairs: Pairs


class _Trials(Incumbent):
    """The primal side of the Lagrangian heuristic: each site set the relaxation opens is tried
    once as a solution; a set better than any opened before is improved by vertex substitution
    from step 10 on, then at steps ever further apart (10, 30, 70, ...), so that the local
    searches never outweigh the subgradient, whatever the machine."""

    def __init__(
        self,
        data: MedianData,
        budget: int,
        start: IndexArray,
        value: float,
        substitution: VertexSubstitution | None,
    ) -> None:
        super().__init__(start, value, lambda sites: median_value(data, sites))
        self.substitution, self.budget = substitution or VertexSubstitution(data), budget
        self.raw_best = math.inf  # the best set as opened, before any substitution
        self.settled = True  # the start is the output of vertex substitution
        self.found: list[tuple[float, float]] = []
        self.next_polish, self.polishes = _POLISH_EVERY, 0

    def offer(self, sites: IndexArray, step: int) -> None:
        """Try `sites` (opening all `budget` never costs more than fewer)."""
        top = np.sort(sites).astype(np.int64)
        if not self.first_time(top) or (cost := self.evaluate(top)) >= self.raw_best:
            return
        self.raw_best, candidate, settled = cost, top, step >= self.next_polish
        if settled:
            self.polishes += 1
            self.next_polish = step + _POLISH_EVERY * 2**self.polishes
            swapped = self.substitution.search(self.budget, candidate)
            if (swapped_cost := self.evaluate(swapped)) < cost:
                candidate, cost = swapped, swapped_cost
        if cost < self.value:
            self.chosen, self.value, self.settled = candidate, cost, settled
            self.found.append((time.perf_counter(), cost))


def lagrangian_bound(
    data: MedianData,
    budget: int,
    start: IndexArray,
    upper: float,
    *,
    time_limit_s: float,
    iterations: int = 3000,
    substitution: VertexSubstitution | None = None,
    prepared: tuple[Pairs, FloatArray] | None = None,
) -> Lagrangian:
    """Lower bound on the reduced objective: subgradient on the assignment constraints, over
    each point's cheapest options (see median_lagrangian). `start` is the best answer so far,
    of value `upper`; each set the relaxation opens is also tried as a solution (`_Trials`),
    and a cheaper one sharpens the step (Polyak's rule); the better ones are improved with
    `substitution` (made here if not given). `prepared`: what median_pairs gives, if made
    already."""
    n, m = data.km.shape
    none = np.zeros(0, dtype=np.int64)
    pairs, u0 = prepared or median_pairs(data, budget)
    if n == 0:
        return Lagrangian(0.0, u0, np.zeros(m), none, start, upper, True, (), 0, 0, pairs)
    trials = _Trials(data, budget, start, upper, substitution)
    bounded = subgradient(
        pairs,
        budget,
        opened=np.zeros(m, dtype=np.bool_),
        free=np.ones(m, dtype=np.bool_),
        u0=u0,
        incumbent=trials,
        rule=StepRule(iterations, _STEP_START, _STALL_STEPS, _STEP_SMALLEST),
        deadline=time.perf_counter() + time_limit_s,
    )
    return Lagrangian(
        bounded.bound,
        bounded.u,
        bounded.rho,
        bounded.picked,
        trials.chosen,
        trials.value,
        trials.settled,
        tuple(trials.found),
        bounded.steps,
        len(trials.tried),
        pairs,
    )


def median_pairs(data: MedianData, budget: int) -> tuple[Pairs, FloatArray]:
    """Each row's cheapest options as weighted pairs (the rest folded into its fallback, see
    median_lagrangian), and the multipliers to start from."""
    n, m = data.km.shape
    weighted = data.women[:, None] * data.km  # inf where a candidate cannot help
    fallback = data.women * data.fallback_km
    rank = min(max(1, round(0.8 * m / max(budget, 1))), m)
    u0 = _initial_multipliers(weighted, fallback, rank)
    depth = max(_DEPTH_PER_RANK * rank, _DEPTH_LEAST)
    if depth >= m or n * m < _TRUNCATE_FROM:
        rows, cols = np.nonzero(np.isfinite(weighted))
    else:
        part = np.argpartition(weighted, depth, axis=1)
        cols = part[:, :depth].ravel()
        rows = np.repeat(np.arange(n), depth)
        left_out = np.take_along_axis(weighted, part[:, depth : depth + 1], axis=1)[:, 0]
        fallback = np.minimum(fallback, left_out)
        finite = np.isfinite(weighted[rows, cols])
        rows, cols = rows[finite], cols[finite]
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    return Pairs.of(rows, cols, weighted[rows, cols], fallback, m), np.minimum(u0, fallback)


def _initial_multipliers(weighted: FloatArray, fallback: FloatArray, rank: int) -> FloatArray:
    # Start each u_i near where the multipliers end: at the weighted cost of about the
    # (0.8 m / budget)-th cheapest option (with 500 sites and 10 to open, the 40th; measured at
    # 20,000 x 500 after 6,743 steps, the median point's u sat between its 39th and 40th).
    options = np.column_stack([weighted, fallback])
    rank = min(rank, options.shape[1] - 1)
    u = np.partition(options, rank, axis=1)[:, rank]
    return np.asarray(
        np.where(
            np.isfinite(u), u, np.nanmax(np.where(np.isfinite(options), options, np.nan), axis=1)
        ),
        dtype=np.float64,
    )


def median_fix(
    lagrangian: Lagrangian, budget: int, upper: float
) -> tuple[BoolArray, BoolArray, Pairs]:
    """Sites that must stay closed or open, and the pairs that can still serve, in any
    solution cheaper than `upper` (Lagrangian reduced-cost tests; exact, with a round-off
    margin)."""
    rho, pairs = lagrangian.rho, lagrangian.pairs
    everywhere = np.ones(rho.size, dtype=np.bool_)
    open_delta, close_delta = site_deltas(rho, lagrangian.opened, everywhere, budget)
    limit = upper - lagrangian.bound + margin(upper)
    closed = open_delta > limit
    forced = close_delta > limit
    pair_delta = np.maximum(pairs.cost - lagrangian.u[pairs.rows], 0.0) + open_delta[pairs.cols]
    return closed, forced, pairs.subset((pair_delta <= limit) & ~closed[pairs.cols])


def _before(problem: SitingProblem) -> float:
    finite = np.isfinite(problem.existing_km)
    return float(problem.women[finite] @ problem.existing_km[finite])
