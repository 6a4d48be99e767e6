"""Local search for set covering with every column costing one (fewest sites covering all rows).

Row weighting local search (Gao, Weise and Li, "An efficient local search heuristic with row
weighting for the unicost set covering problem", EJOR 2015): whenever the current set covers
every row it is recorded and its least useful column dropped; otherwise one column leaves (the
one whose rows would lose least weight) and a column of a random uncovered row enters (the one
covering most uncovered weight, among those whose neighbourhood changed since they left), and
the weights of the rows left uncovered grow by one. The weights steer the search out of local
optima. It only ever returns a set checked to cover every row, so it never claims too little.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy.sparse import csr_matrix

from gbvwatch.analysis.siting.problem import IndexArray


def redundant_dropped(covers: csr_matrix, chosen: IndexArray) -> IndexArray:
    """`chosen` less columns whose rows are all covered twice, one at a time, last first."""
    by_col = csr_matrix(csr_matrix(covers, dtype=np.float64).T)
    on = np.zeros(covers.shape[1], dtype=np.bool_)
    on[chosen] = True
    count = by_col.T @ on.astype(np.float64)
    for j in sorted((int(j) for j in chosen), reverse=True):
        rows = by_col.indices[by_col.indptr[j] : by_col.indptr[j + 1]]
        if (count[rows] >= 2).all():
            on[j] = False
            count[rows] -= 1.0
    return np.flatnonzero(on).astype(np.int64)


def cover_all_search(
    covers: csr_matrix,
    start: IndexArray,
    *,
    max_steps: int,
    time_limit_s: float,
    target: int = 0,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
) -> tuple[IndexArray, int]:
    """Fewest columns covering every row found from the cover `start`; stops after
    `max_steps` moves, `time_limit_s` seconds, on reaching `target` columns (a proven lower
    bound), or once `stop()` says so (asked every 100 moves). Returns the best cover (sorted)
    and the steps taken. Deterministic for a seed (and no `stop`)."""
    matrix = csr_matrix(covers, dtype=np.float64)
    n, m = matrix.shape
    by_col = csr_matrix(matrix.T)
    neighbours = csr_matrix((by_col @ matrix) > 0)
    on = np.zeros(m, dtype=np.bool_)
    on[redundant_dropped(matrix, start)] = True
    count = matrix @ on.astype(np.float64)
    best = np.flatnonzero(on).astype(np.int64)
    if n == 0 or (count == 0).any() or best.size <= target:
        return best, 0
    weight = np.ones(n)
    free = np.ones(m, dtype=np.bool_)  # configuration checking: may this column enter?
    stamp = np.zeros(m, dtype=np.int64)
    rng = np.random.default_rng(seed)
    last_in = -1
    deadline = time.perf_counter() + time_limit_s

    def flip(j: int, into: bool, step: int) -> None:
        rows = by_col.indices[by_col.indptr[j] : by_col.indptr[j + 1]]
        on[j] = into
        count[rows] += 1.0 if into else -1.0
        stamp[j] = step
        free[neighbours.indices[neighbours.indptr[j] : neighbours.indptr[j + 1]]] = True
        if not into:
            free[j] = False

    def least_loss(allowed: IndexArray) -> int:
        loss = (by_col @ (weight * (count == 1)))[allowed]
        tied = allowed[loss == loss.min()]
        return int(tied[np.argmin(stamp[tied])])

    step = 0
    while step < max_steps and _going_on(step, deadline, stop):
        step += 1
        while not (count == 0).any():
            if int(on.sum()) < best.size:
                best = np.flatnonzero(on).astype(np.int64)
                if best.size <= target:
                    return best, step
            flip(least_loss(np.flatnonzero(on)), False, step)
        chosen = np.flatnonzero(on)
        chosen = chosen[chosen != last_in]
        if chosen.size:
            flip(least_loss(chosen), False, step)
        uncovered = np.flatnonzero(count == 0)
        row = int(uncovered[rng.integers(uncovered.size)])
        columns = matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]
        allowed = columns[free[columns]]
        if allowed.size == 0:
            allowed = columns
        gain = (by_col @ (weight * (count == 0)))[allowed]
        tied = allowed[gain == gain.max()]
        last_in = int(tied[np.argmin(stamp[tied])])
        flip(last_in, True, step)
        weight[count == 0] += 1.0
    return best, step


def _going_on(step: int, deadline: float, stop: Callable[[], bool] | None) -> bool:
    """Whether the search has time left and no word to stop (asked every 100 moves)."""
    if stop is not None and step % 100 == 0 and stop():
        return False
    return time.perf_counter() < deadline
