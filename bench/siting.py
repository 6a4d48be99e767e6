"""The siting planner against PySAL spopt (what users would pick today), in the same run.

Seeded synthetic instances: demand points and candidate sites uniform over a square of the
area of Azerbaijan (86,600 km2), women per point uniform 1..999, Euclidean km. Each solver
runs in its own process so that peak memory (max RSS, the CBC child included) is its own.
Times cover model building and solving from the same cost matrix (above 20 million pairs, ours
gets the coordinates and finds the within-radius pairs inside the timing; no baseline runs
there); ratios are ours / spopt's.
`SITING_BENCH_FULL=1` (`make bench-full`) adds the slow baselines and all seeds everywhere;
`SITING_BENCH_CASES=mclp-87k,pmedian-1k` runs only the cases named (with or without FULL).
`python -m bench.siting` prints the rows; `--dataset` rewrites only the Azerbaijan rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

AREA_KM2 = 86_600.0
SEEDS = (0, 1, 2)
CHILD_TIMEOUT_S = 900


@dataclass(frozen=True)
class Case:
    """One benchmark instance family."""

    name: str
    objective: str  # coverage | median | center | cover_all
    n: int
    m: int
    k: int | None
    radius_km: float | None
    spopt: str  # "default" (every seed), "one" (seed 0; every seed when full), "full", "none"
    target: str
    tolerance: float = 0.0  # relative gap at which the solver may stop (the target's own)
    every_seed: bool = False  # the target speaks of every seed: run them all without spopt too
    time_limit_s: float = 60.0  # ours; the target's own where it names one


CASES = (
    Case("mclp-20k", "coverage", 20_000, 500, 10, 25.0, "default",
         "gap <= 0.1% in <= 1/20 of spopt's time (stretch 1/100), memory <= 1/2"),
    Case("mclp-87k", "coverage", 87_000, 500, 20, 25.0, "one",
         "gap <= 0.1% in <= 1/40 of spopt's time", 0.001, True),
    Case("pmedian-1k", "median", 1_000, 100, 10, None, "default",
         "spopt's optimum in <= 1/1000 of its time, proven in <= 1/20"),
    Case("pmedian-2k", "median", 2_000, 200, 10, None, "one",
         "optimal with a proof in <= 1/100 of spopt's time"),
    Case("pmedian-20k", "median", 20_000, 500, 10, None, "none",
         "gap <= 0.1% on every seed within 30 s (no baseline fits in memory)", 0.001, True, 30.0),
    Case("cover-20k", "cover_all", 20_000, 500, None, 25.0, "one",
         "spopt's optimum in <= 1/10 of its time"),
    Case("pcenter-1k", "center", 1_000, 100, 10, None, "one",
         "the exact optimum in <= 1/100 of spopt's time"),
    Case("mclp-87k-2000", "coverage", 87_000, 2_000, 20, 25.0, "none",
         "certified gap under 1% in under 60 s"),
)  # fmt: skip


def instance(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Demand points, candidate sites (km coordinates) and women per point for a seed."""
    rng = np.random.default_rng(seed)
    side = AREA_KM2**0.5
    points = rng.uniform(0.0, side, (n, 2))
    sites = rng.uniform(0.0, side, (m, 2))
    return points, sites, rng.integers(1, 1_000, n).astype(np.float64)


def _costs(points: np.ndarray, sites: np.ndarray) -> np.ndarray:
    from scipy.spatial.distance import cdist

    return np.asarray(cdist(points, sites), dtype=np.float64)  # no (n, m, 2) temporary


def _covers(points: np.ndarray, sites: np.ndarray, radius_km: float) -> Any:
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

    pairs = cKDTree(sites).query_ball_point(points, radius_km)
    rows = np.repeat(np.arange(len(points)), [len(p) for p in pairs])
    cols = np.fromiter((j for p in pairs for j in p), dtype=np.int64, count=rows.size)
    shape = (len(points), len(sites))
    return csr_matrix((np.ones(rows.size, dtype=np.bool_), (rows, cols)), shape=shape)


def _ours(case: Case, seed: int) -> dict[str, Any]:
    from gbvwatch.analysis.siting import problem_from_costs, problem_from_covers, siting_solve

    imports_mb = _status_mb("VmRSS")
    points, sites, women = instance(case.n, case.m, seed)
    dense = case.n * case.m <= 20_000_000
    costs = _costs(points, sites) if dense else None
    first = _median_first(costs, women, case, seed) if case.objective == "median" else None
    start = time.perf_counter()
    if costs is not None:
        problem = problem_from_costs(costs, women, radius_km=case.radius_km)
    else:  # the sparse within-radius pairs, found from the coordinates inside the timing
        assert case.radius_km is not None
        problem = problem_from_covers(
            _covers(points, sites, case.radius_km), women, radius_km=case.radius_km
        )
    result = siting_solve(
        problem,
        case.objective,
        case.k,
        time_limit_s=case.time_limit_s,
        gap_tolerance=case.tolerance,
    )
    return {
        "seed": seed,
        "seconds": time.perf_counter() - start,
        "value": result.objective_value,
        "bound": result.bound,
        "gap": result.gap,
        "status": result.status,
        "imports_mb": imports_mb,
        **(first or {}),
    }


def _median_first(
    costs: np.ndarray | None, women: np.ndarray, case: Case, seed: int
) -> dict[str, Any]:
    """When the p-median heuristic held each better answer: the same first steps as p_median
    (check, reduce, greedy plus vertex substitution, the Lagrangian heuristic), run on their
    own before the full solve, with the time of every improvement since the start."""
    from gbvwatch.analysis.siting import problem_from_costs
    from gbvwatch.analysis.siting.median import median_data, median_heuristic

    assert costs is not None and case.k is not None
    # A warm-up on another instance of the same size (seed + 1000), as the other benchmarks
    # warm up: in a fresh process the first arrays of this size are fresh pages from the
    # kernel (glibc raises its mmap threshold only after the first free), about 8 ms at
    # 1,000 x 100 that no later call pays.
    other_points, other_sites, other_women = instance(case.n, case.m, 1000 + seed)
    other = problem_from_costs(_costs(other_points, other_sites), other_women)
    median_heuristic(median_data(other), case.k, time_limit_s=case.time_limit_s)
    start = time.perf_counter()
    data = median_data(problem_from_costs(costs, women))
    reduced = time.perf_counter() - start
    search = median_heuristic(data, case.k, time_limit_s=case.time_limit_s)
    return {
        "first_trace": [[reduced + at, data.constant + value] for at, value in search.improvements]
    }


def _first_at(ours: dict[str, Any], theirs: dict[str, Any]) -> float | None:
    """Seconds until the heuristic first held spopt's proven optimum (None: it never did)."""
    for seconds, value in ours["first_trace"]:
        if _same({"value": value}, theirs):
            return float(seconds)
    return None


def _spopt(case: Case, seed: int) -> dict[str, Any]:
    import pulp
    from spopt.locate import LSCP, MCLP, PCenter, PMedian

    imports_mb = _status_mb("VmRSS")
    points, sites, women = instance(case.n, case.m, seed)
    costs = _costs(points, sites)
    if case.objective == "cover_all":  # spopt needs every point coverable
        assert case.radius_km is not None
        costs = costs[(costs <= case.radius_km).any(axis=1)]
    start = time.perf_counter()
    if case.objective == "coverage":
        model: Any = MCLP.from_cost_matrix(costs, women, case.radius_km, case.k)
    elif case.objective == "median":
        model = PMedian.from_cost_matrix(costs, women, case.k)
    elif case.objective == "center":
        model = PCenter.from_cost_matrix(costs, case.k)
    else:
        model = LSCP.from_cost_matrix(costs, case.radius_km)
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=600))
    value = float(model.problem.objective.value())
    # pulp says "Optimal" also when CBC stops at its time limit with a solution in hand; its
    # solution status tells a proven optimum from a feasible one.
    proven = model.problem.sol_status == pulp.LpSolutionOptimal
    status = "Optimal" if proven else pulp.LpSolution.get(model.problem.sol_status, "unknown")
    seconds = time.perf_counter() - start
    return {
        "seed": seed,
        "seconds": seconds,
        "value": value,
        "status": status,
        "imports_mb": imports_mb,
    }


def _status_mb(field: str) -> float:
    """A memory line of /proc/self/status (VmHWM: own peak, VmRSS: now) in MB; Linux only."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    line = next(x for x in status.splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024.0


def _own_peak_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB.

    Not `ru_maxrss`: Linux carries the forking parent's peak across exec into it, so a child of
    the bench process (Django and the other benchmarks loaded, ~400 MB) reported that instead.
    """
    try:
        return _status_mb("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _child(name: str, seed: int, who: str) -> None:
    """Run one measurement and print it as JSON with the peak memory of this process tree.

    Ours solves in this process (HiGHS is a library). spopt runs CBC as a child process whose
    `ru_maxrss` includes this process's memory at the fork, so max(own, child) is a lower bound
    on spopt's tree (the two run at once): the comparison errs in spopt's favour.
    """
    case = next(c for c in CASES if c.name == name)
    result = _ours(case, seed) if who == "ours" else _spopt(case, seed)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    result["peak_mb"] = max(_own_peak_mb(), children)
    sys.stdout.write(json.dumps(result) + "\n")


_TIMED_OUT: set[tuple[str, int, str]] = set()  # (case, seed, who) that ran out of time


def _measure(case: Case, seed: int, who: str) -> dict[str, Any] | None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    args = [sys.executable, "-m", "bench.siting", "--one", case.name, str(seed), who]
    # In a session of its own, so that a timeout ends the whole tree: spopt's CBC is a child
    # of the child, and once left running it took a core from every measurement after it.
    child = subprocess.Popen(  # noqa: S603 - our own module
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, err = child.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        sys.stderr.write(f"{case.name} seed {seed} {who}: timed out after {CHILD_TIMEOUT_S} s\n")
        _TIMED_OUT.add((case.name, seed, who))
        return None
    finally:
        with contextlib.suppress(ProcessLookupError):  # its own children, if any are left
            os.killpg(child.pid, signal.SIGKILL)
    if child.returncode != 0:
        sys.stderr.write(f"{case.name} seed {seed} {who}: exit {child.returncode}\n{err}")
        return None
    line = out.strip().splitlines()[-1]
    measured: dict[str, Any] = json.loads(line)
    return measured


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


# The default run (`make bench`, about 15 minutes): baselines only where they are quick, or on
# one seed.
DEFAULT_CASES = (
    "mclp-20k", "pmedian-1k", "cover-20k", "pcenter-1k", "pmedian-20k", "mclp-87k-2000",
)  # fmt: skip


def _same(ours: dict[str, Any], theirs: dict[str, Any], key: str = "value") -> bool:
    return bool(abs(ours[key] - theirs["value"]) <= 1e-6 * max(1.0, abs(theirs["value"])))


def _ratio(theirs_s: float | None, ours_s: float | None) -> str:
    return f"1/{theirs_s / ours_s:,.0f}" if theirs_s and ours_s else "—"


def _case_row(case: Case, full: bool) -> str:
    spopt_seeds = {"default": SEEDS, "one": SEEDS if full else SEEDS[:1], "full": SEEDS}
    their_seeds = spopt_seeds.get(case.spopt, ()) if case.spopt != "full" or full else ()
    seeds = SEEDS if full or their_seeds or case.every_seed else SEEDS[:1]
    ours = [r for s in seeds if (r := _measure(case, s, "ours")) is not None]
    theirs = [r for s in their_seeds if (r := _measure(case, s, "spopt")) is not None]
    if not ours:
        return f"| {case.name} | failed | | | | | | | {case.target} |"
    paired = [(a, b) for a in ours for b in theirs if a["seed"] == b["seed"]]
    ours_s = statistics.median(r["seconds"] for r in ours)
    ours_text = f"{ours_s:.2f}"
    if case.every_seed and len(ours) > 1:  # the target holds for each seed: show the worst
        ours_text += f" (slowest {max(r['seconds'] for r in ours):.2f})"
    ours_mb = statistics.median(r["peak_mb"] for r in ours)
    gap = max(r["gap"] for r in ours)
    statuses = ",".join(sorted({r["status"] for r in ours}))
    spopt_s = statistics.median(b["seconds"] for _, b in paired) if paired else None
    paired_s = statistics.median(a["seconds"] for a, _ in paired) if paired else None
    spopt_text, ratio_text = _fmt(spopt_s, ".1f"), _ratio(spopt_s, paired_s)
    late = [s for s in their_seeds if (case.name, s, "spopt") in _TIMED_OUT]
    if late and not paired:  # spopt never finished: its time is only known to exceed the limit
        ours_late = [a["seconds"] for a in ours if a["seed"] in late]
        spopt_text = f"> {CHILD_TIMEOUT_S} (seeds {', '.join(map(str, late))} timed out)"
        if ours_late:
            ratio_text = f"< {_ratio(float(CHILD_TIMEOUT_S), statistics.median(ours_late))}"
    spopt_mb = statistics.median(b["peak_mb"] for _, b in paired) if paired else None
    agree = "—" if not paired else ("yes" if all(_same(a, b) for a, b in paired) else "NO")
    unproven = sorted({b["status"] for _, b in paired} - {"Optimal"})
    if unproven:  # e.g. CBC stopped at its 600 s limit: its value is then no proven optimum
        agree += f" (spopt: {', '.join(unproven)})"
    first = "—"
    if paired and all("first_trace" in a for a, _ in paired):
        reached = [_first_at(a, b) for a, b in paired]
        if all(at is not None for at in reached):
            first_s = statistics.median(at for at in reached if at is not None)
            first = f"{first_s:.3f} ({_ratio(spopt_s, first_s)})"
        else:
            first = f"on {sum(at is not None for at in reached)} of {len(paired)} seeds"
    imports = statistics.median(r["imports_mb"] for r in ours)
    memory = f"{ours_mb:,.0f} ({imports:,.0f}) / {_fmt(spopt_mb, ',.0f')}"
    return (
        f"| {case.name} ({case.n:,} x {case.m:,}, K={case.k}, seeds {len(ours)}, spopt seeds "
        f"{len(paired)}) | {ours_text} | {spopt_text} | "
        f"{ratio_text} | {first} | {memory} | {gap:.2%} ({statuses}) | "
        f"{agree} | {case.target} |"
    )


def run() -> list[str]:
    """Markdown rows: our median time, spopt's, the ratio, peak MB, worst gap, same optimum."""
    full = os.environ.get("SITING_BENCH_FULL") == "1"
    chosen = [name for name in os.environ.get("SITING_BENCH_CASES", "").split(",") if name]
    names = chosen or ([case.name for case in CASES] if full else DEFAULT_CASES)
    rows = [_case_row(case, full) for case in CASES if case.name in names]
    return [
        "## Siting planner against PySAL spopt (CBC), medians over seeds",
        "",
        "Synthetic uniform instances (see bench/siting.py); each solver in its own process. "
        "Times and ratios over the seeds both ran (spopt seeds); ours s is the median over all "
        "our seeds (and the slowest, where the target speaks of every seed). BLAS is held to "
        "one thread in both; ours sums the p-median's reduced costs on one thread per core "
        "from 300,000 pairs on (20,000 x 500 here) and goes on with set covering's local "
        "search beside HiGHS (one thread each); CBC runs on one. Peak MB is the solving "
        "process's own peak resident memory (VmHWM; for spopt "
        "the larger of its process and CBC's, a lower bound on the pair); in brackets the "
        "memory after importing the solver (interpreter, numpy, scipy, highspy). The input "
        "cost matrix (80 MB at 20,000 x 500) counts for both. The heuristic column runs the "
        "p-median heuristic on its own (greedy, vertex substitution, the Lagrangian heuristic) "
        "and gives when it first held spopt's proven optimum. "
        + "Where spopt is slow a default run gives it seed 0 only (spopt seeds in each row); "
        "SITING_BENCH_FULL=1 gives it every seed and adds the slowest baselines.",
        "",
        "| case | ours s | spopt s | time ratio | heuristic first at spopt's optimum, s (ratio) "
        "| peak MB ours (imports) / spopt | worst gap (status) | same optimum | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        *rows,
        "",
    ]


def dataset_rows() -> list[str]:
    """Every objective on the loaded Azerbaijan dataset (needs Django set up): s and status."""
    import io

    from django.core.management import call_command

    lines = [
        "## Siting on the Azerbaijan dataset (target: every objective proven optimal in < 2 s)",
        "",
        "| objective | demand | solver s | status | gap |",
        "| --- | --- | ---: | --- | ---: |",
    ]
    for objective in ("coverage", "median", "center", "cover-all", "capacity"):
        for demand in ("units", "settlements"):
            out = io.StringIO()
            call_command(
                "site", "--format", "json", "--objective", objective, "--demand", demand,
                "--add", "5", "--radius-km", "100", stdout=out,
            )  # fmt: skip
            report = json.loads(out.getvalue())
            lines.append(
                f"| {objective} | {demand} | {report['seconds']:.3f} | {report['status']} | "
                f"{report['gap']:.4f} |"
            )
    return [*lines, ""]


SECTION = "## Siting planner against PySAL spopt"


def results_write(rows: list[str], results: Path, *, note: str) -> None:
    """Put the comparison rows, after a line saying when and where they ran, in place of the
    siting comparison section of RESULTS.md (everything from its heading to the next
    top-level section), leaving the rest of the file as it was. Rows of cases this run did
    not measure (SITING_BENCH_CASES) are kept, with the notes of the runs they came from."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    head, found, tail = text.partition(SECTION)
    end = tail.find("\n## ")
    old = tail[:end] if found and end >= 0 else tail if found else ""
    rest = tail[end + 1 :] if found and end >= 0 else ""
    fresh = {name: row for name, row in _case_rows(rows)}
    earlier = {name: row for name, row in _case_rows(old.splitlines()) if name not in fresh}
    table = [
        fresh.get(case.name) or earlier[case.name]
        for case in CASES
        if case.name in fresh or case.name in earlier
    ]
    notes = [note]
    if earlier:
        notes += [
            kept
            for line in old.splitlines()
            if line.startswith(_NOTE_STARTS) and (kept := _still_shown(line, set(earlier)))
        ]
    first_row = next(i for i, line in enumerate(rows) if _case_rows([line]))
    block = [rows[0], "", *notes, *rows[1:first_row], *table, ""]
    body = "\n".join(block) + ("\n" + rest if rest else "")
    results.write_text(head.rstrip("\n") + "\n\n" + body, encoding="utf-8")


_NOTE_STARTS = ("Siting rows run", "Rows ")


def _still_shown(note: str, shown: set[str]) -> str | None:
    """An earlier run's note naming only its rows still in the table (None if none are)."""
    if not note.startswith("Rows ") or " run " not in note:
        return note  # an older form that names no rows
    names, rest = note[len("Rows ") :].split(" run ", 1)
    left = [name for name in names.split(", ") if name in shown]
    return f"Rows {', '.join(left)} run {rest}" if left else None


def _case_rows(lines: list[str]) -> list[tuple[str, str]]:
    """(case name, line) of each table row among `lines`."""
    return [
        (case.name, line) for line in lines for case in CASES if line.startswith(f"| {case.name} (")
    ]


def _run_note(
    started: float, load_before: tuple[float, float, float], names: list[str], *, full: bool
) -> str:
    load_after = os.getloadavg()
    return (
        f"Rows {', '.join(names)} run {time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))} "
        f"UTC on {platform.node() or 'unknown'} ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}) by `make bench-siting`"
        f"{' with SITING_BENCH_FULL=1 (spopt on every seed)' if full else ''}: "
        f"{(time.time() - started) / 60:.0f} min, load average (1, 5, 15 min) "
        f"{', '.join(f'{x:.1f}' for x in load_before)} before and "
        f"{', '.join(f'{x:.1f}' for x in load_after)} after. The machine was shared with "
        "other work, so only the same-run ratios against spopt carry over."
    )


DATASET_SECTION = "## Siting on the Azerbaijan dataset"
DATASET_NEXT = "## Siting planner against PySAL spopt"


def _dataset_write() -> None:
    """`python -m bench.siting --dataset`: only the Azerbaijan rows, into RESULTS.md."""
    from bench import section_write
    from bench.__main__ import _setup_django

    _setup_django()
    from django.core.management import call_command

    call_command("load_dataset", "az", verbosity=0)
    began, load = time.gmtime(), os.getloadavg()
    lines = dataset_rows()
    note = (
        f"Rows run {time.strftime('%Y-%m-%d %H:%M', began)} UTC on "
        f"{platform.node() or 'unknown'} ({platform.machine()}, {os.cpu_count()} cores) by "
        f"`python -m bench.siting --dataset` (these rows only); load average "
        f"{', '.join(f'{x:.1f}' for x in load)} before."
    )
    results = Path(__file__).resolve().parent / "RESULTS.md"
    section_write(results, lines, note, heading=DATASET_SECTION, next_heading=DATASET_NEXT)
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--dataset"]:
        _dataset_write()
    elif len(sys.argv) == 5 and sys.argv[1] == "--one":
        _child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1:] == ["--write"]:
        began, load = time.time(), os.getloadavg()
        lines = run()
        ran = [name for name, _row in _case_rows(lines)]
        results_write(
            lines,
            Path(__file__).resolve().parent / "RESULTS.md",
            note=_run_note(began, load, ran, full=os.environ.get("SITING_BENCH_FULL") == "1"),
        )
        sys.stdout.write("\n".join(lines) + "\n")
    else:
        sys.stdout.write("\n".join(run()) + "\n")
