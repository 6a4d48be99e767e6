"""The exact p-median solver reaches OR-Library's published optima (Beasley 1985)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from gbvwatch.analysis.siting import problem_from_costs, siting_solve

ORLIB = Path(__file__).parent / "data" / "orlib"


def orlib_pmed(path: Path) -> tuple[np.ndarray, int]:
    """All-pairs shortest-path costs of an OR-Library pmed file (last listing of an edge
    counts) and its p."""
    lines = path.read_text(encoding="ascii").split("\n")
    n, edges, p = (int(x) for x in lines[0].split())
    cost: dict[tuple[int, int], float] = {}
    for line in lines[1 : 1 + edges]:
        i, j, c = (int(x) for x in line.split())
        cost[(min(i, j) - 1, max(i, j) - 1)] = float(c)
    rows, cols = zip(*cost, strict=True)
    graph = csr_matrix((list(cost.values()), (rows, cols)), shape=(n, n))
    return np.asarray(shortest_path(graph, directed=False), dtype=np.float64), p


@pytest.mark.parametrize(("name", "optimum"), [("pmed1", 5819.0), ("pmed5", 1355.0)])
def test_exact_p_median_reaches_the_published_optimum(name: str, optimum: float) -> None:
    km, p = orlib_pmed(ORLIB / f"{name}.txt")
    assert np.isfinite(km).all()
    result = siting_solve(problem_from_costs(km, np.ones(km.shape[0])), "median", p)
    assert result.objective_value == optimum
    assert result.bound == pytest.approx(optimum)
    assert result.status == "optimal"
    assert len(result.sites) == p
