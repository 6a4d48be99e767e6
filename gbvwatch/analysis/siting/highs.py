"""One mixed-integer program handed to HiGHS in compressed-column form, and its answer.

Only this module talks to `highspy`; the models build scipy sparse matrices and read back a
frozen `MipAnswer`, so the formulations stay readable and testable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csc_matrix

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Mip:
    """min (or max) cost @ x s.t. row_lower <= A x <= row_upper, lower <= x <= upper."""

    cost: FloatArray
    matrix: csc_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray
    maximise: bool = False
    offset: float = 0.0


def set_cover_mip(covers: Any) -> Mip:
    """Fewest columns of the 0/1 matrix `covers` (rows x columns) that cover every row."""
    m = covers.shape[1]
    return Mip(
        cost=np.ones(m),
        matrix=csc_matrix(covers, dtype=np.float64),
        row_lower=np.ones(covers.shape[0]),
        row_upper=np.full(covers.shape[0], math.inf),
        lower=np.zeros(m),
        upper=np.ones(m),
        integer=np.ones(m, dtype=np.bool_),
    )


@dataclass(frozen=True)
class MipAnswer:
    """Solution values, objective, best bound and HiGHS' status in words; seconds of HiGHS."""

    values: FloatArray
    objective: float
    bound: float
    status: str
    optimal: bool
    seconds: float


def mip_solve(
    mip: Mip,
    *,
    time_limit_s: float,
    gap_tolerance: float,
    start: FloatArray | None = None,
    relax: bool = False,
    presolve: bool = True,
) -> MipAnswer:
    """Solve with HiGHS (one thread); `relax` drops integrality (the LP bound); no side effects.
    `presolve=False` skips HiGHS' presolve (for models already reduced by the caller).

    The objective is recomputed from the returned values. HiGHS 1.16 can lose presolve's
    objective offset when it maps a start solution (log: "feasible in the reduced space:
    objective value is 7" for a start worth 8), and its bound is then off by the same amount;
    when the recomputed objective disagrees, the model is solved again without the start.
    """
    answer = _run(
        mip, time_limit_s, gap_tolerance, None if relax else start, relax=relax, presolve=presolve
    )
    if start is not None and not relax and not _consistent(mip, answer):
        answer = _run(mip, time_limit_s, gap_tolerance, None, relax=relax, presolve=presolve)
    if not _consistent(mip, answer):  # never certify what does not add up
        return MipAnswer(
            values=answer.values,
            objective=_objective(mip, answer.values),
            bound=math.inf if mip.maximise else -math.inf,
            status="inconsistent",
            optimal=False,
            seconds=answer.seconds,
        )
    return answer


def _objective(mip: Mip, values: FloatArray) -> float:
    return float(mip.cost @ values + mip.offset)


def _consistent(mip: Mip, answer: MipAnswer) -> bool:
    if np.isnan(answer.values).any():
        return not answer.optimal
    value = _objective(mip, answer.values)
    scale = max(1.0, abs(value))
    if abs(value - answer.objective) > 1e-6 * scale:
        return False
    slack = answer.bound - value if mip.maximise else value - answer.bound
    return bool(slack >= -1e-6 * scale)


def _run(
    mip: Mip,
    time_limit_s: float,
    gap_tolerance: float,
    start: FloatArray | None,
    *,
    relax: bool,
    presolve: bool = True,
) -> MipAnswer:
    highs = _new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("time_limit", float(time_limit_s))
    highs.setOptionValue("mip_rel_gap", float(gap_tolerance))
    highs.setOptionValue("mip_abs_gap", 1e-9)
    if not presolve:
        highs.setOptionValue("presolve", "off")
    if relax:
        # Primal simplex: on covering relaxations it is many times faster than HiGHS' default
        # dual simplex (0.6 s against 12 s on 7,000 demand groups x 500 sites).
        highs.setOptionValue("solver", "simplex")
        highs.setOptionValue("simplex_strategy", 4)
    highs.passModel(_lp(mip, relax=relax))
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = [float(v) for v in start]
        solution.value_valid = True
        highs.setSolution(solution)
    ran = highs.run()
    status = highs.getModelStatus()
    if ran == highspy.HighsStatus.kError:  # e.g. an option HiGHS refused: no answer at all
        return MipAnswer(
            values=np.full(mip.cost.size, math.nan),
            objective=math.nan,
            bound=math.inf if mip.maximise else -math.inf,
            status="error",
            optimal=False,
            seconds=0.0,
        )
    info = highs.getInfo()
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    objective = float(info.objective_function_value)
    optimal = status == highspy.HighsModelStatus.kOptimal
    no_bound = math.inf if mip.maximise else -math.inf
    # An LP stopped early proves nothing; a finished one bounds the integer optimum.
    bound = (objective if optimal else no_bound) if relax else float(info.mip_dual_bound)
    if values.size != mip.cost.size or not math.isfinite(objective):
        values = np.full(mip.cost.size, math.nan)
    return MipAnswer(
        values=values,
        objective=objective,
        bound=bound,
        status=highs.modelStatusToString(status),
        optimal=optimal,
        seconds=float(highs.getRunTime()),
    )


def _new_highs() -> Any:
    # highspy's Python class registers callbacks on construction, which prints HiGHS' banner to
    # the process's stdout before output can be switched off; that would corrupt
    # `--format json`. The compiled class underneath has the same solving methods and prints
    # nothing while output_flag is off.
    core = getattr(highspy, "_core", None)
    factory = getattr(core, "_Highs", None) or highspy.Highs
    return factory()


def _lp(mip: Mip, *, relax: bool) -> highspy.HighsLp:
    matrix = csc_matrix(mip.matrix)
    matrix.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = int(matrix.shape[1])
    lp.num_row_ = int(matrix.shape[0])
    lp.col_cost_ = np.asarray(mip.cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(mip.lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(mip.upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(mip.row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(mip.row_upper, dtype=np.float64)
    lp.offset_ = float(mip.offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = np.asarray(matrix.indptr, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(matrix.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(matrix.data, dtype=np.float64)
    if mip.maximise:
        lp.sense_ = highspy.ObjSense.kMaximize
    if not relax and mip.integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in mip.integer.tolist()
        ]
    return lp
