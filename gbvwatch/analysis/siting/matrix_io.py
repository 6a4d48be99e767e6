"""Cost matrices and weights read from .npy or CSV bytes, with the line and column at fault.

CSV: one row per demand point, one number per candidate; a first row that is not numeric is
taken as a header. `inf` (or an empty cell) marks a pair that cannot be travelled. Weights:
one number per line (or a single row), same rules.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from gbvwatch.analysis.siting.problem import FloatArray, SitingError

MAX_CELLS = 200_000_000  # 1.6 GB of float64: refuse anything larger up front


def matrix_read(data: bytes, filename: str, *, what: str = "costs") -> FloatArray:
    """A 2-D float matrix from .npy or CSV bytes; SitingError names the line and column."""
    if filename.lower().endswith(".npy"):
        return _npy(data, what, ndim=2)
    rows = _csv_numbers(data, what)
    widths = {len(r) for _, r in rows}
    if len(widths) > 1:
        first = len(rows[0][1])
        line = next(n for n, r in rows if len(r) != first)
        raise SitingError(f"{what}: line {line} has a different number of columns than the first")
    return np.asarray([r for _, r in rows], dtype=np.float64)


def vector_read(data: bytes, filename: str, *, what: str = "weights") -> FloatArray:
    """A 1-D float vector from .npy or CSV bytes (one value per line, or one row)."""
    if filename.lower().endswith(".npy"):
        return _npy(data, what, ndim=1)
    rows = _csv_numbers(data, what)
    if len(rows) == 1:
        return np.asarray(rows[0][1], dtype=np.float64)
    wide = next((n for n, r in rows if len(r) != 1), None)
    if wide is not None:
        raise SitingError(f"{what}: line {wide} has more than one value")
    return np.asarray([r[0] for _, r in rows], dtype=np.float64)


def _npy(data: bytes, what: str, *, ndim: int) -> FloatArray:
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise SitingError(f"{what}: not a readable .npy file ({exc})") from exc
    if array.ndim != ndim:
        raise SitingError(f"{what}: expected {ndim} dimension(s), the file has {array.ndim}")
    if array.size > MAX_CELLS:
        raise SitingError(f"{what}: {array.size:,} values is more than {MAX_CELLS:,}")
    try:
        return np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SitingError(f"{what}: the values are not numbers ({array.dtype})") from exc


def _csv_numbers(data: bytes, what: str) -> list[tuple[int, list[float]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SitingError(f"{what}: not UTF-8 text (byte {exc.start})") from exc
    rows: list[tuple[int, list[float]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    for index, record in enumerate(reader, start=1):
        if not any(cell.strip() for cell in record):
            continue
        values = [_cell(cell) for cell in record]
        if any(v is None for v in values):
            if not rows and index == 1:
                continue  # a header
            column = next(c for c, v in enumerate(values, start=1) if v is None)
            raise SitingError(
                f"{what}: line {index}, column {column}: {record[column - 1]!r} is not a number"
            )
        rows.append((index, [float(v) for v in values if v is not None]))
    if not rows:
        raise SitingError(f"{what}: the file has no numbers")
    return rows


def _cell(cell: str) -> float | None:
    text = cell.strip()
    if text == "":
        return math.inf
    try:
        return float(text)
    except ValueError:
        return None
