"""The Lagrangian bounds used on instances too large for HiGHS are valid and often tight."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from gbvwatch.analysis.siting import coverage, problem_from_costs, siting_solve
from gbvwatch.analysis.siting.coverage import cover_lagrangian
from gbvwatch.analysis.siting.median import (
    MedianData,
    median_data,
    median_heuristic,
    median_value,
)
from gbvwatch.analysis.siting.problem import SitingProblem


def _covers(seed: int, n: int = 40, m: int = 9) -> tuple[csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    return csr_matrix(km <= 35.0), rng.integers(1, 50, n).astype(float)


def _covering_problem(
    seed: int, n: int, m: int, radius_km: float
) -> tuple[SitingProblem, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    women = rng.integers(1, 50, n).astype(float)
    return problem_from_costs(km, women, radius_km=radius_km), km


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
    problem, _km = _covering_problem(seed, 60, 10, 30.0)
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


def _median_data(seed: int, n: int = 40, m: int = 9) -> tuple[MedianData, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    women = rng.integers(1, 50, n).astype(float)
    return median_data(problem_from_costs(km, women)), km


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_median_heuristic_is_bracketed_by_its_bound(seed: int, k: int) -> None:
    data, km = _median_data(seed)
    best = min(
        float(data.women @ km[:, list(chosen)].min(axis=1))
        for chosen in itertools.combinations(range(km.shape[1]), k)
    )
    search = median_heuristic(data, k, time_limit_s=5.0)
    assert search.lagrangian is not None
    assert search.lagrangian.bound <= best + 1e-6 * best
    assert search.value >= best - 1e-6 * best
    assert search.value == pytest.approx(median_value(data, search.chosen), rel=1e-12)
    assert search.chosen.size == k
    # Every answer it held is a real one, each better than the last, in time order.
    values = [value for _, value in search.improvements]
    times = [at for at, _ in search.improvements]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
    assert times == sorted(times) and values[-1] == search.value
    tried = search.lagrangian
    assert tried.best_set.size == k
    assert tried.best_value == pytest.approx(median_value(data, tried.best_set), rel=1e-12)
    assert tried.evaluated >= 1 and tried.iterations >= 1


def test_median_heuristic_reaches_what_greedy_misses() -> None:
    # 1,000 x 100, K = 10 (bench seed 2): greedy plus substitution ends 1% above the proven
    # optimum; the sets the relaxation opens lead to it.
    rng = np.random.default_rng(2)
    side = 86_600.0**0.5
    points, sites = rng.uniform(0.0, side, (1_000, 2)), rng.uniform(0.0, side, (100, 2))
    women = rng.integers(1, 1_000, 1_000).astype(np.float64)
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    data = median_data(problem_from_costs(km, women))
    search = median_heuristic(data, 10, time_limit_s=30.0)
    greedy = search.improvements[0][1]
    exact = siting_solve(problem_from_costs(km, women), "median", 10)
    assert exact.status == "optimal"
    assert greedy > exact.objective_value * 1.005
    assert search.value == pytest.approx(exact.objective_value, rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_covering_lagrangian_first_agrees_with_the_lp_path(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, km = _covering_problem(seed, 80, 12, 25.0)
    first = siting_solve(problem, "coverage", 3)
    monkeypatch.setattr(coverage, "LAGRANGIAN_FIRST_S", 0.0)  # one step: the LP decides
    through_lp = siting_solve(problem, "coverage", 3)
    assert first.method == "greedy-swap+lagrangian-bound"
    assert through_lp.method == "highs-mip"
    assert first.status == through_lp.status == "optimal"
    assert first.objective_value == through_lp.objective_value
    covers, women = csr_matrix(km <= 25.0), problem.women
    assert first.objective_value == _best_cover(covers, women, 3)
