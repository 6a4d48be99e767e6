"""Exact solvers equal brute force over every K-subset; heuristics never beat their bound."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from gbvwatch.analysis.siting import SitingError, problem_from_costs, siting_solve
from gbvwatch.analysis.siting.problem import SitingProblem


def _instance(seed: int, n: int = 30, m: int = 8, existing: int = 4) -> SitingProblem:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2).round(1)
    women = rng.integers(0, 50, n).astype(float)
    existing_km = np.full(n, math.inf)
    existing_km[:existing] = rng.uniform(0, 40, existing).round(1)
    if seed % 2:  # a second road-network component no existing service reaches
        km[: n // 5, : m // 2] = math.inf
        km[n // 5 :, m // 2 :] = math.inf
    return problem_from_costs(km, women, existing_km=existing_km, radius_km=30.0)


def _brute(problem: SitingProblem, k: int) -> dict[str, float]:
    assert problem.cost_km is not None
    best = {"coverage": -math.inf, "median": math.inf, "center": math.inf}
    reachable = np.isfinite(np.minimum(problem.existing_km, problem.cost_km.min(axis=1)))
    weighted = reachable & (problem.women > 0)
    for chosen in itertools.combinations(range(problem.n_candidates), k):
        km = np.minimum(problem.existing_km, problem.cost_km[:, list(chosen)].min(axis=1))
        best["coverage"] = max(best["coverage"], float(problem.women[km <= 30.0].sum()))
        if np.isfinite(km[weighted]).all():
            best["median"] = min(best["median"], float(problem.women[weighted] @ km[weighted]))
            best["center"] = min(best["center"], float(km[weighted].max()))
    return best


def _fewest_to_cover_all(problem: SitingProblem) -> int:
    assert problem.covers is not None
    covers = problem.covers.toarray()
    need = (problem.women > 0) & ~problem.existing_covered() & covers.any(axis=1)
    for k in range(problem.n_candidates + 1):
        for chosen in itertools.combinations(range(problem.n_candidates), k):
            if covers[need][:, list(chosen)].any(axis=1).all():
                return k
    raise AssertionError("unreachable")


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [2, 3])
def test_exact_solvers_equal_brute_force_over_all_k_subsets(seed: int, k: int) -> None:
    problem = _instance(seed)
    best = _brute(problem, k)
    for objective in ("coverage", "median", "center"):
        result = siting_solve(problem, objective, k)
        assert result.objective_value == pytest.approx(best[objective], rel=1e-9), objective
        assert result.gap == 0.0
        assert result.status == "optimal"
        assert len(result.sites) <= k


@pytest.mark.parametrize("seed", range(6))
def test_set_covering_equals_brute_force(seed: int) -> None:
    problem = _instance(seed)
    result = siting_solve(problem, "cover_all", None)
    assert result.objective_value == _fewest_to_cover_all(problem)
    assert result.status == "optimal"


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("objective", ["coverage", "median", "center", "cover_all"])
def test_heuristic_never_reports_better_than_its_bound(seed: int, objective: str) -> None:
    problem = _instance(seed, n=60, m=14)
    heuristic = siting_solve(problem, objective, 4, exact=False)
    exact = siting_solve(problem, objective, 4)
    if objective == "coverage":
        assert heuristic.objective_value <= heuristic.bound + 1e-9
        assert heuristic.bound >= exact.objective_value - 1e-6
        assert heuristic.objective_value <= exact.objective_value + 1e-9
    else:
        assert heuristic.objective_value >= heuristic.bound - 1e-9
        assert heuristic.bound <= exact.objective_value + 1e-6
        assert heuristic.objective_value >= exact.objective_value - 1e-9
    assert heuristic.gap >= 0


@pytest.mark.parametrize("seed", range(6))
def test_p_center_heuristic_improves_on_greedy_and_on_the_trivial_bound(seed: int) -> None:
    from gbvwatch.analysis.siting.center import _center_greedy, _lower_radius, _radius_of
    from gbvwatch.analysis.siting.median import median_data

    problem = _instance(seed, n=80, m=20)
    data = median_data(problem)
    heuristic = siting_solve(problem, "center", 3, exact=False)
    exact = siting_solve(problem, "center", 3)
    assert heuristic.objective_value <= _radius_of(data, _center_greedy(data, 3)) + 1e-9
    assert heuristic.bound >= _lower_radius(data) - 1e-9
    assert heuristic.bound <= exact.objective_value <= heuristic.objective_value
    assert heuristic.method == "greedy-bisection+lp-bound"


def test_locked_sites_are_kept_and_listed_first() -> None:
    problem = _instance(3)
    assert problem.cost_km is not None
    km = problem.cost_km
    locked = problem_from_costs(
        km, problem.women, existing_km=problem.existing_km, radius_km=30.0, locked=(5,)
    )
    result = siting_solve(locked, "coverage", 3)
    assert result.sites[0] == 5
    brute = max(
        float(
            problem.women[np.minimum(problem.existing_km, km[:, [5, a, b]].min(axis=1)) <= 30].sum()
        )
        for a, b in itertools.combinations([j for j in range(8) if j != 5], 2)
    )
    assert result.objective_value == brute


def test_marginal_gains_add_up_to_the_women_newly_covered() -> None:
    problem = _instance(2)
    result = siting_solve(problem, "coverage", 3)
    assert sum(result.gains) == pytest.approx(result.objective_value - result.value_before)
    assert list(result.gains) == sorted(result.gains, reverse=True)


@pytest.mark.parametrize(
    ("costs", "women", "message"),
    [
        (np.ones((3, 2)), [1.0, -2.0, 1.0], "weights: 1 negative value"),
        (np.ones((3, 2)), [1.0, math.nan, 1.0], "weights: nan at row 2"),
        (np.ones((4, 2)), [1.0, 1.0, 1.0], "costs: 4 rows but 3 weights"),
        (np.array([[1.0, math.nan], [1.0, 1.0]]), [1.0, 1.0], "costs: NaN at (row, column) (1, 2)"),
        (np.array([[1.0, -1.0], [1.0, 1.0]]), [1.0, 1.0], "costs: negative value at row 1"),
        (np.ones(3), [1.0, 1.0, 1.0], "costs: expected a 2-D matrix"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    costs: np.ndarray, women: list[float], message: str
) -> None:
    with pytest.raises(SitingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        problem_from_costs(costs, women, radius_km=10.0)


def test_more_sites_than_candidates_is_refused() -> None:
    problem = problem_from_costs(np.ones((3, 2)), [1.0, 1.0, 1.0], radius_km=10.0)
    with pytest.raises(SitingError, match="k: 3 sites asked but there are only 2 candidate"):
        siting_solve(problem, "coverage", 3)


def test_too_few_sites_for_every_unserved_component_is_refused() -> None:
    km = np.array([[1.0, math.inf], [math.inf, 1.0]])
    problem = problem_from_costs(km, [1.0, 1.0], radius_km=10.0)
    with pytest.raises(SitingError, match="cannot reach every road-network component"):
        siting_solve(problem, "median", 1)


def test_refusals_carry_a_code_and_params_for_translation() -> None:
    problem = _instance(0)
    with pytest.raises(SitingError) as raised:
        siting_solve(problem, "coverage", 99)
    assert raised.value.code == "k_above_candidates"
    assert raised.value.params == {"k": 99, "candidates": 8}
    assert str(raised.value) == "k: 99 sites asked but there are only 8 candidate sites"
    split = _instance(1)  # two road-network components, each with women no service reaches
    for objective in ("center", "median"):
        with pytest.raises(SitingError) as raised:
            siting_solve(split, objective, 1)
        assert raised.value.code == "k_components" and raised.value.params == {"k": 1}
