"""The exact solvers reach the optimum PySAL spopt proves on the same instances.

spopt is a test and benchmark dependency only: the application never imports it.
"""

from __future__ import annotations

import numpy as np
import pytest

from gbvwatch.analysis.siting import problem_from_costs, siting_solve

locate = pytest.importorskip("spopt.locate")
pulp = pytest.importorskip("pulp")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _costs(seed: int, n: int = 80, m: int = 15) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    points, sites = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    km = np.linalg.norm(points[:, None] - sites[None], axis=2)
    return km, rng.integers(1, 100, n).astype(float)


def _solver() -> object:
    return pulp.PULP_CBC_CMD(msg=False)


@pytest.mark.parametrize("seed", [1, 2])
def test_maximal_covering_equals_spopt(seed: int) -> None:
    km, women = _costs(seed)
    model = locate.MCLP.from_cost_matrix(km, women, service_radius=20.0, p_facilities=4)
    model.solve(_solver())
    ours = siting_solve(problem_from_costs(km, women, radius_km=20.0), "coverage", 4)
    assert ours.objective_value == pytest.approx(model.problem.objective.value())


@pytest.mark.parametrize("seed", [1, 2])
def test_p_median_equals_spopt(seed: int) -> None:
    km, women = _costs(seed)
    model = locate.PMedian.from_cost_matrix(km, women, p_facilities=4)
    model.solve(_solver())
    ours = siting_solve(problem_from_costs(km, women), "median", 4)
    assert ours.objective_value == pytest.approx(model.problem.objective.value(), rel=1e-6)


@pytest.mark.parametrize("seed", [1, 2])
def test_p_center_equals_spopt(seed: int) -> None:
    km, women = _costs(seed, n=40, m=10)
    model = locate.PCenter.from_cost_matrix(km, p_facilities=3)
    model.solve(_solver())
    ours = siting_solve(problem_from_costs(km, women), "center", 3)
    assert ours.objective_value == pytest.approx(model.problem.objective.value(), rel=1e-6)


@pytest.mark.parametrize("seed", [1, 2])
def test_set_covering_equals_spopt(seed: int) -> None:
    km, women = _costs(seed)
    radius = float(km.min(axis=1).max()) + 1.0  # spopt needs every point coverable
    model = locate.LSCP.from_cost_matrix(km, service_radius=radius)
    model.solve(_solver())
    ours = siting_solve(problem_from_costs(km, women, radius_km=radius), "cover_all", None)
    assert ours.objective_value == pytest.approx(model.problem.objective.value())
