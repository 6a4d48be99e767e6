"""The Lagrangian bounds used on instances too large for HiGHS are valid and often tight."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from gbvwatch.analysis.siting import coverage, problem_from_costs, siting_solve
from gbvwatch.analysis.siting.coverage import cover_lagrangian


def _covers(seed: int, n: int = 40, m: int = 9) -> tuple[csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    return csr_matrix(km <= 35.0), rng.integers(1, 50, n).astype(float)


def _best_cover(covers: csr_matrix, women: np.ndarray, k: int) -> float:
    dense = covers.toarray()
    return max(
        float(women[dense[:, list(chosen)].any(axis=1)].sum())
        for chosen in itertools.combinations(range(dense.shape[1]), k)
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_covering_lagrangian_bound_is_never_below_the_optimum(seed: int, k: int) -> None:
    covers, women = _covers(seed)
    best = _best_cover(covers, women, k)
    result = cover_lagrangian(covers, women, k, lower=0.0, time_limit_s=5.0)
    assert result.bound >= best - 1e-6
    # Starting from l = w it is never worse than the k heaviest columns' total.
    heaviest = np.sort(covers.T.astype(float) @ women)[-k:].sum()
    assert result.bound <= heaviest + 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_large_covering_path_reports_a_valid_bound(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The HiGHS-free path is taken above LP_MAX_NONZEROS; lower the threshold to reach it here.
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (60, 2))
    sites = rng.uniform(0, 100, (10, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    problem = problem_from_costs(km, rng.integers(1, 50, 60).astype(float), radius_km=30.0)
    exact = siting_solve(problem, "coverage", 3)
    monkeypatch.setattr(coverage, "LP_MAX_NONZEROS", 0)
    large = siting_solve(problem, "coverage", 3)
    assert large.method == "greedy-swap+lagrangian-bound"
    assert large.bound >= exact.objective_value - 1e-6
    assert large.objective_value <= exact.objective_value + 1e-9
    assert large.objective_value <= large.bound + 1e-9
    assert large.status in {"optimal", "heuristic"}
    assert (large.status == "optimal") == (large.gap == 0.0)


def test_covering_lagrangian_with_no_site_to_open_bounds_by_zero() -> None:
    covers, women = _covers(0)
    assert cover_lagrangian(covers, women, 0, lower=0.0, time_limit_s=1.0).bound == 0.0


def test_large_covering_path_with_every_site_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    points = rng.uniform(0, 100, (50, 2))
    sites = rng.uniform(0, 100, (6, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    women = rng.integers(1, 50, 50).astype(float)
    problem = problem_from_costs(km, women, radius_km=30.0, locked=(1, 4))
    monkeypatch.setattr(coverage, "LP_MAX_NONZEROS", 0)
    result = siting_solve(problem, "coverage", 2)
    covered = (km[:, [1, 4]] <= 30.0).any(axis=1)
    assert result.objective_value == float(women[covered].sum())
    assert result.bound == result.objective_value
    assert result.status == "optimal"
