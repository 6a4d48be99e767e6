"""Branch and bound on sites for the p-median equals brute force, and its bound is a bound."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from gbvwatch.analysis.siting import median as median_module
from gbvwatch.analysis.siting import median_branch as median_branch_module
from gbvwatch.analysis.siting import median_lagrangian as lagrangian_module
from gbvwatch.analysis.siting import problem_from_costs
from gbvwatch.analysis.siting.median import (
    MedianData,
    lagrangian_bound,
    median_data,
    median_pairs,
    median_value,
)
from gbvwatch.analysis.siting.median_branch import BranchResult, median_branch
from gbvwatch.analysis.siting.median_lagrangian import Incumbent, Pairs, StepRule, subgradient


def _data(seed: int, n: int = 36, m: int = 11) -> tuple[MedianData, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    existing = np.full(n, math.inf)
    if seed % 2:  # an existing service some points may keep
        existing = np.linalg.norm(points - rng.uniform(0, 100, 2), axis=1)
    data = median_data(
        problem_from_costs(km, rng.integers(1, 50, n).astype(float), existing_km=existing)
    )
    return data, km


def _brute(data: MedianData, k: int) -> float:
    return min(
        median_value(data, np.asarray(chosen, dtype=np.int64))
        for chosen in itertools.combinations(range(data.km.shape[1]), k)
    )


def _branch(data: MedianData, k: int, **options: float) -> BranchResult:
    """From a poor start (the first k sites, multipliers at 0, nothing fixed): the tree must do
    all the work."""
    rows, cols = np.nonzero(np.isfinite(data.km))
    m = data.km.shape[1]
    start = np.arange(k, dtype=np.int64)
    return median_branch(
        Pairs.of(
            rows, cols, data.women[rows] * data.km[rows, cols], data.women * data.fallback_km, m
        ),
        k,
        u=np.zeros(data.km.shape[0]),
        incumbent=start,
        upper=median_value(data, start),
        evaluate=lambda sites: median_value(data, sites),
        opened=np.zeros(m, dtype=np.bool_),
        closed=np.zeros(m, dtype=np.bool_),
        time_limit_s=options.get("time_limit_s", 60.0),
        gap_tolerance=options.get("gap_tolerance", 0.0),
    )


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [2, 3, 4])
def test_branch_and_bound_equals_brute_force(seed: int, k: int) -> None:
    data, _km = _data(seed)
    best = _brute(data, k)
    tree = _branch(data, k)
    assert tree.proven
    assert tree.value == pytest.approx(best, rel=1e-12)
    assert tree.value == pytest.approx(median_value(data, tree.chosen), rel=1e-12)
    assert tree.chosen.size <= k
    assert tree.bound == pytest.approx(tree.value, rel=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_weak_node_bounds_still_reach_the_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two subgradient steps per node: the bounds are weak, so the tree must split and fix its
    # way to the optimum; each answer is still exact.
    monkeypatch.setattr(median_branch_module, "NODE_STEPS", 2)
    data, _km = _data(seed)
    tree = _branch(data, 4)
    assert tree.proven
    assert tree.value == pytest.approx(_brute(data, 4), rel=1e-12)
    assert tree.nodes > 3


@pytest.mark.parametrize("parts", [2, 3, 4])
def test_reduced_costs_in_parts_are_the_same_sums(
    parts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Large pair sets are summed in parts on threads; every site's sum must be the one a
    # single piece gives, sites without pairs (here the first, the last and one between)
    # included.
    rng = np.random.default_rng(parts)
    n, m, size = 300, 40, 4_000
    cols = rng.choice(np.setdiff1d(np.arange(m), [0, 17, m - 1]), size)
    rows, cost, u = rng.integers(0, n, size), rng.uniform(0, 50, size), rng.uniform(0, 50, n)
    whole = Pairs.of(rows, cols, cost, np.full(n, math.inf), m)
    assert len(whole.parts) == 1
    monkeypatch.setattr(lagrangian_module, "_PARALLEL_FROM", 0)
    monkeypatch.setattr(lagrangian_module, "cores", lambda: parts)
    split = Pairs.of(rows, cols, cost, np.full(n, math.inf), m)
    assert len(split.parts) == parts
    assert [a for a, _b in split.parts] == [0, *(b for _a, b in split.parts[:-1])]
    assert split.parts[-1][1] == m
    expected = np.zeros(m)
    np.add.at(expected, cols, np.minimum(cost - u[rows], 0.0))
    one = whole.reduced_sums(u, np.empty(size))
    many = split.reduced_sums(u, np.empty(size))
    assert np.array_equal(one, many)
    assert many == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert many[[0, 17, m - 1]].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("seed", range(4))
def test_the_tree_in_parts_still_proves_the_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lagrangian_module, "_PARALLEL_FROM", 0)
    monkeypatch.setattr(lagrangian_module, "cores", lambda: 3)
    data, _km = _data(seed)
    tree = _branch(data, 3)
    assert tree.proven
    assert tree.value == pytest.approx(_brute(data, 3), rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_a_stopped_tree_still_gives_a_bound(seed: int) -> None:
    data, _km = _data(seed)
    best = _brute(data, 3)
    tree = _branch(data, 3, time_limit_s=0.0)
    assert not tree.proven
    assert tree.bound <= best + 1e-9 * best
    assert tree.value >= best - 1e-9 * best


@pytest.mark.parametrize("seed", range(6))
def test_a_gap_tolerance_is_kept(seed: int) -> None:
    data, _km = _data(seed)
    best = _brute(data, 3)
    tree = _branch(data, 3, gap_tolerance=0.05)
    assert tree.proven
    assert tree.bound <= best + 1e-9 * best <= tree.value + 2e-9 * best
    assert (tree.value - tree.bound) / tree.value <= 0.05 + 1e-12


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_truncated_pairs_still_bound_and_still_solve(
    seed: int, depth: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each point keeps only its `depth` cheapest options; the others are folded into its
    # fallback at the cheapest left-out cost. Bounds stay bounds, and the tree on those pairs
    # still proves the true optimum.
    monkeypatch.setattr(median_module, "_DEPTH_PER_RANK", 0)
    monkeypatch.setattr(median_module, "_DEPTH_LEAST", depth)
    monkeypatch.setattr(median_module, "_TRUNCATE_FROM", 0)
    data, _km = _data(seed)
    k = 3
    best = _brute(data, k)
    pairs, u0 = median_pairs(data, k)
    assert pairs.cost.size <= data.km.shape[0] * depth
    assert (u0 <= pairs.fallback).all()
    assert (pairs.fallback <= data.women * data.fallback_km).all()
    start = np.arange(k, dtype=np.int64)
    upper = median_value(data, start)
    lagrangian = lagrangian_bound(data, k, start, upper, time_limit_s=5.0)
    assert lagrangian.bound <= best + 1e-9 * best
    assert lagrangian.pairs.cost.size == pairs.cost.size
    m = data.km.shape[1]
    # The tree's own cut: only pairs cheaper than the root multipliers (no slack at all).
    cut = pairs.below(lagrangian.u)
    assert cut.cost.size <= pairs.cost.size
    assert (cut.fallback <= pairs.fallback).all()
    harsh = pairs.below(0.5 * lagrangian.u)  # most pairs folded into the fallbacks
    everything = np.ones(data.km.shape[1], dtype=np.bool_)
    bounded = subgradient(
        harsh,
        k,
        opened=~everything,
        free=everything,
        u0=np.zeros(data.km.shape[0]),
        incumbent=Incumbent(start, upper, lambda sites: median_value(data, sites)),
        rule=StepRule(500, 2.0, 20, 1e-6),
        deadline=math.inf,
    )
    assert bounded.bound <= best + 1e-9 * best
    tree = median_branch(
        cut,
        k,
        u=lagrangian.u,
        incumbent=start,
        upper=upper,
        evaluate=lambda sites: median_value(data, sites),
        opened=np.zeros(m, dtype=np.bool_),
        closed=np.zeros(m, dtype=np.bool_),
        time_limit_s=60.0,
    )
    assert tree.proven
    assert tree.value == pytest.approx(best, rel=1e-12)
    assert tree.bound <= best + 1e-9 * best
