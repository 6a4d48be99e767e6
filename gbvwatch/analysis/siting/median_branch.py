"""Exact p-median by branch and bound on sites, each node bounded by the Lagrangian relaxation.

Only the (point, site) pairs that Lagrangian fixing kept are used: every solution cheaper than
the incumbent uses no other pair, so a subtree whose bound on those pairs reaches the
incumbent holds nothing better. A node forces some sites open and keeps others closed; its
bound comes from subgradient steps warm-started from its parent's multipliers, its reduced
costs close or open further sites for its subtree, and every site set its relaxation opens is
tried as a solution. Nodes are taken best bound first, so when time runs out the smallest
bound still waiting is a proven lower bound.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gbvwatch.analysis.siting.problem import GAP_ROUND_OFF, BoolArray, FloatArray, IndexArray

# Subgradient steps per node, the first step's factor and the halving after this many steps
# without a better bound. Measured on 2,000 x 200, K = 10 (3 seeds): a first factor of 0.5
# needed 75-213 nodes and 3-6 s, 2.0 needed 7-15 nodes and 1.2-2.0 s; 4.0 diverged.
NODE_STEPS = 150
_NODE_STEP_START = 2.0
_NODE_STALL = 20


@dataclass(frozen=True)
class BranchResult:
    """The best set found, its reduced objective, the proven bound, whether the tree was
    finished, and how many nodes were bounded."""

    chosen: IndexArray
    value: float
    bound: float
    proven: bool
    nodes: int


@dataclass(frozen=True)
class Pairs:
    """The kept pairs in coordinate form: weighted cost w_i d_ij of each, and per row the
    weighted cost of its fallback (existing service or locked site; inf if none)."""

    rows: IndexArray
    cols: IndexArray
    cost: FloatArray
    fallback: FloatArray
    n_sites: int


@dataclass
class _Node:
    bound: float
    opened: BoolArray  # forced open in this subtree
    closed: BoolArray  # kept closed in this subtree
    u: FloatArray

    def __lt__(self, other: _Node) -> bool:
        return self.bound < other.bound


@dataclass(frozen=True)
class _Bounded:
    bound: float
    u: FloatArray
    rho: FloatArray
    picked: IndexArray  # free sites the relaxation opens at the best multipliers


Evaluate = Callable[[IndexArray], float]  # the reduced objective of a site set


class _Incumbent:
    """The best solution so far; `evaluate` gives the true cost of a site set."""

    def __init__(self, chosen: IndexArray, value: float, evaluate: Evaluate) -> None:
        self.chosen, self.value, self.evaluate = chosen, value, evaluate
        self.tried: set[bytes] = set()

    def offer(self, sites: IndexArray) -> None:
        sites = np.sort(sites).astype(np.int64)
        key = sites.tobytes()
        if key in self.tried:
            return
        self.tried.add(key)
        cost = self.evaluate(sites)
        if cost < self.value:
            self.chosen, self.value = sites, cost


def median_branch(
    pairs: Pairs,
    budget: int,
    *,
    u: FloatArray,
    incumbent: IndexArray,
    upper: float,
    evaluate: Evaluate,
    opened: BoolArray,
    closed: BoolArray,
    time_limit_s: float,
    gap_tolerance: float = 0.0,
) -> BranchResult:
    """Branch and bound from the root's multipliers `u` and fixings; `evaluate` prices a set.
    A node whose bound is within `gap_tolerance` of the incumbent is not split further."""
    deadline = time.perf_counter() + time_limit_s
    best = _Incumbent(incumbent, upper, evaluate)
    heap = [_Node(-math.inf, opened.copy(), closed.copy(), u.copy())]
    nodes, loose = 0, math.inf  # loose: the lowest bound left unsplit by the tolerance
    while heap and time.perf_counter() <= deadline:
        node = heapq.heappop(heap)
        if node.bound >= best.value - margin(best.value):
            continue
        if node.bound >= best.value * (1.0 - gap_tolerance):
            loose = min(loose, node.bound)
            continue
        nodes += 1
        for child in _expand(pairs, budget, node, best, deadline):
            heapq.heappush(heap, child)
    waiting = min((node.bound for node in heap), default=math.inf)
    bound = min(waiting, loose, best.value)
    return BranchResult(best.chosen, best.value, bound, not heap, nodes)


def _expand(
    pairs: Pairs, budget: int, node: _Node, best: _Incumbent, deadline: float
) -> list[_Node]:
    """Bound a node, fix what its reduced costs allow, and split it on one site."""
    opened, closed = node.opened.copy(), node.closed.copy()
    free_budget = budget - int(opened.sum())
    free = ~opened & ~closed
    if _leaf(opened, free, free_budget, best):
        return []
    bounded = _node_bound(
        pairs, free_budget, opened=opened, free=free, u0=node.u, best=best, deadline=deadline
    )
    gap = best.value - bounded.bound
    if gap <= margin(best.value):
        return []
    _fix(bounded, free, free_budget, gap, opened=opened, closed=closed)
    free = ~opened & ~closed
    free_budget = budget - int(opened.sum())
    if _leaf(opened, free, free_budget, best):
        return []
    # Split on the free site the relaxation opens with the least negative reduced cost: the
    # one it is least sure of (or, if it opens none, the cheapest free one).
    choices = bounded.picked[free[bounded.picked]]
    if choices.size:
        site = int(choices[np.argmax(bounded.rho[choices])])
    else:
        site = int(np.flatnonzero(free)[np.argmin(bounded.rho[free])])
    with_site, without_site = opened.copy(), closed.copy()
    with_site[site] = True
    without_site[site] = True
    return [
        _Node(bounded.bound, with_site, closed.copy(), bounded.u),
        _Node(bounded.bound, opened.copy(), without_site, bounded.u),
    ]


def _leaf(opened: BoolArray, free: BoolArray, free_budget: int, best: _Incumbent) -> bool:
    """Whether the node's set is decided (then it is tried): too many sites forced open, none
    left to choose, or room for every free site (opening more never costs more)."""
    if free_budget < 0:
        return True
    if free_budget == 0:
        best.offer(np.flatnonzero(opened))
        return True
    if int(free.sum()) <= free_budget:
        best.offer(np.flatnonzero(opened | free))
        return True
    return False


def _node_bound(
    pairs: Pairs,
    free_budget: int,
    *,
    opened: BoolArray,
    free: BoolArray,
    u0: FloatArray,
    best: _Incumbent,
    deadline: float,
) -> _Bounded:
    """Subgradient steps on the node's Lagrangian: forced sites always open, then the
    `free_budget` most negative reduced costs among the free sites."""
    forced = np.flatnonzero(opened)
    free_idx = np.flatnonzero(free)
    n = pairs.fallback.size
    u = u0.copy()
    result = _Bounded(-math.inf, u, np.zeros(pairs.n_sites), np.zeros(0, dtype=np.int64))
    step, stall = _NODE_STEP_START, 0
    for _ in range(NODE_STEPS):
        reduced = np.minimum(pairs.cost - u[pairs.rows], 0.0)
        rho = np.asarray(
            np.bincount(pairs.cols, weights=reduced, minlength=pairs.n_sites), dtype=np.float64
        )
        rho_free = rho[free_idx]
        top = free_idx[np.argpartition(rho_free, free_budget - 1)[:free_budget]]
        picked = top[rho[top] < 0]
        value = float(
            u.sum()
            + np.minimum(pairs.fallback - u, 0.0).sum()
            + rho[forced].sum()
            + rho[picked].sum()
        )
        best.offer(np.concatenate([forced, top]))
        if value > result.bound + margin(result.bound if math.isfinite(result.bound) else 0):
            result, stall = _Bounded(value, u.copy(), rho, picked), 0
        else:
            stall += 1
            if stall >= _NODE_STALL:
                step, stall = step / 2.0, 0
        if result.bound >= best.value - margin(best.value) or step < 1e-3:
            break
        if time.perf_counter() > deadline:  # the bound so far is still a bound
            break
        open_mask = np.zeros(pairs.n_sites, dtype=np.bool_)
        open_mask[forced] = True
        open_mask[picked] = True
        hit = open_mask[pairs.cols] & (pairs.cost < u[pairs.rows])
        served = np.bincount(pairs.rows[hit], minlength=n) + (pairs.fallback < u)
        grad = 1.0 - served
        norm = float(grad @ grad)
        if norm == 0.0:
            break
        u = u + step * max(best.value - value, 0.0) / norm * grad
    return result


def site_deltas(
    rho: FloatArray, picked: IndexArray, free: BoolArray, free_budget: int
) -> tuple[FloatArray, FloatArray]:
    """How much the relaxation's value must rise if a free site it leaves closed is opened, or
    one it opens is closed (0 elsewhere). `picked`: the free sites it opens (at most
    `free_budget`, all with negative reduced cost `rho`)."""
    in_picked = np.zeros(rho.size, dtype=np.bool_)
    in_picked[picked] = True
    worst = float(rho[picked].max()) if picked.size else 0.0
    full = picked.size >= free_budget
    outside = free & ~in_picked
    # Opening an outside site replaces the worst picked one, or adds its own (non-negative) rho.
    open_delta = np.where(outside, rho - worst if full else np.maximum(rho, 0.0), 0.0)
    rest = np.sort(rho[outside])
    next_best = float(min(rest[0], 0.0)) if rest.size else 0.0
    close_delta = np.where(free & in_picked, next_best - rho, 0.0)  # the next best steps in
    return open_delta, close_delta


def margin(value: float) -> float:
    """Round-off allowance when comparing sums of this size (as gap_of does)."""
    return GAP_ROUND_OFF * max(1.0, abs(value))


def _fix(
    bounded: _Bounded,
    free: BoolArray,
    free_budget: int,
    gap: float,
    *,
    opened: BoolArray,
    closed: BoolArray,
) -> None:
    """Reduced-cost tests within the node: a free site whose opening would lift the bound past
    the incumbent stays closed below it; one whose closing would, stays open."""
    open_delta, close_delta = site_deltas(bounded.rho, bounded.picked, free, free_budget)
    limit = gap + margin(bounded.bound)
    closed |= open_delta > limit
    opened |= close_delta > limit
