"""Exact p-median by branch and bound on sites, each node bounded by the Lagrangian relaxation.

Only the (point, site) pairs that Lagrangian fixing kept are used: every solution cheaper than
the incumbent uses no other pair, so a subtree whose bound on those pairs reaches the
incumbent holds nothing better. (The caller may also fold some of them into the points'
fallbacks, which only lowers costs: see median_lagrangian.) A node forces some sites open and
keeps others closed; its bound comes from subgradient steps warm-started from its parent's
multipliers, its reduced costs close or open further sites for its subtree, and every site set
its relaxation opens is tried as a solution. Nodes are taken best bound first, so when time
runs out the smallest bound still waiting is a proven lower bound.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import numpy as np

from gbvwatch.analysis.siting.median_lagrangian import (
    Bounded,
    Evaluate,
    Incumbent,
    Pairs,
    StepRule,
    margin,
    site_deltas,
    subgradient,
)
from gbvwatch.analysis.siting.problem import BoolArray, FloatArray, IndexArray

# Subgradient steps per node, the first step's factor and the halving after this many steps
# without a better bound. Measured on 2,000 x 200, K = 10 (3 seeds): a first factor of 0.5
# needed 75-213 nodes and 3-6 s, 2.0 needed 7-15 nodes and 1.2-2.0 s; 4.0 diverged. On
# 20,000 x 500 seed 2 in 30 s (before the tree's pair cut in median.py), 80 steps (halving
# after 15) left a 0.18% gap and 150 (after 20) 0.20%; with 80, 2,000 x 200 is proven in
# 0.5-0.8 s.
NODE_STEPS = 80
_NODE_STEP_START = 2.0
_NODE_STALL = 15


@dataclass(frozen=True)
class BranchResult:
    """The best set found, its reduced objective, the proven bound, whether the tree was
    finished, and how many nodes were bounded."""

    chosen: IndexArray
    value: float
    bound: float
    proven: bool
    nodes: int


@dataclass
class _Node:
    bound: float
    opened: BoolArray  # forced open in this subtree
    closed: BoolArray  # kept closed in this subtree
    u: FloatArray

    def __lt__(self, other: _Node) -> bool:
        return self.bound < other.bound


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
    best = Incumbent(incumbent, upper, evaluate)
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
    pairs: Pairs, budget: int, node: _Node, best: Incumbent, deadline: float
) -> list[_Node]:
    """Bound a node, fix what its reduced costs allow, and split it on one site."""
    opened, closed = node.opened.copy(), node.closed.copy()
    free_budget = budget - int(opened.sum())
    free = ~opened & ~closed
    if _leaf(opened, free, free_budget, best):
        return []
    bounded = subgradient(
        pairs,
        free_budget,
        opened=opened,
        free=free,
        u0=node.u,
        incumbent=best,
        rule=StepRule(NODE_STEPS, _NODE_STEP_START, _NODE_STALL, 1e-3),
        deadline=deadline,
    )
    gap = best.value - bounded.bound
    if gap <= margin(best.value):
        return []
    _fix(bounded, free, free_budget, gap, opened=opened, closed=closed)
    free = ~opened & ~closed
    free_budget = budget - int(opened.sum())
    if _leaf(opened, free, free_budget, best):
        return []
    # Split on the free site the relaxation opens with the most negative reduced cost (or, if
    # it opens none, the cheapest free one). The child that closes it must move the women it
    # serves and rises the most, and the one that opens it has one site fewer to choose.
    # Measured at 20,000 x 500, K = 10 in 30 s, against the site with the least negative
    # reduced cost: seed 2 from 0.13-0.14% to 0.08-0.104%, seeds 0 and 1 certified within
    # 0.1% in 22.5 and 16.8 s instead of 24.7 and 18.1 s. (There the least negative one is
    # one of dozens tied at the root: closing it lifted the bound by 1 to 13 units, opening
    # it by 0.2-0.8M, so the tree was a long chain of closings.) On 2,000 x 200 the proofs
    # took 0.53-0.66 s against 0.43-0.64 s.
    choices = bounded.picked[free[bounded.picked]]
    if choices.size:
        site = int(choices[np.argmin(bounded.rho[choices])])
    else:
        site = int(np.flatnonzero(free)[np.argmin(bounded.rho[free])])
    with_site, without_site = opened.copy(), closed.copy()
    with_site[site] = True
    without_site[site] = True
    return [
        _Node(bounded.bound, with_site, closed.copy(), bounded.u),
        _Node(bounded.bound, opened.copy(), without_site, bounded.u),
    ]


def _leaf(opened: BoolArray, free: BoolArray, free_budget: int, best: Incumbent) -> bool:
    """Whether the node's set is decided (then it is tried): too many sites forced open, none
    left to choose, or room for every free site (opening more never costs more)."""
    if free_budget < 0:
        return True
    if free_budget == 0:
        best.offer(np.flatnonzero(opened), 0)
        return True
    if int(free.sum()) <= free_budget:
        best.offer(np.flatnonzero(opened | free), 0)
        return True
    return False


def _fix(
    bounded: Bounded,
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
