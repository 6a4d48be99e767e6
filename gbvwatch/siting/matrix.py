"""The siting planner on a cost matrix and weights given directly (`--costs F --weights F`)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from gbvwatch.analysis.siting import SitingError, problem_from_costs, siting_solve
from gbvwatch.analysis.siting.matrix_io import matrix_read, vector_read
from gbvwatch.gaps.params import ParameterError

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


def matrix_report(
    *,
    costs: Path,
    weights: Path,
    objective: str,
    k: int | None,
    radius: float | None,
    exact: bool,
    time_limit_s: float,
) -> dict[str, Any]:
    """Solve on a cost matrix file (.npy or CSV, rows = demand points) and a weights file."""
    objective = "cover_all" if objective == "cover-all" else objective
    if objective == "capacity":
        raise ParameterError("objective: capacity needs the dataset (places and arrivals)")
    if objective in {"coverage", "cover_all"} and radius is None:
        raise ParameterError("radius-km: the covering objectives need a radius")
    try:
        matrix = matrix_read(_read(costs), costs.name, what="costs")
        women = vector_read(_read(weights), weights.name, what="weights")
        problem = problem_from_costs(matrix, women, radius_km=radius)
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
            {"rank": r, "column": j, "marginal_gain": g if math.isfinite(g) else None}
            for r, (j, g) in enumerate(zip(result.sites, result.gains, strict=False), start=1)
        ],
        "gain_unit": GAIN_UNITS[objective],
        "inputs": {
            "costs": costs.name,
            "weights": weights.name,
            "demand_points": problem.n_points,
            "candidate_sites": problem.n_candidates,
            "radius": radius,
            "unreachable_weight": result.unreachable_women,
        },
        "notes": list(result.notes),
        "assumptions": {
            "columns": "sites are 0-based column indices of the cost matrix",
            "costs": "an empty cell or inf marks a pair that cannot be travelled",
        },
    }
