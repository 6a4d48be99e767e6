"""`gbvwatch upr import|summary|classify|taxonomy`: UPR recommendations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gbvwatch.analysis.upr_classify import TaxonomyError, examples_check
from gbvwatch.geography.importers import ImportRejected, cli_actor, read_upload
from gbvwatch.upr.actions import recommendations_reclassify
from gbvwatch.upr.importers import SOURCES, recommendations_import
from gbvwatch.upr.queries import RecommendationFilters, upr_summary
from gbvwatch.upr.taxonomy import taxonomy_load, taxonomy_path


class Command(BaseCommand):
    help = (
        "import FILE: UPR recommendations from a UHRI export (xlsx/csv), a UPR Info style CSV, "
        "gbvwatch's CSV or a report's recommendations as pdftotext gives them; all or nothing, "
        "the format is detected unless --source names it; --source responses takes a CSV of "
        "document,rec_id,response,response_source (the State's positions, added later). "
        "summary: counts by group, response, status and state (--format json). "
        "classify: classify every recommendation again (manual overrides are kept). "
        "taxonomy: check the taxonomy file and its examples."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["import", "summary", "classify", "taxonomy"])
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--source", choices=SOURCES)
        parser.add_argument("--cycle", type=int)
        parser.add_argument("--document", default="", help="document symbol, e.g. A/HRC/24/13")
        parser.add_argument("--country", help="ISO 3166-1 alpha-2 code (default: the instance's)")
        parser.add_argument("--group", default="", help="summary: only this group ('none': none)")
        parser.add_argument("--actor", help="username recorded in the audit log")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        try:
            if verb == "import":
                self._import(options)
            elif verb == "summary":
                self._summary(options)
            elif verb == "classify":
                actor, _org = cli_actor(options["actor"])
                counts = recommendations_reclassify(actor=actor)
                self._out(
                    options,
                    counts,
                    f"{counts['changed']} recommendations reclassified, "
                    f"{counts['overrides_kept']} manual classifications kept",
                )
            else:
                self._taxonomy(options)
        except (ImportRejected, TaxonomyError, ValueError) as exc:
            raise CommandError(f"nothing was written:\n{exc}") from exc

    def _out(self, options: dict[str, Any], data: dict[str, Any], text: str) -> None:
        self.stdout.write(json.dumps(data, indent=2) if options["format"] == "json" else text)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path | None = options["file"]
        if path is None or not path.is_file():
            raise CommandError("import needs an existing FILE")
        actor, _org = cli_actor(options["actor"])
        source, result = recommendations_import(
            read_upload(path),
            name=path.name,
            actor=actor,
            source=options["source"],
            country=options["country"],
            cycle=options["cycle"],
            document=options["document"],
        )
        data = {"source": source, **result.as_dict()}
        self._out(
            options,
            data,
            f"{source}: {result.rows} recommendations "
            f"({result.created} new, {result.updated} updated, {result.unchanged} unchanged)",
        )

    def _summary(self, options: dict[str, Any]) -> None:
        filters = RecommendationFilters(
            country=(options["country"] or settings.COUNTRY).upper(),
            cycle=options["cycle"],
            group=options["group"],
        )
        summary = upr_summary(filters)
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"total: {summary['total']}")
        for key in ("by_group", "by_response", "by_status", "by_action_category", "by_theme"):
            self.stdout.write(f"\n{key}:")
            for name, count in summary[key].items():
                self.stdout.write(f"  {name:<28} {count:>5}")
        self.stdout.write("\nsources:")
        for source in summary["sources"]:
            self.stdout.write(f"  {source}")

    def _taxonomy(self, options: dict[str, Any]) -> None:
        taxonomy = taxonomy_load()
        problems = examples_check(taxonomy)
        data = {
            "file": str(taxonomy_path().name),
            "version": taxonomy.version,
            "groups": [g.code for g in taxonomy.groups],
            "themes": [t.code for t in taxonomy.themes],
            "example_problems": problems,
        }
        self._out(
            options,
            data,
            "\n".join(
                [
                    f"{taxonomy.version}: {len(taxonomy.groups)} groups, "
                    f"{len(taxonomy.themes)} themes",
                    *problems,
                ]
            ),
        )
        if problems:
            raise CommandError("the taxonomy's own examples are not classified as labelled")
