"""The HiGHS wrapper never certifies an objective or bound that the values do not support."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.sparse import csc_matrix

from gbvwatch.analysis.siting.highs import Mip, mip_solve

# A set-covering instance (demand groups x candidate sites of the Azerbaijan dataset, 100 km)
# on which HiGHS 1.16, given a start solution, reports objective and bound 7 for a start worth
# 8 (presolve's offset is lost); the true optimum is 8.
COVER = Path(__file__).parent / "data" / "presolve_offset_cover.npy"


def _cover_mip(covers: np.ndarray) -> Mip:
    n, m = covers.shape
    return Mip(
        cost=np.ones(m),
        matrix=csc_matrix(covers, dtype=np.float64),
        row_lower=np.ones(n),
        row_upper=np.full(n, np.inf),
        lower=np.zeros(m),
        upper=np.ones(m),
        integer=np.ones(m, dtype=np.bool_),
    )


def test_a_start_solution_does_not_shift_the_objective_or_the_bound() -> None:
    covers = np.load(COVER)
    start = np.zeros(covers.shape[1])
    start[[2, 5, 6, 10, 11, 12, 14, 17]] = 1.0  # feasible, 8 sites
    with_start = mip_solve(_cover_mip(covers), time_limit_s=10, gap_tolerance=0, start=start)
    without = mip_solve(_cover_mip(covers), time_limit_s=10, gap_tolerance=0)
    assert without.objective == without.bound == 8.0
    assert with_start.objective == with_start.bound == 8.0
    assert with_start.values.sum() == 8.0
    assert (covers @ with_start.values >= 1).all()
