"""`gbvwatch report`: a statement, shadow report or factsheet from the live data, in a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from gbvwatch.analysis.charts import Chart
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.reports.actions import report_parameters_check
from gbvwatch.reports.document import document_build
from gbvwatch.reports.inputs import canonical_json, data_hash, inputs_gather
from gbvwatch.reports.kinds import KINDS
from gbvwatch.reports.models import ReportKind
from gbvwatch.reports.render import FORMATS, charts_for, document_render, file_name


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so no partial file is left."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Build a report from the live data and write it to a file. The command renders directly: "
        "it saves no report record (reports saved on the web belong to an organisation); the "
        "SHA-256 hash of the inputs is printed, and --save-inputs keeps the inputs whose hash it "
        "is. The default narrative text is used. With --format md and -o naming a folder, the "
        "charts are written beside the Markdown file as PNG and linked; without a folder they are "
        "left out with their alt text. Progress goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", dest="kind", required=True, choices=list(KINDS))
        parser.add_argument("--lang", required=True, choices=["en", "az", "ru"])
        parser.add_argument("--format", dest="fmt", required=True, choices=list(FORMATS))
        parser.add_argument(
            "-o", "--output", required=True, type=Path, help="the file, or a folder to write into"
        )
        parser.add_argument(
            "--year", type=int, help="year of the gap analysis (default: last year)"
        )
        parser.add_argument("--title", default="", help="title (default: the type and year)")
        parser.add_argument(
            "--save-inputs", type=Path, help="also write the frozen inputs (canonical JSON)"
        )

    def _target(self, output: Path, name: str) -> tuple[Path, Path | None]:
        """The file to write and, when -o is a folder, the folder for chart files."""
        return (output / name, output) if output.is_dir() else (output, None)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year - 1
        try:
            kind, language, year = report_parameters_check(
                kind=options["kind"], language=options["lang"], year=year
            )
        except ActionError as exc:
            raise CommandError(str(exc)) from exc
        fmt, output = options["fmt"], options["output"]
        with translation.override(language):
            title = options["title"].strip() or f"{ReportKind(kind).label} {year}"
        if "\x00" in title or len(title) > 200:
            raise CommandError("--title: at most 200 characters, without NUL")
        if not output.is_dir() and not output.parent.is_dir():
            raise CommandError(f"-o: the folder {output.parent} does not exist")
        inputs, digest = self._gather(year)
        doc = document_build(
            kind=kind, language=language, title=title, year=year, narrative={},
            inputs=inputs, data_hash=digest, created_at=timezone.now(),
        )  # fmt: skip
        charts = charts_for(inputs, doc.chart_keys(), language=language)
        path, folder = self._target(output, file_name(title, digest, language, fmt))
        files = self._chart_files(charts, folder, path.stem) if fmt == "md" and folder else None
        _write(path, document_render(doc, charts, fmt, chart_files=files))
        if options["save_inputs"]:
            _write(options["save_inputs"], canonical_json(inputs))
        with transaction.atomic():
            details = {"kind": kind, "format": fmt, "language": language, "data_hash": digest}
            audit_append(actor="cli", action="report.render", details=details)
        self.stdout.write(f"{path}\ndata hash (SHA-256): {digest}")

    def _gather(self, year: int) -> tuple[dict[str, Any], str]:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("inputs", total=1.0)

            def step(label: str, fraction: float) -> None:
                bar.update(task, completed=fraction, description=label)

            inputs = inputs_gather(year=year, progress=step)
            step("done", 1.0)
        return inputs, data_hash(inputs)

    def _chart_files(self, charts: Mapping[str, Chart], folder: Path, stem: str) -> dict[str, str]:
        """Write each chart as PNG beside the Markdown file; chart key -> relative name."""
        names = {}
        for key, chart in charts.items():
            name = f"{stem}-{key}.png"
            _write(folder / name, chart.png)
            names[key] = name
        return names
