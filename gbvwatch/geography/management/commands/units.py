"""`gbvwatch units list|import|export`: administrative units, and their boundary polygons.

Also the base class of the other table commands (`settlements`, `services`).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gbvwatch.core.models import Organisation
from gbvwatch.geography.exporters import (
    boundaries_export,
    format_table,
    save_text,
    unit_row,
    units_export,
    units_for_export,
)
from gbvwatch.geography.importers import (
    ImportRejected,
    ImportResult,
    boundaries_import,
    cli_actor,
    read_upload,
    units_import,
)

LIST_FORMATS = ("table", "json")
EXPORT_FORMATS = ("csv", "geojson")


class TableCommand(BaseCommand, ABC):
    """The verbs list, import FILE and export of one table; subclasses fill in the hooks."""

    noun = "rows"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="{list,import,export}")
        listing = verbs.add_parser("list", help="print the rows")
        listing.add_argument("--format", choices=LIST_FORMATS, default="table")
        importing = verbs.add_parser("import", help="upsert rows from a file, all or nothing")
        importing.add_argument("file", help="a CSV or GeoJSON file (judged by its content)")
        importing.add_argument("--format", choices=("text", "json"), default="text")
        importing.add_argument(
            "--actor",
            help="the account to record in the audit log (default: your OS user name)",
        )
        exporting = verbs.add_parser("export", help="write every row as CSV or GeoJSON")
        exporting.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
        exporting.add_argument("-o", "--output", help="write to this file, not to stdout")
        self.add_verb_arguments(listing, importing, exporting)

    def add_verb_arguments(
        self, listing: CommandParser, importing: CommandParser, exporting: CommandParser
    ) -> None:
        """Add a subclass's own options to the list, import and export verbs."""

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "list":
            self._list(options)
        elif verb == "import":
            self._import(options)
        else:
            self._export(options)

    # hooks -------------------------------------------------------------------------------

    @abstractmethod
    def list_rows(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        """Rows of the list, as dicts (all of them go into JSON)."""
        ...

    @abstractmethod
    def table_columns(self) -> Sequence[str]:
        """Columns shown by `list` in table format."""
        ...

    @abstractmethod
    def import_file(
        self,
        data: bytes,
        *,
        name: str,
        actor: Any,
        organisation: Organisation | None,
        options: dict[str, Any],
    ) -> ImportResult:
        """Import the file's bytes; raises ImportRejected."""
        ...

    @abstractmethod
    def export_text(self, fmt: str, options: dict[str, Any]) -> str:
        """The export in format csv or geojson."""
        ...

    # verbs -------------------------------------------------------------------------------

    def _list(self, options: dict[str, Any]) -> None:
        rows = self.list_rows(options)
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
            return
        columns = self.table_columns()
        self.stdout.write(format_table(columns, ([r[c] for c in columns] for r in rows)), ending="")

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            actor, organisation = cli_actor(options["actor"])
            data = read_upload(path)
            result = self.import_file(
                data, name=path.name, actor=actor, organisation=organisation, options=options
            )
        except ImportRejected as exc:
            message = _("%(file)s was rejected, nothing was imported:\n%(problems)s")
            raise CommandError(message % {"file": path.name, "problems": exc}) from exc
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict()))
            return
        message = _(
            "%(file)s: created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d"
        )
        self.stdout.write(message % {"file": path.name, **result.as_dict()})
        if result.skipped or result.deleted:
            extra = _("%(skipped)d skipped, %(deleted)d deleted")
            self.stdout.write(extra % result.as_dict())

    def _export(self, options: dict[str, Any]) -> None:
        text = self.export_text(options["format"], options)
        if options["output"]:
            try:
                save_text(Path(options["output"]), text)
            except OSError as exc:
                raise CommandError(str(exc)) from exc
        else:
            self.stdout.write(text, ending="")


class Command(TableCommand):
    help = (
        "list: the administrative units; import FILE: upsert units by code from CSV or GeoJSON "
        "points (or, with --boundaries, polygons with a unit_code property), all or nothing; "
        "export: CSV or GeoJSON points (with --boundaries: the polygons)."
    )
    noun = "units"

    def add_verb_arguments(
        self, listing: CommandParser, importing: CommandParser, exporting: CommandParser
    ) -> None:
        for verb in (importing, exporting):
            verb.add_argument(
                "--boundaries",
                action="store_true",
                help="boundary polygons (GeoJSON, property unit_code) instead of the units",
            )

    def list_rows(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        return [unit_row(u) for u in units_for_export()]

    def table_columns(self) -> Sequence[str]:
        return (
            "code",
            "name_en",
            "unit_type",
            "parent_code",
            "population",
            "women",
            "road_component",
        )

    def import_file(
        self,
        data: bytes,
        *,
        name: str,
        actor: Any,
        organisation: Organisation | None,
        options: dict[str, Any],
    ) -> ImportResult:
        if options.get("boundaries"):
            return boundaries_import(data, name=name, actor=actor)
        return units_import(data, name=name, actor=actor)

    def export_text(self, fmt: str, options: dict[str, Any]) -> str:
        if options.get("boundaries"):
            return boundaries_export()
        return units_export(fmt)
