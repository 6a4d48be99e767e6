"""The set-covering local search returns covers only, never below the optimum, and finds it on
small instances checked by brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from gbvwatch.analysis.siting import coverage as coverage_module
from gbvwatch.analysis.siting.cover_search import cover_all_search, redundant_dropped
from gbvwatch.analysis.siting.coverage import _greedy_cover_all, _search_beside


def _random_cover(seed: int, n: int = 40, m: int = 14) -> csr_matrix:
    rng = np.random.default_rng(seed)
    matrix = rng.random((n, m)) < 0.18
    matrix[np.arange(n), rng.integers(0, m, n)] = True  # every row coverable
    return csr_matrix(matrix)


def _fewest(matrix: csr_matrix) -> int:
    dense = matrix.toarray()
    for k in range(dense.shape[1] + 1):
        for chosen in itertools.combinations(range(dense.shape[1]), k):
            if dense[:, list(chosen)].any(axis=1).all():
                return k
    raise AssertionError("unreachable")


def _covers_all(matrix: csr_matrix, chosen: np.ndarray) -> bool:
    return bool((matrix.toarray()[:, chosen].sum(axis=1) > 0).all())


@pytest.mark.parametrize("seed", range(10))
def test_local_search_finds_the_brute_force_optimum(seed: int) -> None:
    matrix = _random_cover(seed)
    greedy = _greedy_cover_all(matrix)
    found, steps = cover_all_search(matrix, greedy, max_steps=3_000, time_limit_s=30.0)
    assert _covers_all(matrix, found)
    assert found.size == _fewest(matrix) <= greedy.size
    assert 0 < steps <= 3_000


def test_local_search_stops_at_the_target() -> None:
    matrix = _random_cover(3)
    everything = np.arange(matrix.shape[1])
    fewest = _fewest(matrix)
    found, steps = cover_all_search(
        matrix, everything, max_steps=100_000, time_limit_s=30.0, target=fewest
    )
    assert _covers_all(matrix, found)
    assert found.size == fewest
    assert steps < 100_000
    unchanged, none = cover_all_search(
        matrix, everything, max_steps=100, time_limit_s=30.0, target=matrix.shape[1]
    )
    assert none == 0
    assert _covers_all(matrix, unchanged)


def test_local_search_stops_when_told() -> None:
    # Beside HiGHS the search runs until the solver is done: `stop` is asked every 100 moves.
    matrix = _random_cover(4, n=60, m=20)
    greedy = _greedy_cover_all(matrix)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 3

    found, steps = cover_all_search(
        matrix, greedy, max_steps=1_000_000, time_limit_s=30.0, stop=stop
    )
    assert _covers_all(matrix, found)
    assert found.size <= greedy.size
    assert len(asked) == 3
    assert steps == 200  # asked before moves 1, 101 and 201


@pytest.mark.parametrize("seed", range(4))
def test_search_beside_the_solver_gives_a_cover_and_none_on_one_core(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = _random_cover(seed)
    greedy = _greedy_cover_all(matrix)
    fewest = _fewest(matrix)
    monkeypatch.setattr(coverage_module, "cores", lambda: 2)
    # Told nothing, it stops on reaching the bound (here the brute-force optimum).
    found = _search_beside(matrix, greedy, float(fewest), 30.0, stop=lambda: False)
    assert found is not None
    assert _covers_all(matrix, found)
    assert found.size == fewest
    monkeypatch.setattr(coverage_module, "cores", lambda: 1)
    assert _search_beside(matrix, greedy, float(fewest), 30.0, stop=lambda: False) is None


def test_redundant_columns_are_dropped_and_the_rest_still_covers() -> None:
    matrix = _random_cover(5)
    kept = redundant_dropped(matrix, np.arange(matrix.shape[1]))
    assert _covers_all(matrix, kept)
    for j in kept:
        assert not _covers_all(matrix, np.setdiff1d(kept, [j]))


def test_solver_threads_are_capped_by_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from gbvwatch.analysis.siting.problem import SOLVER_THREADS_VARIABLE, cores

    monkeypatch.delenv(SOLVER_THREADS_VARIABLE, raising=False)
    every = cores()
    assert every >= 1
    monkeypatch.setenv(SOLVER_THREADS_VARIABLE, "1")
    assert cores() == 1
    monkeypatch.setenv(SOLVER_THREADS_VARIABLE, "64")
    assert cores() == every  # a cap, never more than the process may use
    for ignored in ("", "0", "-2", "two", "1.5"):
        monkeypatch.setenv(SOLVER_THREADS_VARIABLE, ignored)
        assert cores() == every
