"""`gbvwatch stats`: the coalition's figures across the organisations that share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gbvwatch.stats.report import ParameterError, parameters_from, stats_report


class Command(BaseCommand):
    help = (
        "Counts of coded fields across the organisations that share with the coalition, "
        "small cells hidden, with the impunity rate of complaints."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--year", help="only this calendar year (default: every year)")
        parser.add_argument("-o", "--output", type=Path, help="write the figures to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            params = parameters_from(options)
        except ParameterError as exc:
            raise CommandError(str(exc)) from exc
        report = stats_report(params)
        text = (
            json.dumps(report, indent=2, ensure_ascii=False)
            if options["format"] == "json"
            else summary_text(report)
        )
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)


def _figure(value: Any) -> str:
    return "x (hidden)" if value is None else str(value)


def summary_text(report: dict[str, Any]) -> str:
    """A readable summary for the terminal: headline figures, then every table."""
    rate = report["impunity_rate_percent"]
    inputs = report["inputs"]
    lines = [
        f"Year: {report['year'] or 'all'}",
        f"Organisations sharing: {inputs['organisations_sharing']}; "
        f"contributing: {inputs['organisations_contributing']}",
        f"Incidents: {_figure(report['incidents_total'])}",
        f"Digital attacks: {_figure(report['attacks_total'])}",
        f"Complaints: {_figure(report['complaints_total'])}",
        f"Impunity rate (complaints without outcome): {_figure(rate)}"
        + ("%" if rate is not None else ""),
        "Left out for lack of consent: "
        + ", ".join(f"{k} {v}" for k, v in inputs["left_out_without_consent"].items()),
    ]
    for table in report["tables"]:
        lines.append("")
        lines.append(f"{table['title']} (k={table['k']})")
        header = [""] + [c["label"] for c in table["columns"]] + ["Total"]
        grid = [header]
        for row in table["rows"]:
            grid.append(
                [row["label"]] + [c["label"] for c in row["cells"]] + [row["total"]["label"]]
            )
        totals = table["totals"]
        grid.append(["Total"] + [c["label"] for c in totals["cells"]] + [totals["total"]["label"]])
        widths = [max(len(r[i]) for r in grid) for i in range(len(header))]
        for r in grid:
            lines.append("  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)))
    lines.append("")
    lines.append("Assumptions:")
    lines.extend(f"- {a}" for a in report["assumptions"])
    return "\n".join(lines)
