"""Maximal covering (open K sites, most women within the radius) and set covering (fewest
sites so every woman who can be reached is), exact through HiGHS or by greedy plus swaps.

Both run on the reduced problem (`reduce.py`); the answer is mapped back to candidate indices.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix, hstack, identity, vstack

from gbvwatch.analysis.siting.cover_search import cover_all_search
from gbvwatch.analysis.siting.highs import Mip, mip_solve, set_cover_mip
from gbvwatch.analysis.siting.median import result_status
from gbvwatch.analysis.siting.order import coverage_order
from gbvwatch.analysis.siting.problem import (
    BoolArray,
    FloatArray,
    IndexArray,
    SitingError,
    SitingProblem,
    SitingResult,
    cores,
    gap_of,
    k_check,
)
from gbvwatch.analysis.siting.reduce import Reduced, cover_all_reduce, coverage_reduce

_EPS = 1e-9
# Above this many nonzeros in the reduced coverage matrix HiGHS' LP is not tried (on 52,770
# groups x 1,969 sites, 2.3 million nonzeros, it had not finished after 60 s); the Lagrangian
# bound, which equals the LP bound at its best multipliers, answers instead.
LP_MAX_NONZEROS = 1_000_000
# Below that, the Lagrangian gets this long to prove the heuristic before the LP is built.
LAGRANGIAN_FIRST_S = 5.0
# Set covering: the row-weighting local search's moves from the greedy cover (about 18,000 a
# second on a 900 x 400 core), and at most this share of the time limit. On the cover-20k
# cores (greedy: 85-86 sites) it reached 74 on seed 2 within 6,000 moves and 72 on seed 0 in
# 10,000 (71, the optimum, after 81,000 with another random seed); on seed 1, 75 in 3,400 and
# 74 after 164,000. More moves did not pay: they delay HiGHS' proof.
COVER_SEARCH_STEPS = 100_000
COVER_SEARCH_SHARE = 0.1
# ... and at most this many moves per candidate of the core, so that a small core whose greedy
# cover is already optimal (the LP bound below it) is not searched for seconds.
COVER_SEARCH_PER_COLUMN = 50


def maximal_covering(
    problem: SitingProblem,
    k: int,
    *,
    exact: bool = True,
    time_limit_s: float = 60.0,
    gap_tolerance: float = 0.0,
) -> SitingResult:
    """Open k sites (locked included) to maximise women within the radius; HiGHS or heuristic."""
    started = time.perf_counter()
    k = k_check(k, problem)
    covers, settled, free = _covering_inputs(problem)
    reduced = coverage_reduce(covers, problem.women, settled, free)
    budget = k - len(problem.locked)
    base = float(problem.women[settled].sum())
    picked = cover_greedy_swap(reduced.covers, reduced.women, budget)
    heuristic_value = float(_covered_weight(reduced.covers, reduced.women, picked))
    notes = [_reduction_note(reduced)]
    method = "highs-mip" if exact else "greedy-swap+lp-bound"
    if reduced.columns.size <= budget:
        chosen, bound, status = np.arange(reduced.columns.size), None, "optimal"
        notes.append("every useful candidate fits within k: all are opened")
    else:
        # The Lagrangian first: it is cheap and often proves the heuristic optimal (20,000 x
        # 500, all 3 bench seeds: 0.1 s against 0.3 s through the LP; 87,000 x 500 seed 0:
        # 0.4 s against 22 s). On seeds 1 and 2 of the latter it stops within 0.06%, which
        # meets a 0.1% tolerance; at 0 the LP follows.
        large = reduced.covers.nnz > LP_MAX_NONZEROS
        lagrangian = cover_lagrangian(
            reduced.covers,
            reduced.women,
            budget,
            heuristic_value,
            time_limit_s=time_limit_s if large else min(time_limit_s, LAGRANGIAN_FIRST_S),
            stop_gap=gap_tolerance,
            base=base,
        )
        second = cover_greedy_swap(reduced.covers, reduced.women, budget, start=lagrangian.opened)
        if _covered_weight(reduced.covers, reduced.women, second) > heuristic_value:
            picked = second
            heuristic_value = _covered_weight(reduced.covers, reduced.women, second)
        chosen, bound = picked, lagrangian.bound
        reached = gap_of(base + heuristic_value, base + bound) <= gap_tolerance
        lagrangian_note = (
            f"bound from {lagrangian.iterations} subgradient steps on the Lagrangian "
            "relaxation of the covering constraints"
        )
        if large or reached:
            method = "greedy-swap+lagrangian-bound"
            status = "within_tolerance" if exact and reached else "heuristic"
            notes.append(
                f"{reduced.covers.nnz:,} coverage pairs exceed {LP_MAX_NONZEROS:,}: no LP or "
                f"MIP; {lagrangian_note}"
                if large
                else "the heuristic is within the gap tolerance of the Lagrangian bound: no LP "
                f"needed; {lagrangian_note}"
            )
        else:
            chosen, bound, status = _mclp_highs(
                reduced,
                budget,
                picked,
                bound,
                heuristic_value=heuristic_value,
                base=base,
                exact=exact,
                time_limit_s=max(0.1, time_limit_s - (time.perf_counter() - started)),
                gap_tolerance=gap_tolerance,
                notes=notes,
            )
    covered_value = float(_covered_weight(reduced.covers, reduced.women, chosen))
    if covered_value + _EPS < heuristic_value:  # a time-limited MIP may end below the heuristic
        chosen, covered_value = picked, heuristic_value
    value = base + covered_value
    bound_total = value if bound is None else max(base + float(bound), value)
    sites = tuple(problem.locked) + tuple(int(reduced.columns[j]) for j in chosen)
    order, gains = coverage_order(problem, sites)
    if len(order) < k:
        notes.append(
            f"only {len(order)} of the {k} sites asked for bring anyone new within the radius; "
            "more sites would add nobody"
        )
    return SitingResult(
        objective="coverage",
        sites=order,
        gains=gains,
        objective_value=value,
        bound=bound_total,
        gap=gap_of(value, bound_total),
        status=result_status(
            gap_of(value, bound_total),
            solver_done=exact and status in {"optimal", "within_tolerance"},
            method=method,
        ),
        method=method,
        seconds=time.perf_counter() - started,
        value_before=float(problem.women[problem.existing_covered()].sum()),
        unreachable_women=_uncoverable(problem, covers),
        notes=tuple(notes),
    )


def _mclp_highs(
    reduced: Reduced,
    budget: int,
    picked: IndexArray,
    lagrangian_bound: float,
    *,
    heuristic_value: float,
    base: float,
    exact: bool,
    time_limit_s: float,
    gap_tolerance: float,
    notes: list[str],
) -> tuple[IndexArray, float, str]:
    """The LP bound, then (exact) the MIP from the heuristic's start. Returns the chosen
    columns, the bound (never above the Lagrangian's) and the status."""
    mip = _mclp_mip(reduced, budget)
    # The LP bound first: when the heuristic already meets it, no branching is needed.
    lp = mip_solve(mip, time_limit_s=time_limit_s, gap_tolerance=0.0, relax=True)
    chosen, bound, status = picked, min(lp.bound, lagrangian_bound), "heuristic"
    if not exact:
        notes.append("greedy plus vertex substitution; bound from the LP relaxation")
        return chosen, bound, status
    if gap_of(base + heuristic_value, base + bound) <= gap_tolerance:
        notes.append("the heuristic meets the LP bound: proven without branching")
        return chosen, bound, "optimal"
    answer = mip_solve(
        mip,
        time_limit_s=time_limit_s,
        gap_tolerance=gap_tolerance,
        start=_mclp_start(reduced, picked),
    )
    if not np.isnan(answer.values).any():
        chosen = _ones(answer.values[: reduced.columns.size])
    bound = min(answer.bound, bound)
    return chosen, bound, "optimal" if answer.optimal else _limit_status(answer.status)


def set_covering(
    problem: SitingProblem, *, exact: bool = True, time_limit_s: float = 60.0
) -> SitingResult:
    """Fewest new sites (locked ones kept) so every coverable woman is within the radius."""
    started = time.perf_counter()

    def remaining() -> float:
        return max(0.1, time_limit_s - (time.perf_counter() - started))

    covers, settled, free = _covering_inputs(problem)
    reduced = coverage_reduce(covers, problem.women, settled, free)
    core, kept = cover_all_reduce(reduced.covers)
    columns = reduced.columns[kept]
    greedy = _greedy_cover_all(core)
    notes = [
        _reduction_note(reduced),
        f"set-covering core: {core.shape[0]} rows (others contain one of them) "
        f"and {core.shape[1]} candidates",
    ]
    chosen, bound, solver_done = greedy, float(greedy.size), True
    if core.shape[0]:
        m = core.shape[1]
        mip = set_cover_mip(core)
        bound = _ceil(
            mip_solve(mip, time_limit_s=time_limit_s, gap_tolerance=0.0, relax=True).bound
        )
        if bound < greedy.size:
            searched, steps = cover_all_search(
                core,
                greedy,
                max_steps=min(COVER_SEARCH_STEPS, COVER_SEARCH_PER_COLUMN * m),
                time_limit_s=COVER_SEARCH_SHARE * time_limit_s,
                target=int(bound) if math.isfinite(bound) else 0,
            )
            if searched.size < chosen.size:
                chosen = searched
            notes.append(
                f"greedy cover: {greedy.size} sites; {steps:,} moves of row-weighting local "
                f"search: {chosen.size}"
            )
        if exact and bound < chosen.size:
            start = np.zeros(m)
            start[chosen] = 1.0
            # HiGHS' presolve off: from the local search's cover its search was slower after
            # presolve (cover-20k seed 0, start 72: unproven at 60 s with it, 17 s without;
            # seed 2: 51 s against 31 s). Over HiGHS random seeds 0-2 the proof took as long on
            # average as from the greedy start with presolve (about 35 s), not less.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="highs") as solver:
                running = solver.submit(
                    mip_solve,
                    mip,
                    time_limit_s=remaining(),
                    gap_tolerance=0.0,
                    start=start,
                    presolve=False,
                )
                beside = _search_beside(core, chosen, bound, remaining(), stop=running.done)
                answer = running.result()
            if not np.isnan(answer.values).any() and _ones(answer.values).size < chosen.size:
                chosen = _ones(answer.values)
            if beside is not None and beside.size < chosen.size:
                chosen = beside
                notes.append(
                    f"the local search, going on beside HiGHS, found a cover of {chosen.size}"
                )
            bound, solver_done = max(bound, _ceil(answer.bound)), answer.optimal
            notes.append(
                "HiGHS MIP on the core (its presolve off), started from the local search's cover"
            )
        elif not exact:
            notes.append("bound from the LP relaxation, rounded up")
    value = float(len(problem.locked) + chosen.size)
    bound_total = float(len(problem.locked) + bound)
    sites = tuple(problem.locked) + tuple(int(columns[j]) for j in chosen)
    order, gains = coverage_order(problem, sites)
    gap = gap_of(value, bound_total)
    return SitingResult(
        objective="cover_all",
        sites=order,
        gains=gains,
        objective_value=value,
        bound=bound_total,
        gap=gap,
        status=result_status(gap, solver_done=exact and solver_done, method="highs-mip")
        if exact
        else result_status(gap, solver_done=False, method="greedy"),
        method="highs-mip" if exact else "greedy-local-search+lp-bound",
        seconds=time.perf_counter() - started,
        value_before=float(problem.women[problem.existing_covered()].sum()),
        unreachable_women=_uncoverable(problem, covers),
        notes=tuple(notes),
    )


def cover_greedy_swap(
    covers: csr_matrix, women: FloatArray, k: int, *, start: IndexArray | None = None
) -> IndexArray:
    """Greedy k columns (after `start`) by covered weight, then best-improvement swaps until
    none helps."""
    by_col = csc_matrix(covers, dtype=np.float64)
    chosen: list[int] = [] if start is None else [int(j) for j in start][:k]
    count = (
        np.asarray(by_col[:, chosen].sum(axis=1)).ravel() if chosen else np.zeros(covers.shape[0])
    )
    for _ in range(min(k, covers.shape[1]) - len(chosen)):
        gain = by_col.T @ (women * (count == 0))
        gain[chosen] = -1.0
        best = int(np.argmax(gain))
        if gain[best] <= _EPS:
            break
        chosen.append(best)
        count += by_col[:, best].toarray().ravel()
    for _ in range(20 * k + 50):
        swap = _best_swap(by_col, women, count, chosen)
        if swap is None:
            break
        out, into = swap
        count -= by_col[:, chosen[out]].toarray().ravel()
        count += by_col[:, into].toarray().ravel()
        chosen[out] = into
    return np.asarray(sorted(chosen), dtype=np.int64)


@dataclass(frozen=True)
class CoverLagrangian:
    """Best Lagrangian upper bound on the covered weight, the columns it opens, its steps."""

    bound: float
    opened: IndexArray
    iterations: int


def cover_lagrangian(
    covers: csr_matrix,
    women: FloatArray,
    k: int,
    lower: float,
    *,
    time_limit_s: float,
    stop_gap: float = 0.0,
    base: float = 0.0,
    iterations: int = 3000,
) -> CoverLagrangian:
    """Upper bound on the weight k columns can cover: projected subgradient descent.

    Relaxing z_g <= sum_(j covers g) y_j with multipliers 0 <= l_g <= w_g leaves
    L(l) = sum_g (w_g - l_g) + the k largest column sums of l, an upper bound for every such l
    (l = w gives the k heaviest columns' total). `lower` is the best known covered weight (the
    Polyak step's target); it stops once (base + bound) is within `stop_gap` of base + lower."""
    rows_of = csr_matrix(csc_matrix(covers, dtype=np.float64).T)  # column j -> its groups
    m = rows_of.shape[0]
    if k <= 0:  # no column may open: nothing more is covered (l = w gives exactly 0)
        return CoverLagrangian(0.0, np.zeros(0, dtype=np.int64), 0)
    if m <= k:
        return CoverLagrangian(float(women.sum()), np.arange(m, dtype=np.int64), 0)
    weight = np.asarray(women, dtype=np.float64)
    multipliers = weight.copy()
    best = CoverLagrangian(math.inf, np.zeros(0, dtype=np.int64), 0)
    step, stall = 1.0, 0
    deadline = time.perf_counter() + time_limit_s
    for iteration in range(1, iterations + 1):
        sums = rows_of @ multipliers
        opened = np.argpartition(-sums, k - 1)[:k]
        value = float((weight - multipliers).sum() + sums[opened].sum())
        if value < best.bound - 1e-12 * abs(value):
            best, stall = CoverLagrangian(value, np.sort(opened).astype(np.int64), iteration), 0
        else:
            stall += 1
            if stall >= 20:
                step, stall = step / 2.0, 0
        best = CoverLagrangian(best.bound, best.opened, iteration)
        done = gap_of(base + lower, base + best.bound) <= stop_gap
        if done or step < 1e-4 or time.perf_counter() > deadline:
            break
        hits = np.concatenate(
            [rows_of.indices[rows_of.indptr[j] : rows_of.indptr[j + 1]] for j in opened]
        )
        # dL/dl_g = (times g is covered by the opened columns) - 1; keep 0 <= l <= w.
        grad = np.bincount(hits, minlength=weight.size).astype(np.float64) - 1.0
        grad[((multipliers <= 0.0) & (grad > 0)) | ((multipliers >= weight) & (grad < 0))] = 0.0
        norm = float(grad @ grad)
        if norm == 0.0:
            break
        multipliers = np.clip(
            multipliers - step * max(value - lower, 0.0) / norm * grad, 0.0, weight
        )
    return best


def _best_swap(
    by_col: csc_matrix, women: FloatArray, count: FloatArray, chosen: list[int]
) -> tuple[int, int] | None:
    # Gain of swapping chosen[o] out for j: newly covered by j, minus lost by o, plus what j
    # keeps of o's loss (rows covered only by o that j also covers).
    if not chosen:
        return None
    gain_in = by_col.T @ (women * (count == 0))
    only = women * (count == 1)
    sub = by_col[:, chosen]
    loss_out = sub.T @ only
    kept = (sub.multiply(only[:, None])).T @ by_col
    delta = gain_in[None, :] - loss_out[:, None] + np.asarray(kept.todense())
    delta[:, chosen] = -math.inf
    out, into = np.unravel_index(int(np.argmax(delta)), delta.shape)
    tolerance = 1e-9 * max(1.0, float(women.sum()))
    if delta[out, into] <= tolerance:
        return None
    return int(out), int(into)


def _search_beside(
    core: csr_matrix, start: IndexArray, bound: float, seconds: float, *, stop: Callable[[], bool]
) -> IndexArray | None:
    """Row-weighting local search (another random seed) while HiGHS runs on another core
    (HiGHS releases the GIL), until it is done; None on a single core, where it would only
    slow HiGHS. Measured on the cover-20k core of seed 1 (HiGHS left it at 75 against a bound
    of 71 after 60 s; 74 is optimal, proven by HiGHS in 505 s): the search went on at 75,000
    moves in 5 s beside HiGHS (86,000 alone) and reached 74 after 55,000 to 164,000 moves
    depending on its seed."""
    if cores() < 2:
        return None
    found, _steps = cover_all_search(
        core,
        start,
        max_steps=2**62,
        time_limit_s=seconds,
        target=int(bound) if math.isfinite(bound) else 0,
        seed=1,
        stop=stop,
    )
    return found


def _greedy_cover_all(covers: csr_matrix) -> IndexArray:
    by_col = csc_matrix(covers, dtype=np.float64)
    uncovered = np.ones(covers.shape[0])
    chosen: list[int] = []
    while uncovered.any():
        gain = by_col.T @ uncovered
        best = int(np.argmax(gain))
        chosen.append(best)
        uncovered[by_col[:, best].toarray().ravel() > 0] = 0.0
    # Drop sites made redundant by later ones.
    counts = np.asarray(by_col[:, chosen].sum(axis=1)).ravel()
    for j in list(chosen):
        column = by_col[:, j].toarray().ravel() > 0
        if (counts[column] >= 2).all():
            chosen.remove(j)
            counts[column] -= 1
    return np.asarray(sorted(chosen), dtype=np.int64)


def _covering_inputs(problem: SitingProblem) -> tuple[csr_matrix, BoolArray, IndexArray]:
    if problem.covers is None or problem.radius_km is None:
        raise SitingError("radius: covering objectives need a radius in km")
    covers = csr_matrix(problem.covers, dtype=np.bool_)
    settled = problem.existing_covered().copy()
    if problem.locked:
        locked_hits = np.asarray(covers[:, list(problem.locked)].sum(axis=1)).ravel() > 0
        settled |= locked_hits
    free = np.setdiff1d(np.arange(problem.n_candidates), problem.locked).astype(np.int64)
    return covers, settled, free


def _mclp_mip(reduced: Reduced, budget: int) -> Mip:
    # Columns: y (candidates, binary) then z (groups, in [0, 1]); rows: z_g - sum y <= 0, then
    # sum y <= budget. z needs no integrality: at an optimum it equals min(1, sum y) anyway.
    m, g = reduced.columns.size, reduced.women.size
    link = hstack([-csc_matrix(reduced.covers, dtype=np.float64), identity(g, format="csc")])
    budget_row = csc_matrix(np.concatenate([np.ones(m), np.zeros(g)])[None, :])
    return Mip(
        cost=np.concatenate([np.zeros(m), reduced.women]),
        matrix=csc_matrix(vstack([link, budget_row])),
        row_lower=np.full(g + 1, -math.inf),
        row_upper=np.concatenate([np.zeros(g), [float(budget)]]),
        lower=np.zeros(m + g),
        upper=np.ones(m + g),
        integer=np.concatenate([np.ones(m, dtype=np.bool_), np.zeros(g, dtype=np.bool_)]),
        maximise=True,
    )


def _mclp_start(reduced: Reduced, picked: IndexArray) -> FloatArray:
    y = np.zeros(reduced.columns.size)
    y[picked] = 1.0
    z = np.minimum(1.0, csc_matrix(reduced.covers, dtype=np.float64) @ y)
    return np.concatenate([y, z])


def _covered_weight(covers: csr_matrix, women: FloatArray, chosen: IndexArray) -> float:
    if chosen.size == 0:
        return 0.0
    hit = np.asarray(covers[:, chosen].sum(axis=1)).ravel() > 0
    return float(women[hit].sum())


def _ceil(bound: float) -> float:
    """A lower bound on a count, rounded up (slack for round-off); -inf stays -inf."""
    return float(math.ceil(bound - 1e-6)) if math.isfinite(bound) else -math.inf


def _ones(values: FloatArray) -> IndexArray:
    return np.flatnonzero(values > 0.5).astype(np.int64)


def _limit_status(status: str) -> str:
    return "time_limit" if "time" in status.lower() else status.lower().replace(" ", "_")


def _uncoverable(problem: SitingProblem, covers: csr_matrix) -> float:
    reachable = (np.diff(covers.indptr) > 0) | problem.existing_covered()
    return float(problem.women[~reachable].sum())


def _reduction_note(reduced: Reduced) -> str:
    return (
        f"reduced to {reduced.women.size} demand groups (from {reduced.rows_before} points) "
        f"and {reduced.columns.size} candidates (from {reduced.columns_before})"
    )
