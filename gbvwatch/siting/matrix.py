"""The siting planner on a cost matrix and weights given directly (`--costs F --weights F`)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gbvwatch.analysis.siting import SitingError, problem_from_costs, siting_solve
from gbvwatch.analysis.siting.matrix_io import matrix_read, vector_read
from gbvwatch.gaps.params import ParameterError
from gbvwatch.siting.params import DEFAULT_NEW_SITES

GAIN_UNITS = {
    "coverage": "weight newly within the radius",
    "cover_all": "weight newly within the radius",
    "median": "weighted cost saved (None: first site to reach a point)",
    "center": "cut in the largest cost (None: first site to reach a point)",
}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{path.name}: {exc.strerror or exc}") from exc


def _columns_kept(
    m: int, locked: tuple[str, ...], removed: tuple[str, ...]
) -> tuple[NDArray[np.int64], tuple[int, ...]]:
    """The columns left after `removed`, and the locked ones as positions among them."""
    lock, drop = _column_numbers(locked, "lock", m), _column_numbers(removed, "remove", m)
    clash = sorted(set(lock) & set(drop))
    if clash:
        raise SitingError(f"lock: column {clash[0]} is also removed")
    kept = np.array([j for j in range(m) if j not in set(drop)], dtype=np.int64)
    if kept.size == 0:
        raise SitingError("remove: no column is left")
    return kept, tuple(int(np.searchsorted(kept, j)) for j in dict.fromkeys(lock))


def _column_numbers(texts: tuple[str, ...], name: str, m: int) -> list[int]:
    numbers = []
    for text in texts:
        if not (text.isascii() and text.isdigit()) or int(text) >= m:
            raise SitingError(
                f"{name}: {text[:40]!r} is not a column number from 0 to {m - 1} of the costs"
            )
        numbers.append(int(text))
    return numbers


def matrix_report(
    *,
    costs: Path,
    weights: Path,
    objective: str,
    k: int | None,
    radius: float | None,
    exact: bool,
    time_limit_s: float,
    locked: tuple[str, ...] = (),
    removed: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Solve on a cost matrix file (.npy or CSV, rows = demand points) and a weights file.
    `locked` and `removed` are 0-based column numbers, as text; without K the coverage,
    median and center objectives open DEFAULT_NEW_SITES (or every column left)."""
    objective = "cover_all" if objective == "cover-all" else objective
    if objective == "capacity":
        raise ParameterError("objective: capacity needs the dataset (places and arrivals)")
    if objective in {"coverage", "cover_all"} and radius is None:
        raise ParameterError("radius-km: the covering objectives need a radius")
    try:
        matrix = matrix_read(_read(costs), costs.name, what="costs")
        women = vector_read(_read(weights), weights.name, what="weights")
        kept, lock = _columns_kept(matrix.shape[1], locked, removed)
        problem = problem_from_costs(matrix[:, kept], women, radius_km=radius, locked=lock)
        if k is None and objective != "cover_all":
            k = max(len(lock), min(DEFAULT_NEW_SITES, kept.size))
        result = siting_solve(
            problem, objective, k, exact=exact, time_limit_s=time_limit_s, gap_tolerance=0.0
        )
    except SitingError as exc:
        raise ParameterError(str(exc)) from exc
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "objective": objective,
        "objective_value": result.objective_value,
        "bound": result.bound,
        "gap": result.gap,
        "status": result.status,
        "method": result.method,
        "seconds": round(result.seconds, 3),
        "sites": [
            {
                "rank": r,
                "column": int(kept[j]),
                "locked": j in lock,
                "marginal_gain": g if math.isfinite(g) else None,
            }
            for r, (j, g) in enumerate(zip(result.sites, result.gains, strict=False), start=1)
        ],
        "gain_unit": GAIN_UNITS[objective],
        "inputs": {
            "costs": costs.name,
            "weights": weights.name,
            "demand_points": problem.n_points,
            "candidate_sites": problem.n_candidates,
            "locked_columns": [int(kept[j]) for j in lock],
            "removed_columns": sorted(set(range(matrix.shape[1])) - set(kept.tolist())),
            "radius": radius,
            "unreachable_weight": result.unreachable_women,
        },
        "notes": list(result.notes),
        "assumptions": {
            "columns": "sites, --lock and --remove are 0-based column numbers of the cost matrix",
            "costs": "an empty cell or inf marks a pair that cannot be travelled",
        },
    }
