"""Capacity-aware covering equals brute force over every K-subset (assignment by scipy's LP)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from gbvwatch.analysis.capacity import erlang_b
from gbvwatch.analysis.siting import problem_from_costs
from gbvwatch.analysis.siting.capacitated import Demand, capacitated_covering, max_load_erlangs

DEMAND = Demand(arrivals_per_woman_year=0.002, mean_stay_days=90.0, target_probability=0.05)


def _served_by_lp(covers: np.ndarray, women: np.ndarray, limits: np.ndarray) -> float:
    """Most women assignable to the open columns within the radius and the load limits."""
    load = women * DEMAND.arrivals_per_woman_year * DEMAND.mean_stay_days / 365.0
    pairs = np.argwhere(covers)
    if pairs.size == 0:
        return 0.0
    n, s = covers.shape
    a = np.zeros((n + s, len(pairs)))
    for col, (i, j) in enumerate(pairs):
        a[i, col] = 1.0
        a[n + j, col] = load[i]
    b = np.concatenate([np.ones(n), limits])
    result = linprog(-women[pairs[:, 0]], A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    return float(-result.fun)


def _instance(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, csr_matrix]:
    """km (n x m), women per point, and one existing service's coverage (within 20 km of the
    centre)."""
    rng = np.random.default_rng(seed)
    points, sites = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    women = rng.integers(1_000, 20_000, n).astype(float)
    existing = csr_matrix(np.linalg.norm(points - [50, 50], axis=1)[:, None] <= 20)
    return km, women, existing


@pytest.mark.parametrize("seed", range(5))
def test_capacity_aware_covering_equals_brute_force(seed: int) -> None:
    km, women, existing = _instance(seed, 25, 7)
    problem = problem_from_costs(km, women, radius_km=30.0)
    result, loads = capacitated_covering(
        problem,
        3,
        places_per_site=4,
        existing_covers=existing,
        existing_places=np.array([3]),
        demand=DEMAND,
    )
    limits_new, limit_old = max_load_erlangs(4, 0.05), max_load_erlangs(3, 0.05)
    best = max(
        _served_by_lp(
            np.hstack([km[:, list(chosen)] <= 30.0, existing.toarray()]),
            women,
            np.array([limits_new] * 3 + [limit_old]),
        )
        for chosen in itertools.combinations(range(7), 3)
    )
    assert result.objective_value == pytest.approx(best, rel=1e-6)
    assert result.gap == 0.0
    for load in loads:
        assert load.turn_away_probability <= 0.05 + 1e-6


def test_max_load_meets_the_target_exactly() -> None:
    limit = max_load_erlangs(10, 0.05)
    assert erlang_b(limit, 10) == pytest.approx(0.05, abs=1e-9)
    assert erlang_b(limit * 1.01, 10) > 0.05


@pytest.mark.parametrize("seed", range(5))
def test_capacity_heuristic_is_bracketed_and_sites_come_by_women_served(seed: int) -> None:
    km, women, existing = _instance(seed, 40, 10)
    problem = problem_from_costs(km, women, radius_km=30.0, locked=(seed,))
    common = {
        "places_per_site": 4,
        "existing_covers": existing,
        "existing_places": np.array([3]),
        "demand": DEMAND,
    }
    heuristic, _ = capacitated_covering(problem, 3, exact=False, **common)
    exact, loads = capacitated_covering(problem, 3, **common)
    assert heuristic.objective_value <= exact.objective_value + 1e-6
    assert exact.objective_value <= heuristic.bound + 1e-6  # the LP bound holds the optimum
    assert heuristic.gap >= 0.0
    assert exact.sites[0] == seed  # locked first
    rest = exact.gains[1:]
    assert list(rest) == sorted(rest, reverse=True)
    assert [load.site for load in loads if load.site >= 0] == list(exact.sites)
