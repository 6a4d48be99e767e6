"""Siting planner: where K new services would bring most women within reach, or closest.

Framework-free (numpy, scipy.sparse, highspy). `siting_solve` dispatches on the objective:
coverage (maximal covering), median (p-median), center (p-center), cover_all (set covering);
`capacitated_covering` adds places and the Erlang-B turn-away probability.
Every answer carries a proven bound and the gap to it.
"""

from __future__ import annotations

from gbvwatch.analysis.siting.capacitated import Demand, SiteLoad, capacitated_covering
from gbvwatch.analysis.siting.center import p_center
from gbvwatch.analysis.siting.coverage import maximal_covering, set_covering
from gbvwatch.analysis.siting.median import p_median
from gbvwatch.analysis.siting.problem import (
    OBJECTIVES,
    SitingError,
    SitingProblem,
    SitingResult,
    problem_from_costs,
    problem_from_covers,
)

__all__ = [
    "OBJECTIVES",
    "Demand",
    "SiteLoad",
    "SitingError",
    "SitingProblem",
    "SitingResult",
    "capacitated_covering",
    "maximal_covering",
    "p_center",
    "p_median",
    "problem_from_costs",
    "problem_from_covers",
    "set_covering",
    "siting_solve",
]


def siting_solve(
    problem: SitingProblem,
    objective: str,
    k: int | None,
    *,
    exact: bool = True,
    time_limit_s: float = 60.0,
    gap_tolerance: float = 0.0,
) -> SitingResult:
    """Solve one objective; k is ignored by cover_all and required by the others."""
    if objective == "cover_all":
        return set_covering(problem, exact=exact, time_limit_s=time_limit_s)
    if objective not in OBJECTIVES:
        raise SitingError(f"objective: {objective!r} is not one of {', '.join(OBJECTIVES)}")
    if k is None:
        raise SitingError(f"k: the {objective} objective needs the number of new sites")
    if objective == "coverage":
        return maximal_covering(
            problem, k, exact=exact, time_limit_s=time_limit_s, gap_tolerance=gap_tolerance
        )
    if objective == "median":
        return p_median(
            problem, k, exact=exact, time_limit_s=time_limit_s, gap_tolerance=gap_tolerance
        )
    if objective == "center":
        return p_center(problem, k, exact=exact, time_limit_s=time_limit_s)
    raise SitingError("objective: capacity needs places and demand: use capacitated_covering")
