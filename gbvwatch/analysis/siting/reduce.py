"""Reductions that keep a covering problem exact: drop what cannot matter, merge what is equal.

- Demand points already covered (by an existing service or a locked site), weighing nothing, or
  reachable by no candidate leave the model: no choice changes their contribution.
- Points with the same set of covering candidates are one point carrying their summed women.
- A candidate whose covered set lies inside another's is dominated: any solution using it is
  no better than one using the other (or nothing), so with "at most K" it can go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csc_matrix, csr_matrix

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.int64]


@dataclass(frozen=True)
class Reduced:
    """Aggregated rows (groups x kept candidates), their women, and the kept candidate indices."""

    covers: csr_matrix
    women: FloatArray
    columns: IndexArray
    rows_before: int
    columns_before: int


def rows_merge(covers: csr_matrix, women: FloatArray) -> tuple[csr_matrix, FloatArray]:
    """Rows with identical column sets merged, women summed; row order by first occurrence."""
    matrix = csr_matrix(covers, dtype=np.bool_)
    matrix.sort_indices()
    keys = [
        matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tobytes()
        for i in range(matrix.shape[0])
    ]
    group_of: dict[bytes, int] = {}
    groups = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        groups[i] = group_of.setdefault(key, len(group_of))
    n_groups = len(group_of)
    merged_women = np.bincount(groups, weights=women, minlength=n_groups)
    first = np.full(n_groups, -1, dtype=np.int64)
    first[groups[::-1]] = np.arange(len(groups) - 1, -1, -1)
    return csr_matrix(matrix[first], dtype=np.bool_), merged_women.astype(np.float64)


def dominated_columns(covers: csr_matrix, women: FloatArray) -> BoolArray:
    """Columns whose positive-weight rows are a subset of another column's (ties: later one)."""
    weighted = csc_matrix(covers[women > 0], dtype=np.float64)
    sizes = np.asarray(weighted.sum(axis=0)).ravel()
    overlap = (weighted.T @ weighted).tocoo()
    dominated = sizes == 0
    i, j, both = overlap.row, overlap.col, overlap.data
    subset = (i != j) & (both == sizes[i]) & ((sizes[j] > sizes[i]) | (j < i))
    dominated[i[subset]] = True
    return np.asarray(dominated, dtype=np.bool_)


def coverage_reduce(
    covers: csr_matrix, women: FloatArray, settled: BoolArray, free: IndexArray
) -> Reduced:
    """Drop settled, weightless and uncoverable rows, merge equal rows, drop dominated columns."""
    matrix = csr_matrix(covers, dtype=np.bool_)[:, free]
    keep_rows = (~settled) & (women > 0) & (np.diff(matrix.indptr) > 0)
    merged, merged_women = rows_merge(matrix[keep_rows], women[keep_rows])
    dominated = dominated_columns(merged, merged_women)
    kept = np.flatnonzero(~dominated)
    # Dropping columns can make rows equal that were not: merge once more.
    final, final_women = rows_merge(csr_matrix(merged[:, kept], dtype=np.bool_), merged_women)
    return Reduced(
        covers=final,
        women=final_women,
        columns=free[kept].astype(np.int64),
        rows_before=int(matrix.shape[0]),
        columns_before=int(free.size),
    )


def dominated_rows(covers: csr_matrix, *, chunk_rows: int = 2_000) -> BoolArray:
    """Rows that cover a superset of another row's columns: in set covering they are covered
    whenever that row is, so they can go. Rows must be distinct (merge them first)."""
    matrix = csr_matrix(covers, dtype=np.int32)
    sizes = np.diff(matrix.indptr)
    transposed = csr_matrix(matrix.T)
    dominated = np.zeros(matrix.shape[0], dtype=np.bool_)
    for start in range(0, matrix.shape[0], chunk_rows):
        overlap = (matrix[start : start + chunk_rows] @ transposed).tocoo()
        a = overlap.row + start
        b = overlap.col
        subset = (overlap.data == sizes[a]) & (sizes[b] > sizes[a])
        dominated[b[subset]] = True
    return dominated


def cover_all_reduce(covers: csr_matrix) -> tuple[csr_matrix, IndexArray]:
    """Set covering reduced to its core: distinct, undominated rows and undominated columns,
    repeated until nothing changes. Returns the matrix and the kept column indices."""
    matrix = csr_matrix(covers, dtype=np.bool_)
    columns = np.arange(matrix.shape[1], dtype=np.int64)
    for _ in range(20):
        before = matrix.shape
        matrix, _w = rows_merge(matrix, np.ones(matrix.shape[0]))
        matrix = csr_matrix(matrix[~dominated_rows(matrix)])
        kept = np.flatnonzero(~dominated_columns(matrix, np.ones(matrix.shape[0])))
        matrix, columns = csr_matrix(matrix[:, kept]), columns[kept]
        if matrix.shape == before:
            break
    return matrix, columns
