"""Reports on the AZ dataset (plus whatever cases earlier benchmarks left): gathering and
freezing the inputs, then rendering the shadow report (every chart) in each format, with the
charts drawn afresh and from the in-process cache.

Baseline measured in the same run: the gap analysis alone (`gaps_report`), the largest input
every report reads. Run by `make bench`."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import median_ms, section_write

REPEAT = 3
SECTION = "## Reports: "
NEXT_SECTION = "## Nearest accepting service"  # what follows in `make bench`'s order


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    return median_ms(fn, repeat)


def _cold(fn: Callable[[], object]) -> Callable[[], object]:
    """`fn` with the chart cache emptied first: every chart drawn again."""
    from gbvwatch.reports import render

    def run() -> object:
        render._CHART_CACHE.clear()
        return fn()

    return run


def run() -> list[str]:
    """Markdown rows for RESULTS.md (Django set up, AZ dataset loaded, a coordinator exists)."""
    from gbvwatch.core.models import Membership, Role
    from gbvwatch.gaps.report import GapParameters, gaps_report
    from gbvwatch.reports.actions import report_create, report_snapshot_create
    from gbvwatch.reports.render import report_render

    user = Membership.objects.filter(role=Role.COORDINATOR).first().user  # type: ignore[union-attr]
    report = report_create(user=user, kind="shadow", language="az", title="Bench", year=2025)
    base = _median_ms(lambda: gaps_report(GapParameters(year=2025)))
    snapshot_ms = _median_ms(lambda: report_snapshot_create(user=user, report=report))
    snapshot = report.snapshots.first()
    assert snapshot is not None
    measured = [
        ("`gaps_report` for 2025 (baseline)", base),
        ("gather, hash and freeze the inputs (snapshot)", snapshot_ms),
    ]
    for fmt in ("html", "md", "pdf", "docx"):
        render = lambda fmt=fmt: report_render(snapshot, fmt=fmt)  # noqa: E731
        measured.append((f"shadow report as {fmt}, charts drawn", _median_ms(_cold(render))))
        measured.append((f"shadow report as {fmt}, charts cached", _median_ms(render)))
    size_kb = len(str(snapshot.inputs)) / 1024
    return [
        "## Reports: the shadow report on the AZ dataset (7 charts and maps), in Azerbaijani",
        "",
        f"Median of {REPEAT} runs after a warm-up; frozen inputs about {size_kb:,.0f} KB.",
        "",
        "| what | median ms | ratio to the baseline |",
        "| --- | ---: | ---: |",
        *[f"| {label} | {ms:,.0f} | {ms / base:.2f} |" for label, ms in measured],
        "",
    ]


def results_write(rows: list[str], results: Path, note: str) -> None:
    """Put the rows, with a line saying when and where they ran, in place of this section of
    RESULTS.md (or before the section that follows it in `make bench`), leaving the rest."""
    section_write(results, rows, note, heading=SECTION, next_heading=NEXT_SECTION)


if __name__ == "__main__":  # `make bench-reports`: only these rows, into RESULTS.md
    from bench.__main__ import _member_client, _setup_django

    _setup_django()
    from django.core.management import call_command

    call_command("load_dataset", "az", verbosity=0)
    _member_client()
    began = time.gmtime()
    load = os.getloadavg()
    lines = run()
    note = (
        f"Report rows run {time.strftime('%Y-%m-%d %H:%M', began)} UTC on "
        f"{platform.node() or 'unknown'} ({platform.machine()}, {os.cpu_count()} cores) by "
        f"`make bench-reports` (these rows only, without the cases of the other benchmarks); "
        f"load average {', '.join(f'{x:.1f}' for x in load)} before."
    )
    results_write(lines, Path(__file__).resolve().parent / "RESULTS.md", note)
    sys.stdout.write("\n".join(lines) + "\n")
