"""Classic instances with published optima.

- p-median and p-center on OR-Library's pmed graphs (Beasley 1985): the p-median optima are
  OR-Library's own (`pmedopt`); the vertex p-center optima are those reported for the same
  files by Daskin (2000), Elloumi, Labbe and Pochet (2004) and Calik and Tansel (2013).
- Set covering on the 4-cycles of the n-dimensional hypercube: the rows are the squares, the
  columns the edges, and a cover is a set of edges that meets every square. n = 6 is
  OR-Library's unicost `scpcyc06` (Grossman and Wool 1997: 240 rows, 192 columns, optimum 60).
  For n <= 5 the fewest such edges are the edge counts 12, 32 and 80 less the largest
  square-free subgraphs of the cube, 9, 24 and 56 (Brass, Harborth and Nienborg 1995).
  The instances are built from that definition here, so no data file is needed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from gbvwatch.analysis.siting import problem_from_costs, problem_from_covers, siting_solve

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


@pytest.mark.parametrize(("name", "optimum"), [("pmed1", 127.0), ("pmed5", 48.0)])
def test_exact_p_center_reaches_the_published_optimum(name: str, optimum: float) -> None:
    km, p = orlib_pmed(ORLIB / f"{name}.txt")
    result = siting_solve(problem_from_costs(km, np.ones(km.shape[0])), "center", p)
    assert result.objective_value == optimum
    assert result.bound == pytest.approx(optimum)
    assert result.status == "optimal"
    assert len(result.sites) <= p
    assert km[:, list(result.sites)].min(axis=1).max() == optimum


def hypercube_squares(n: int) -> csr_matrix:
    """Rows: the 4-cycles of the n-cube; columns: its edges; 1 where the edge is on the cycle.
    An edge is (its lower vertex v, the bit b it flips), v without bit b."""
    edges: dict[tuple[int, int], int] = {}
    for v in range(2**n):
        for b in range(n):
            if not v >> b & 1:
                edges[(v, b)] = len(edges)
    squares = [
        (edges[(v, a)], edges[(v, b)], edges[(v | 1 << a, b)], edges[(v | 1 << b, a)])
        for v in range(2**n)
        for a, b in itertools.combinations(range(n), 2)
        if not (v >> a & 1 or v >> b & 1)
    ]
    rows = np.repeat(np.arange(len(squares)), 4)
    cols = np.asarray(squares).ravel()
    shape = (len(squares), len(edges))
    return csr_matrix((np.ones(rows.size, dtype=np.bool_), (rows, cols)), shape=shape)


def test_hypercube_squares_have_the_sizes_of_scpcyc06() -> None:
    covers = hypercube_squares(6)
    assert covers.shape == (240, 192)
    assert (covers.sum(axis=1) == 4).all()
    assert (covers.sum(axis=0) == 5).all()  # an edge of the 6-cube lies on 5 squares


@pytest.mark.parametrize(("n", "optimum"), [(3, 3.0), (4, 8.0), (5, 24.0)])
def test_set_covering_proves_the_published_hypercube_optima(n: int, optimum: float) -> None:
    covers = hypercube_squares(n)
    result = siting_solve(
        problem_from_covers(covers, np.ones(covers.shape[0]), radius_km=1.0), "cover_all", None
    )
    assert result.objective_value == optimum
    assert result.bound == pytest.approx(optimum)
    assert result.status == "optimal"
    met = covers[:, list(result.sites)].sum(axis=1)
    assert (np.asarray(met) > 0).all()  # every square has a chosen edge


def test_set_covering_reaches_scpcyc06s_optimum_with_an_honest_bound() -> None:
    """scpcyc06 is hard to prove (LP bound 48; HiGHS alone ends near 52 after 150 s): the
    answer must hold the optimum 60 quickly and say what its bound proves, not call it
    optimal."""
    covers = hypercube_squares(6)
    result = siting_solve(
        problem_from_covers(covers, np.ones(covers.shape[0]), radius_km=1.0),
        "cover_all",
        None,
        time_limit_s=2.0,
    )
    assert result.objective_value == 60.0
    assert 48.0 <= result.bound < 60.0
    assert result.status == "time_limit"
    assert result.gap == pytest.approx((60.0 - result.bound) / 60.0)
    met = covers[:, list(result.sites)].sum(axis=1)
    assert (np.asarray(met) > 0).all()
