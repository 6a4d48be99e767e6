"""`gbvwatch cases list|import|columns|evidence-gc`: coded fields of an organisation's
incidents; CSV import; clean-up of evidence files no record points to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gbvwatch.cases.evidence_actions import evidence_files_collect
from gbvwatch.cases.importers import INCIDENT_COLUMNS, incidents_import
from gbvwatch.cases.models import Incident
from gbvwatch.core.access import has_permission
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import Organisation, User
from gbvwatch.geography.importers import ImportRejected

CODED = ("id", "type", "incident_date", "unit__code", "setting", "age_band", "gender_identity",
         "disability", "perpetrator", "consent_statistics", "created_at")  # fmt: skip


class Command(BaseCommand):
    help = (
        "list: coded fields of an organisation's incidents (nothing is decrypted). "
        "import FILE --actor USERNAME: incidents from CSV, all or nothing, encrypted on entry. "
        "columns: prints the CSV header the import expects. "
        "evidence-gc: deletes evidence files that no record points to (left by crashes), "
        "older than --min-age-minutes (default 60); --dry-run only counts them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("verb", choices=["list", "import", "columns", "evidence-gc"])
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--organisation", help="organisation slug (list)")
        parser.add_argument("--actor", help="username of a coordinator or caseworker (import)")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--min-age-minutes", type=float, default=60.0)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "columns":
            self.stdout.write(",".join(INCIDENT_COLUMNS))
        elif options["verb"] == "list":
            self._list(options)
        elif options["verb"] == "evidence-gc":
            self._collect(options)
        else:
            self._import(options)

    def _list(self, options: dict[str, Any]) -> None:
        org = Organisation.objects.filter(slug=options["organisation"] or "").first()
        if org is None:
            raise CommandError("--organisation must name an existing organisation slug")
        rows = list(Incident.objects.filter(organisation=org).values(*CODED))
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2, default=str))
            return
        for row in rows:
            self.stdout.write("  ".join(str(row[c] if row[c] is not None else "-") for c in CODED))

    def _collect(self, options: dict[str, Any]) -> None:
        if options["min_age_minutes"] < 0:
            raise CommandError("--min-age-minutes cannot be negative")
        result = evidence_files_collect(
            min_age_seconds=options["min_age_minutes"] * 60, dry_run=options["dry_run"]
        )
        verb = "would remove" if options["dry_run"] else "removed"
        self.stdout.write(
            f"{verb} {result.removed} files ({result.removed_bytes} bytes) that no evidence "
            f"record points to; {result.kept} files kept"
        )

    def _import(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["actor"] or "").first()
        if user is None or not has_permission(user, "cases.edit"):
            raise CommandError("--actor must name an active coordinator or caseworker")
        path: Path | None = options["file"]
        if path is None or not path.is_file():
            raise CommandError("import needs an existing FILE")
        try:
            result = incidents_import(path.read_bytes(), name=path.name, actor=user)
        except ImportRejected as exc:
            raise CommandError(f"nothing was imported:\n{exc}") from exc
        except ActionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.created} incidents imported")
