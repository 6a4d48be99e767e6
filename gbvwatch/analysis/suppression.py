"""Small-cell suppression for published count tables: primary and secondary suppression.

A table is a grid of non-negative counts with, optionally, a total for each row and a total
for each column (and the grand total where both meet). Published cells are either shown,
shown as "<k" (a non-zero count below k: primary suppression) or shown as "x" (a count of at
least k hidden to protect another cell: secondary suppression, or hidden because a caller
forced it, e.g. too few contributing organisations).

The rule, applied until nothing changes (a fixed point):

1. every non-zero count below k, interior or total, is hidden as "<k";
2. every line (each row with its total, each column with its total, the row of column totals
   and the column of row totals) holds either 0 or at least 2 hidden cells;
3. stronger than 2: an attacker who knows every published value, that "<k" means 1..k-1 and
   "x" means k or more, and who propagates the bounds each line equation implies across all
   lines until they stop narrowing, must not pin any hidden cell to a single value;
4. stronger still: the smallest and largest value of each hidden cell under all the line
   equations at once and those bounds (a linear programme over the reals, solved with HiGHS)
   must not leave a single integer.

Whenever a hidden cell can be pinned, one more cell of one of its lines is hidden: the
non-zero cell that loses the least information (one whose other line already holds a hidden
cell, then the smallest count, then an interior cell before a total). Zeros are published and
never used as complements: an "x" that might be 0 would contradict rule 3's meaning of "x".
If no cell is left to hide, the whole table is withheld.

Limits, said plainly: this guards against exact recovery of a hidden cell from the row and
column totals of its table, alone or combined. It does not guarantee protection intervals of a
given width (a "<5" cell may be narrowed to, say, 2..4); the audit is over the reals, so an
integer-programming attacker could in rare cases narrow a range further than it finds; tables
beyond two dimensions and tables published separately but sharing cells (linked tables) are
not protected against being combined. Counts never leave this module for suppressed cells:
the output holds published values only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import linprog

Bounds = tuple[float, float]
Cell = tuple[int, int]
MAX_PROPAGATION_ROUNDS = 500
LP_TOLERANCE = 1e-6


class CellStatus(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # primary: non-zero and below k, shown "<k"
    PROTECTED = "protected"  # forced by the caller (e.g. too few organisations), shown "x"
    COMPLEMENT = "complement"  # secondary: hidden to protect another cell, shown "x"
    WITHHELD = "withheld"  # the whole table is withheld


@dataclass(frozen=True)
class CountTable:
    """Counts in rows x columns; totals are computed here, never passed in."""

    counts: tuple[tuple[int, ...], ...]
    row_totals: bool = True
    column_totals: bool = True


@dataclass(frozen=True)
class PublishedCell:
    """One cell as it may be published: `value` is None unless the status is 'shown'."""

    value: int | None
    status: CellStatus
    label: str


@dataclass(frozen=True)
class SuppressedTable:
    """The grid as published, totals included: rows of interior cells, each followed by its
    row total when row totals are kept, then a last row of column totals when kept."""

    k: int
    cells: tuple[tuple[PublishedCell, ...], ...]
    row_totals: bool
    column_totals: bool
    withheld: bool
    hidden_small: int
    hidden_complement: int
    hidden_protected: int


def augmented_grid(table: CountTable) -> list[list[int]]:
    """The counts with the row-total column and the column-total row appended as asked."""
    _check(table)
    grid = [list(row) for row in table.counts]
    if table.row_totals:
        for row in grid:
            row.append(sum(row))
    if table.column_totals:
        grid.append([sum(col) for col in zip(*grid, strict=True)])
    return grid


def table_lines(rows: int, columns: int, table: CountTable) -> list[tuple[list[Cell], Cell]]:
    """Each additive equation of the augmented grid as (its parts, its total cell)."""
    lines: list[tuple[list[Cell], Cell]] = []
    inner_rows = rows - 1 if table.column_totals else rows
    inner_cols = columns - 1 if table.row_totals else columns
    if table.row_totals:
        for i in range(rows):
            lines.append(([(i, j) for j in range(inner_cols)], (i, inner_cols)))
    if table.column_totals:
        for j in range(columns):
            lines.append(([(i, j) for i in range(inner_rows)], (inner_rows, j)))
    return lines


def _check(table: CountTable) -> None:
    if not table.counts or not table.counts[0]:
        raise ValueError("a table needs at least one row and one column")
    width = len(table.counts[0])
    for i, row in enumerate(table.counts):
        if len(row) != width:
            raise ValueError(f"row {i} has {len(row)} cells, expected {width}")
        for j, value in enumerate(row):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"cell ({i}, {j}) must be a non-negative integer, got {value!r}")


def _prior_bounds(value: int, status: CellStatus, k: int) -> Bounds:
    """What an attacker knows of a cell from its published label alone."""
    if status is CellStatus.SHOWN:
        return (float(value), float(value))
    if status is CellStatus.SMALL:
        return (1.0, float(k - 1))
    return (float(k), math.inf)


def _narrow(
    parts: list[Cell], total: Cell, bounds: dict[Cell, Bounds]
) -> dict[Cell, Bounds] | None:
    """Bounds implied by sum(parts) == total for each member; None when nothing narrows."""
    signed = [(c, 1.0) for c in parts] + [(total, -1.0)]
    changed: dict[Cell, Bounds] = {}
    for cell, sign in signed:
        lo_rest = hi_rest = 0.0  # range of sum(sign_o * x_o) over the other members
        for other, s in signed:
            if other == cell:
                continue
            lo, hi = bounds[other]
            lo_rest += s * lo if s > 0 else s * hi
            hi_rest += s * hi if s > 0 else s * lo
        # sign * x == -(rest)  =>  x in sign * [-hi_rest, -lo_rest]
        if sign > 0:
            new_lo, new_hi = -hi_rest, -lo_rest
        else:
            new_lo, new_hi = lo_rest, hi_rest
        lo, hi = bounds[cell]
        lo2 = max(lo, math.ceil(new_lo) if math.isfinite(new_lo) else lo)
        hi2 = min(hi, math.floor(new_hi) if math.isfinite(new_hi) else hi)
        if (lo2, hi2) != (lo, hi):
            changed[cell] = (lo2, hi2)
            bounds[cell] = (lo2, hi2)
    return changed or None


def attacker_bounds(
    grid: list[list[int]],
    status: dict[Cell, CellStatus],
    lines: list[tuple[list[Cell], Cell]],
    k: int,
) -> dict[Cell, Bounds]:
    """Bounds an attacker reaches on every cell by propagating all line equations."""
    bounds = {
        (i, j): _prior_bounds(v, status[(i, j)], k)
        for i, row in enumerate(grid)
        for j, v in enumerate(row)
    }
    relevant = [
        (parts, total)
        for parts, total in lines
        if any(status[c] is not CellStatus.SHOWN for c in [*parts, total])
    ]
    for _ in range(MAX_PROPAGATION_ROUNDS):
        if not any([_narrow(parts, total, bounds) for parts, total in relevant]):
            break
    return bounds


def _exposed(
    grid: list[list[int]],
    status: dict[Cell, CellStatus],
    lines: list[tuple[list[Cell], Cell]],
    k: int,
) -> list[Cell]:
    """Hidden cells an attacker pins to one value: lone hidden cells of a line first (rule 2),
    then those that propagation across lines pins (rule 3)."""
    found: list[Cell] = []
    for parts, total in lines:
        hidden = [c for c in [*parts, total] if status[c] is not CellStatus.SHOWN]
        if len(hidden) == 1 and hidden[0] not in found:
            found.append(hidden[0])
    bounds = attacker_bounds(grid, status, lines, k)
    for cell, st in sorted(status.items()):
        if st is not CellStatus.SHOWN and bounds[cell][0] >= bounds[cell][1] and cell not in found:
            found.append(cell)
    return found or lp_pinned(grid, status, lines, k)


def lp_pinned(
    grid: list[list[int]],
    status: dict[Cell, CellStatus],
    lines: list[tuple[list[Cell], Cell]],
    k: int,
) -> list[Cell]:
    """Hidden cells whose smallest and largest value under all line equations at once (a
    linear programme over the reals, with the labels' bounds) leave a single integer."""
    hidden = [c for c, st in sorted(status.items()) if st is not CellStatus.SHOWN]
    if not hidden:
        return []
    at = {c: n for n, c in enumerate(hidden)}
    rows, rhs = [], []
    for parts, total in lines:
        row, value = np.zeros(len(hidden)), 0.0
        for cell, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if cell in at:
                row[at[cell]] += sign
            else:
                value -= sign * grid[cell[0]][cell[1]]
        if row.any():
            rows.append(row)
            rhs.append(value)
    if not rows:
        return []
    bounds = [
        (1.0, float(k - 1)) if status[c] is CellStatus.SMALL else (float(k), None) for c in hidden
    ]
    a_eq, b_eq = np.array(rows), np.array(rhs)
    pinned = []
    for n, cell in enumerate(hidden):
        objective = np.zeros(len(hidden))
        objective[n] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status != 0 or high.status != 0:
            continue  # unbounded above: not pinned; infeasible cannot happen with true counts
        if math.ceil(low.fun - LP_TOLERANCE) >= math.floor(-high.fun + LP_TOLERANCE):
            pinned.append(cell)
    return pinned


def _complement(
    cell: Cell,
    grid: list[list[int]],
    status: dict[Cell, CellStatus],
    lines: list[tuple[list[Cell], Cell]],
    totals: set[Cell],
) -> Cell | None:
    """The cheapest cell to hide in one of `cell`'s lines, or None when none is left."""
    members = {c: [ln for ln in lines if c in ln[0] or c == ln[1]] for c in status}
    best: tuple[tuple[int, int, int, Cell], Cell] | None = None
    for parts, total in members[cell]:
        for cand in [*parts, total]:
            value = grid[cand[0]][cand[1]]
            if status[cand] is not CellStatus.SHOWN or value == 0:
                continue
            others = [ln for ln in members[cand] if ln != (parts, total)]
            covered = all(
                any(status[c] is not CellStatus.SHOWN for c in [*p, t]) for p, t in others
            )
            key = (0 if covered else 1, value, 1 if cand in totals else 0, cand)
            if best is None or key < best[0]:
                best = (key, cand)
    return None if best is None else best[1]


def suppress(
    table: CountTable, *, k: int, protect: frozenset[Cell] = frozenset()
) -> SuppressedTable:
    """Apply primary and secondary suppression with threshold k; `protect` lists extra cells
    (augmented-grid coordinates) to hide as "x". Pure: no I/O."""
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k!r}")
    grid = augmented_grid(table)
    rows, columns = len(grid), len(grid[0])
    for cell in protect:
        if not (0 <= cell[0] < rows and 0 <= cell[1] < columns):
            raise ValueError(f"protected cell {cell} is outside the {rows}x{columns} grid")
    lines = table_lines(rows, columns, table)
    totals = {t for _, t in lines}
    status: dict[Cell, CellStatus] = {}
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if 0 < value < k:
                status[(i, j)] = CellStatus.SMALL
            elif value > 0 and (i, j) in protect:
                status[(i, j)] = CellStatus.PROTECTED
            else:
                status[(i, j)] = CellStatus.SHOWN
    withheld = False
    while exposed := _exposed(grid, status, lines, k):
        extra = next(
            (c for cell in exposed if (c := _complement(cell, grid, status, lines, totals))),
            None,
        )
        if extra is None:
            withheld = True
            break
        status[extra] = CellStatus.COMPLEMENT
    return _published(grid, status, table, k, withheld)


def _published(
    grid: list[list[int]],
    status: dict[Cell, CellStatus],
    table: CountTable,
    k: int,
    withheld: bool,
) -> SuppressedTable:
    cells = []
    for i, row in enumerate(grid):
        out = []
        for j, value in enumerate(row):
            st = CellStatus.WITHHELD if withheld else status[(i, j)]
            if st is CellStatus.SHOWN:
                out.append(PublishedCell(value, st, str(value)))
            elif st is CellStatus.SMALL:
                out.append(PublishedCell(None, st, f"<{k}"))
            else:
                out.append(PublishedCell(None, st, "x"))
        cells.append(tuple(out))
    counted = list(status.values())
    return SuppressedTable(
        k=k,
        cells=tuple(cells),
        row_totals=table.row_totals,
        column_totals=table.column_totals,
        withheld=withheld,
        hidden_small=counted.count(CellStatus.SMALL),
        hidden_complement=counted.count(CellStatus.COMPLEMENT),
        hidden_protected=counted.count(CellStatus.PROTECTED),
    )
