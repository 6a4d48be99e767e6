"""The inputs and the answer of a siting problem, checked before any solver sees them.

Rows are demand points (unit centres, settlements, grid cells) weighted by women; columns are
candidate sites. Travel is a road-km matrix (inf: not reachable, e.g. another road-network
component) or, for covering problems at scale, a sparse "within the radius" matrix built
without ever holding the dense one. Existing services enter as each point's km to the nearest
accepting one: they are kept, so only new sites are chosen.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_matrix

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.int64]

GAP_ROUND_OFF = 1e-9
OBJECTIVES = ("coverage", "median", "center", "cover_all", "capacity")


class SitingError(ValueError):
    """The problem cannot be solved as given; the message names the input at fault. `code`
    and `params` let a caller word a known refusal in its own language (the English message
    stays the default)."""

    def __init__(self, message: str, *, code: str = "", params: dict[str, object] | None = None):
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})


def unreachable_components(k: int) -> SitingError:
    """K sites are too few to reach every road-network component with women and no service."""
    return SitingError(
        f"k: {k} sites cannot reach every road-network component that has women "
        "and no existing service",
        code="k_components",
        params={"k": k},
    )


@dataclass(frozen=True)
class SitingProblem:
    """Women per demand point, travel to candidates and to existing services, locked sites.

    `cost_km` (n x m, inf = unreachable) is needed by median and center; covering objectives
    use `covers` (n x m booleans: candidate within `radius_km`), derived from `cost_km` when
    that is given. `existing_km` is each point's km to the nearest existing accepting service.
    """

    women: FloatArray
    existing_km: FloatArray
    n_candidates: int
    cost_km: FloatArray | None = None
    covers: csr_matrix | None = field(default=None, compare=False)
    radius_km: float | None = None
    locked: tuple[int, ...] = ()

    @property
    def n_points(self) -> int:
        """Number of demand points."""
        return int(self.women.size)

    def existing_covered(self) -> BoolArray:
        """Points already within the radius of an existing service."""
        radius = math.inf if self.radius_km is None else self.radius_km
        return np.asarray(self.existing_km <= radius, dtype=np.bool_)


@dataclass(frozen=True)
class SitingResult:
    """Sites chosen (candidate indices, locked first, then by marginal gain) and the proof.

    `bound` is a proven bound on the best possible objective (upper for coverage, lower for
    the others); `gap` = |objective - bound| / |objective| (0 when proven optimal).
    """

    objective: str
    sites: tuple[int, ...]
    gains: tuple[float, ...]
    objective_value: float
    bound: float
    gap: float
    status: str  # optimal | within_tolerance | time_limit | heuristic
    method: str
    seconds: float
    value_before: float
    unreachable_women: float
    notes: tuple[str, ...] = ()


SOLVER_THREADS_VARIABLE = "GBVWATCH_SOLVER_THREADS"


def cores() -> int:
    """How many cores a solve may put to work: those this process may run on, at most
    GBVWATCH_SOLVER_THREADS when that is a whole number >= 1 (a web server with one worker
    per core sets 1; the settings refuse any other value at start-up)."""
    found = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    text = os.environ.get(SOLVER_THREADS_VARIABLE, "").strip()
    limit = int(text) if text.isascii() and text.isdigit() and int(text) >= 1 else None
    return max(1, min(found or 1, limit or found or 1))


def gap_of(value: float, bound: float) -> float:
    """Relative gap between an objective value and a proven bound; agreement to 1e-9 of the
    value (floating-point round-off of the solver's sums) counts as 0."""
    if value == bound or (math.isinf(value) and math.isinf(bound)):
        return 0.0
    scale = max(abs(value), 1e-12)
    gap = abs(bound - value) / scale
    return 0.0 if gap <= GAP_ROUND_OFF else gap


def problem_from_costs(
    cost_km: ArrayLike,
    women: ArrayLike,
    *,
    existing_km: ArrayLike | None = None,
    radius_km: float | None = None,
    locked: tuple[int, ...] = (),
) -> SitingProblem:
    """A checked problem from a cost matrix in km (inf allowed, NaN not); no side effects."""
    weights = women_check(women)
    costs = np.asarray(cost_km, dtype=np.float64)
    if costs.ndim != 2:
        raise SitingError(f"costs: expected a 2-D matrix, got {costs.ndim} dimension(s)")
    if costs.shape[0] != weights.size:
        raise SitingError(
            f"costs: {costs.shape[0]} rows but {weights.size} weights; "
            "one row per demand point is needed"
        )
    if costs.shape[1] == 0:
        raise SitingError("costs: no candidate sites (0 columns)")
    _finite_or_inf(costs, "costs")
    if (costs < 0).any():
        row, col = np.argwhere(costs < 0)[0]
        raise SitingError(f"costs: negative value at row {row + 1}, column {col + 1}")
    existing = _existing(existing_km, weights.size)
    radius = _radius(radius_km)
    covers = None if radius is None else csr_matrix(costs <= radius)
    return SitingProblem(
        women=weights,
        existing_km=existing,
        n_candidates=int(costs.shape[1]),
        cost_km=costs,
        covers=covers,
        radius_km=radius,
        locked=_locked(locked, int(costs.shape[1])),
    )


def problem_from_covers(
    covers: csr_matrix,
    women: ArrayLike,
    *,
    radius_km: float,
    existing_km: ArrayLike | None = None,
    locked: tuple[int, ...] = (),
) -> SitingProblem:
    """A checked covering problem from a sparse (points x candidates) within-radius matrix."""
    weights = women_check(women)
    matrix = csr_matrix(covers, dtype=np.bool_)
    if matrix.shape[0] != weights.size:
        raise SitingError(f"covers: {matrix.shape[0]} rows but {weights.size} weights")
    matrix.eliminate_zeros()
    return SitingProblem(
        women=weights,
        existing_km=_existing(existing_km, weights.size),
        n_candidates=int(matrix.shape[1]),
        covers=matrix,
        radius_km=_radius(radius_km),
        locked=_locked(locked, int(matrix.shape[1])),
    )


def women_check(women: ArrayLike) -> FloatArray:
    """Weights as a 1-D float array; SitingError names NaN, infinite or negative entries."""
    weights = np.atleast_1d(np.asarray(women, dtype=np.float64))
    if weights.ndim != 1:
        raise SitingError(
            f"weights: expected one value per demand point, got shape {weights.shape}"
        )
    if weights.size == 0:
        raise SitingError("weights: no demand points")
    bad = np.flatnonzero(~np.isfinite(weights))
    if bad.size:
        raise SitingError(f"weights: {weights[bad[0]]} at row {bad[0] + 1} is not a finite number")
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        raise SitingError(
            f"weights: {negative.size} negative value(s), the first {weights[negative[0]]:g} "
            f"at row {negative[0] + 1}"
        )
    return weights


def k_check(k: int, problem: SitingProblem, *, what: str = "k") -> int:
    """The number of new sites, checked against the candidates that are free to choose."""
    free = problem.n_candidates - len(problem.locked)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise SitingError(f"{what}: {k!r} is not a whole number")
    if k < len(problem.locked) or k < 1:
        raise SitingError(
            f"{what}: {k} sites asked, but at least 1 and at least the "
            f"{len(problem.locked)} locked site(s) are needed",
            code="k_below_locked",
            params={"k": int(k), "locked": len(problem.locked)},
        )
    if k - len(problem.locked) > free:
        raise SitingError(
            f"{what}: {k} sites asked but there are only {problem.n_candidates} candidate sites",
            code="k_above_candidates",
            params={"k": int(k), "candidates": problem.n_candidates},
        )
    return int(k)


def _finite_or_inf(values: FloatArray, what: str) -> None:
    nan = np.argwhere(np.isnan(values))
    if nan.size:
        where = ", ".join(f"{i + 1}" for i in nan[0])
        raise SitingError(f"{what}: NaN at (row, column) ({where}); use inf for unreachable")


def _existing(existing_km: ArrayLike | None, n: int) -> FloatArray:
    if existing_km is None:
        return np.full(n, math.inf)
    existing = np.atleast_1d(np.asarray(existing_km, dtype=np.float64))
    if existing.shape != (n,):
        raise SitingError(f"existing: shape {existing.shape}, expected ({n},)")
    _finite_or_inf(existing[:, None], "existing")
    if (existing < 0).any():
        raise SitingError("existing: negative distance")
    return existing


def _radius(radius_km: float | None) -> float | None:
    if radius_km is None:
        return None
    radius = float(radius_km)
    if not math.isfinite(radius) or radius < 0:
        raise SitingError(f"radius: {radius_km!r} km is not a finite distance >= 0")
    return radius


def _locked(locked: tuple[int, ...], m: int) -> tuple[int, ...]:
    out: list[int] = []
    for j in locked:
        if not 0 <= int(j) < m:
            raise SitingError(f"locked: candidate {j} does not exist (there are {m})")
        if int(j) not in out:
            out.append(int(j))
    return tuple(out)
