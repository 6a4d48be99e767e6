"""The p-median's Lagrangian relaxation over (point, site) pairs: one subgradient for the root
bound (median.py) and for every branch-and-bound node (median_branch.py).

Relaxing each point's assignment constraint with a multiplier u_i leaves, for each site, the
reduced cost rho_j = sum_i min(0, c_ij - u_i), with c_ij the women-weighted km. The relaxation
opens the sites forced open plus the `free_budget` most negative free ones; its value
sum_i u_i + sum_i min(0, f_i - u_i) + (the opened rho) is a lower bound for every u (f_i: the
weighted cost of the point's fallback, an existing service or a locked site).

Pairs may be truncated: a point keeps only its cheapest options, and its fallback is lowered to
the cheapest option it left out. Lowering costs can only lower the optimum, so every bound on
truncated pairs bounds the true problem; and it is the same bound as on all pairs wherever u_i
stays at or below that cost.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np

from gbvwatch.analysis.siting.problem import (
    GAP_ROUND_OFF,
    BoolArray,
    FloatArray,
    IndexArray,
    cores,
)

# From this many pairs on, the reduced costs of a step are computed in parts of about equal
# size, one per core (at most _MOST_PARTS), on threads at once: numpy releases the GIL in
# these loops, and each site's sum is the same as in one piece. Measured on 2 cores, in one
# piece and in two: 0.16 and 0.23 ms at 100,000 pairs, 0.33 and 0.34 ms at 200,000, 0.60 and
# 0.51 ms at 400,000, 4.0 and 2.4 ms at the 1.6M pairs of 20,000 x 500; there the tree's
# nodes bound in half the time, and seed 2 was certified within 0.1% after 21 s, not 30 s.
_PARALLEL_FROM = 300_000
_MOST_PARTS = 4


def _parts() -> int:
    """Into how many parts a large pair set is split: one per core, at most _MOST_PARTS."""
    return min(cores(), _MOST_PARTS)


@cache
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_parts(), thread_name_prefix="siting")


@dataclass(frozen=True)
class Pairs:
    """(point, site) pairs grouped by site (site j's are at starts[j]:starts[j + 1]): the
    weighted cost w_i d_ij of each, and per point the weighted cost of its fallback (inf if
    none). Build with `Pairs.of`."""

    rows: IndexArray
    cols: IndexArray
    cost: FloatArray
    fallback: FloatArray
    n_sites: int
    starts: IndexArray
    parts: tuple[tuple[int, int], ...]  # (first site, site after the last) of each part

    @staticmethod
    def of(
        rows: IndexArray, cols: IndexArray, cost: FloatArray, fallback: FloatArray, n_sites: int
    ) -> Pairs:
        # Site numbers fit 16 bits on every instance measured, where numpy sorts by radix.
        key = cols.astype(np.int16) if n_sites <= np.iinfo(np.int16).max else cols
        order = np.argsort(key, kind="stable")
        return Pairs._grouped(rows[order], cols[order], cost[order], fallback, n_sites)

    @staticmethod
    def _grouped(
        rows: IndexArray, cols: IndexArray, cost: FloatArray, fallback: FloatArray, n_sites: int
    ) -> Pairs:
        starts = np.zeros(n_sites + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=n_sites), out=starts[1:])
        count = 1 if cost.size < _PARALLEL_FROM else _parts()
        # Part boundaries at the sites where the running pair count passes each share.
        shares = np.searchsorted(starts, np.arange(1, count) * cost.size / count)
        bounds = [0, *(int(b) for b in shares), n_sites]
        parts = tuple((a, b) for a, b in itertools.pairwise(bounds) if a < b)
        return Pairs(rows, cols, cost, fallback, n_sites, starts, parts or ((0, n_sites),))

    def subset(self, keep: BoolArray) -> Pairs:
        return Pairs._grouped(
            self.rows[keep], self.cols[keep], self.cost[keep], self.fallback, self.n_sites
        )

    def below(self, cap: FloatArray) -> Pairs:
        """Only the pairs cheaper than their point's `cap`; each point's fallback is lowered to
        its cheapest pair left out (see the module's note: a relaxation)."""
        keep = self.cost < cap[self.rows]
        fallback = self.fallback.copy()
        np.minimum.at(fallback, self.rows[~keep], self.cost[~keep])
        return Pairs._grouped(
            self.rows[keep], self.cols[keep], self.cost[keep], fallback, self.n_sites
        )

    def reduced_sums(self, u: FloatArray, work: FloatArray) -> FloatArray:
        """Per site, rho_j = the sum over its pairs of min(0, cost - u[row]); `work` is scratch
        space, one value per pair."""
        rho = np.zeros(self.n_sites)
        if len(self.parts) == 1:
            self._part_sums(self.parts[0], u, work, rho)
        else:
            list(_threads().map(lambda part: self._part_sums(part, u, work, rho), self.parts))
        return rho

    def _part_sums(
        self, part: tuple[int, int], u: FloatArray, work: FloatArray, rho: FloatArray
    ) -> None:
        first, last = part
        lo, hi = int(self.starts[first]), int(self.starts[last])
        reduced = work[lo:hi]
        # In place (a fresh array of this size each step costs page faults); "clip" skips the
        # bounds check that makes numpy buffer a `take` with `out` (rows are valid anyway).
        np.take(u, self.rows[lo:hi], out=reduced, mode="clip")
        np.subtract(self.cost[lo:hi], reduced, out=reduced)
        np.minimum(reduced, 0.0, out=reduced)
        starts = self.starts[first:last]
        nonempty = starts < self.starts[first + 1 : last + 1]
        if nonempty.any():  # consecutive non-empty groups are back to back
            rho[first:last][nonempty] = np.add.reduceat(reduced, starts[nonempty] - lo)

    def served(self, sites: IndexArray, u: FloatArray) -> FloatArray:
        """Per point, how many of `sites` or its fallback cost less than its multiplier."""
        count = (self.fallback < u).astype(np.float64)
        for j in sites:
            group = slice(self.starts[j], self.starts[j + 1])
            rows = self.rows[group]  # each point at most once per site
            count[rows] += self.cost[group] < u[rows]
        return count


Evaluate = Callable[[IndexArray], float]  # the true (reduced) objective of a site set


class Incumbent:
    """The best site set found so far; each set offered is priced once by `evaluate`."""

    def __init__(self, chosen: IndexArray, value: float, evaluate: Evaluate) -> None:
        self.chosen, self.value, self.evaluate = chosen, value, evaluate
        self.tried: set[bytes] = set()

    def first_time(self, sites: IndexArray) -> bool:
        """Whether `sites` (sorted) has not been offered before; remembers it."""
        key = sites.tobytes()
        if key in self.tried:
            return False
        self.tried.add(key)
        return True

    def offer(self, sites: IndexArray, step: int) -> None:
        """Try a site set the relaxation opened at subgradient step `step`."""
        sites = np.sort(sites).astype(np.int64)
        if self.first_time(sites) and (cost := self.evaluate(sites)) < self.value:
            self.chosen, self.value = sites, cost


@dataclass(frozen=True)
class StepRule:
    """Polyak steps toward the incumbent's value: the first factor, halved after `stall` steps
    without a better bound; at most `steps` steps, none once the factor is below `smallest`."""

    steps: int
    start: float
    stall: int
    smallest: float


@dataclass(frozen=True)
class Bounded:
    """The best bound, its multipliers and reduced costs, the free sites the relaxation opens
    there, and how many steps were taken."""

    bound: float
    u: FloatArray
    rho: FloatArray
    picked: IndexArray
    steps: int


def subgradient(
    pairs: Pairs,
    free_budget: int,
    *,
    opened: BoolArray,
    free: BoolArray,
    u0: FloatArray,
    incumbent: Incumbent,
    rule: StepRule,
    deadline: float,
) -> Bounded:
    """Subgradient steps on the relaxation with the `opened` sites forced open and
    `free_budget` more to pick among the `free` ones. Every set it opens is offered to the
    incumbent, whose value is the Polyak target; it stops early once the bound reaches it."""
    forced = np.flatnonzero(opened)
    free_idx = np.flatnonzero(free)
    u = u0.copy()
    best = Bounded(-math.inf, u, np.zeros(pairs.n_sites), np.zeros(0, dtype=np.int64), 0)
    factor, stall, steps = rule.start, 0, 0
    reduced = np.empty_like(pairs.cost)
    while steps < rule.steps:
        steps += 1
        rho = pairs.reduced_sums(u, reduced)
        top = free_idx[np.argpartition(rho[free_idx], free_budget - 1)[:free_budget]]
        picked = top[rho[top] < 0]
        value = float(
            u.sum()
            + np.minimum(pairs.fallback - u, 0.0).sum()
            + rho[forced].sum()
            + rho[picked].sum()
        )
        incumbent.offer(np.concatenate([forced, top]), steps)
        if value > best.bound + margin(best.bound if math.isfinite(best.bound) else 0.0):
            best, stall = Bounded(value, u.copy(), rho, picked, steps), 0
        else:
            stall += 1
            if stall >= rule.stall:
                factor, stall = factor / 2.0, 0
        target = incumbent.value
        if best.bound >= target - margin(target) or factor < rule.smallest:
            break
        if time.perf_counter() > deadline:  # the bound so far is still a bound
            break
        grad = 1.0 - pairs.served(np.concatenate([forced, picked]), u)
        norm = dot(grad, grad)
        if norm == 0.0:
            break
        u = u + factor * max(target - value, 0.0) / norm * grad
    return Bounded(best.bound, best.u, best.rho, best.picked, steps)


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


def dot(a: FloatArray, b: FloatArray) -> float:
    """The dot product of two vectors, without BLAS. OpenBLAS runs a dot of 10,000 values or
    more on all its threads, which then spin on the other cores for a while, where the
    threads of `Pairs.reduced_sums` work. Measured at 20,000 x 500 on 2 cores: the root's 790
    steps (with their local searches) took 7.2-7.6 s with BLAS dots, 5.7-6.3 s with these."""
    return float(np.einsum("i,i->", a, b))


def margin(value: float) -> float:
    """Round-off allowance when comparing sums of this size (as gap_of does)."""
    return GAP_ROUND_OFF * max(1.0, abs(value))
